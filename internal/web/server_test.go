package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestHealthAndReadiness(t *testing.T) {
	var slackUp bool
	s := NewServer(slog.New(slog.DiscardHandler),
		Check{Name: "database", Fn: func(context.Context) error { return nil }},
		Check{Name: "slack", Fn: func(context.Context) error {
			if !slackUp {
				return errors.New("auth.test has not succeeded yet")
			}
			return nil
		}})
	if err := s.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + s.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "slack: auth.test has not succeeded yet") || strings.Contains(body, "database") {
		t.Errorf("readyz before Slack %d %q", code, body)
	}
	slackUp = true
	if code, body := get("/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("readyz %d %q", code, body)
	}
}
