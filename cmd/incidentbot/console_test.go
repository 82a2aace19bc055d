package main

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// hashPassword runs `console hash-password` with password on standard input.
func hashPassword(t *testing.T, password string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"console", "hash-password"}, args...)...)
	cmd.Stdin = strings.NewReader(password + "\n")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out)), 0
}

// An operator makes their hash with the binary, the bot serves the console to each operator
// as themselves only, and the workspace of slack.team_ids is enforced.
func TestServeConsoleOperatorsAndWorkspace(t *testing.T) {
	if out, code := hashPassword(t, "short"); code != 1 || !strings.Contains(out, "at least 12") {
		t.Errorf("a short password (exit %d): %s", code, out)
	}
	if out, code := hashPassword(t, "a long enough password", "--user", "alice"); code != 1 || !strings.Contains(out, `--user "alice" is not a Slack user ID`) {
		t.Errorf("a bad --user (exit %d): %s", code, out)
	}
	alice, code := hashPassword(t, "alice console password", "--user", "U0ALICE")
	if code != 0 || !strings.HasPrefix(alice, "U0ALICE:$2a$") {
		t.Fatalf("hash-password --user (exit %d): %s", code, alice)
	}
	bob, code := hashPassword(t, "bob console password")
	if code != 0 || !strings.HasPrefix(bob, "$2a$") {
		t.Fatalf("hash-password (exit %d): %s", code, bob)
	}
	dir := t.TempDir()
	ops := filepath.Join(dir, "operators")
	os.WriteFile(ops, []byte(alice+"\n"), 0o600)
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("console:\n  operators:\n    U0BOB: {password_hash: '"+bob+"'}\n"), 0o600)

	emu := testenv.NewSlack()
	t.Cleanup(emu.Close)
	general := emu.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)
	p := startServe(t, serveEnv(emu, filepath.Join(dir, "bot.db"), "INCIDENTBOT_CONFIG="+cfg,
		"INCIDENTBOT_CONSOLE_OPERATORS_FILE="+ops, "SLACK_TEAM_IDS="+testenv.SlackTeam))
	console := func(user, pass string) int {
		req, _ := http.NewRequest("GET", p.url()+"/console", nil)
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		user, pass string
		want       int
	}{
		{"U0ALICE", "alice console password", 200}, {"U0BOB", "bob console password", 200},
		{"U0BOB", "alice console password", 401}, {"U0CAROL", "alice console password", 401},
	} {
		if got := console(tc.user, tc.pass); got != tc.want {
			t.Errorf("console as %s with %q: %d, want %d", tc.user, tc.pass, got, tc.want)
		}
	}

	form := url.Values{"team_id": {"T0OTHER"}, "channel_id": {general}, "user_id": {"U0ALICE"}, "command": {"/incident"},
		"text": {"declare P1 from elsewhere"}, "trigger_id": {"1.2.other"}}
	resp, err := p.sender().Post("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil || resp.Status != 403 || !strings.Contains(string(resp.Body), "workspace T0OTHER") {
		t.Errorf("a command from another workspace: %v %d %s", err, resp.Status, resp.Body)
	}
	if got := slash(t, p, "U0ALICE", general, "declare P3 from home"); !strings.Contains(got, "Declared *INC-1*") {
		t.Errorf("a command from the workspace: %q", got)
	}
}
