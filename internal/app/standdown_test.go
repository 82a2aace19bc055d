package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// logBuffer is a log destination that tests read while the app writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A replica running while a newer release migrates the database under it (a rolling
// upgrade) stands down from background work and says why: /readyz answers 503 naming the
// schema versions, the outbox logs that it stands down and claims nothing more, so an
// effect queued now stays pending for the newer replicas.
func TestAReplicaOlderThanTheSchemaStandsDown(t *testing.T) {
	url := pgtest.New(t)
	emu := testenv.NewSlack()
	defer emu.Close()
	cfg := config.Default()
	cfg.DB, cfg.Listen, cfg.Database.URL = filepath.Join(t.TempDir(), "unused.db"), "127.0.0.1:0", config.Secret(url)
	cfg.Slack.BotToken, cfg.Slack.SigningSecret, cfg.Slack.APIURL = testenv.SlackBotToken, testenv.SlackSigningSecret, emu.APIURL()
	cfg.Slack.AnnounceChannel = emu.AddChannel("incidents", testenv.SlackBotUser)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	logs := &logBuffer{}
	a, err := app.New(ctx, cfg, app.Deps{Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	ready := func() (int, string) {
		resp, err := http.Get("http://" + a.Addr() + "/readyz")
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	waitFor(t, "ready", func() bool { code, _ := ready(); return code == http.StatusOK })

	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at)
		SELECT max(version) + 1, 'from_a_newer_release.sql', '' FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	code, body := ready()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "newer than this binary") {
		t.Errorf("/readyz under a newer schema: %d %q, want 503 saying the schema is newer", code, body)
	}
	inc, err := a.Service.Declare(ctx, incident.DeclareRequest{Actor: "U0ALICE", Title: "checkout down", Severity: incident.P1})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the outbox to stand down", func() bool { return strings.Contains(logs.String(), "outbox: standing down") })
	var effs []incident.Effect
	if err := a.DB.View(ctx, func(tx incident.Tx) (err error) { effs, err = tx.Effects(inc.ID); return err }); err != nil {
		t.Fatal(err)
	}
	for _, e := range effs {
		if e.State != incident.EffectPending || e.Claim != 0 {
			t.Errorf("effect %s is %s (claim %d) after the stand-down, want pending and never claimed", e.Key, e.State, e.Claim)
		}
	}
	if len(effs) == 0 {
		t.Error("the declaration queued no effect")
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
