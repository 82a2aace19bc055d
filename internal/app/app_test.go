package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// Run serves until Close: /readyz turns ready once Slack has authenticated the bot, and
// Close stops the server and can be called again.
func TestRunServesUntilClose(t *testing.T) {
	emu := testenv.NewSlack()
	defer emu.Close()
	cfg := config.Default()
	cfg.DB, cfg.Listen = filepath.Join(t.TempDir(), "incidentbot.db"), "127.0.0.1:0"
	cfg.Slack.BotToken, cfg.Slack.SigningSecret, cfg.Slack.APIURL = testenv.SlackBotToken, testenv.SlackSigningSecret, emu.APIURL()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, app.Deps{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	base := "http://" + a.Addr()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never turned ready: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if a.Chat.BotUserID != testenv.SlackBotUser {
		t.Errorf("the chat adapter knows the bot as %q, want %s from auth.test", a.Chat.BotUserID, testenv.SlackBotUser)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("the server still answers after Close")
	}
	if err := a.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if _, err := a.DB.SchemaVersion(ctx); err == nil {
		t.Error("the database is still open after Close")
	}
}
