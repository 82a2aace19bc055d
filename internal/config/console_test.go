package config

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	f := t.TempDir() + "/" + name
	if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func hashOf(t *testing.T, pw string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// Each console operator has their own bcrypt hash, inline or in a USERID:hash file.
func TestConsoleOperators(t *testing.T) {
	alice, bob := hashOf(t, "alice-password"), hashOf(t, "bob-password")
	ops := writeFile(t, "operators", "# console operators\n\nU0BOB:"+bob+"\n")
	cfg, err := Load(writeFile(t, "c.yaml", "console:\n  operators:\n    U0ALICE: {password_hash: '"+alice+"'}\n  operators_file: "+ops+"\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.ConsoleOperators()
	if err != nil || len(got) != 2 || string(got["U0ALICE"]) != alice || string(got["U0BOB"]) != bob {
		t.Errorf("operators %v, %v", got, err)
	}
	// The environment can name the file instead.
	cfg, err = Load("", env(map[string]string{"INCIDENTBOT_CONSOLE_OPERATORS_FILE": ops}))
	if got, _ := cfg.ConsoleOperators(); err != nil || len(got) != 1 || got["U0BOB"] == nil {
		t.Errorf("from the environment: %v %v", got, err)
	}

	bad := writeFile(t, "bad-operators", "U0BOB:"+bob+"\nU0BOB:"+bob+"\nno-colon\nalice:"+alice+"\nU0CAROL:plaintext\nU0ALICE:"+alice+"\n")
	_, err = Load(writeFile(t, "c.yaml", "console:\n  operators:\n    U0ALICE: {password_hash: '"+alice+"'}\n    bob: {password_hash: '"+bob+"'}\n    U0DAN: {password_hash: hunter2}\n  operators_file: "+bad+"\n"), env(nil))
	for _, w := range []string{
		`console.operators: "bob" is not a Slack user ID`,
		"console.operators.U0DAN.password_hash: the password hash of U0DAN is not a bcrypt hash",
		"console.operators_file: " + bad + " line 2: U0BOB is given twice",
		"console.operators_file: " + bad + " line 3: not USERID:hash",
		"console.operators_file: " + bad + ` line 4: "alice" is not a Slack user ID`,
		"console.operators_file: " + bad + " line 5: the password hash of U0CAROL is not a bcrypt hash",
		"console.operators_file: " + bad + " line 6: U0ALICE is given twice",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error shows a password:\n%v", err)
	}
	_, err = Load(writeFile(t, "c.yaml", "console: {operators_file: /nonexistent/ops}\n"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "console.operators_file: open /nonexistent/ops: no such file or directory") {
		t.Errorf("a missing operators file: %v", err)
	}
}

// The shared console token let anyone act as anyone: it is refused with what to do instead.
func TestConsoleTokenIsRefused(t *testing.T) {
	for _, load := range []func() error{
		func() error {
			_, err := Load("", env(map[string]string{"INCIDENTBOT_CONSOLE_TOKEN": "break-glass"}))
			return err
		},
		func() error {
			_, err := Load(writeFile(t, "c.yaml", "console_token: break-glass\n"), env(nil))
			return err
		},
	} {
		err := load()
		if err == nil || !strings.Contains(err.Error(), "console_token: the shared console token (INCIDENTBOT_CONSOLE_TOKEN) is no longer accepted") ||
			!strings.Contains(err.Error(), "console.operators") || strings.Contains(err.Error(), "break-glass") {
			t.Errorf("console token: %v", err)
		}
	}
}

// The slash command's name and the workspaces are checked.
func TestSlackCommandAndTeams(t *testing.T) {
	cfg, err := Load("", env(map[string]string{"SLACK_TEAM_IDS": "T0TEAM, E0GRID"}))
	if err != nil || cfg.Slack.Command != "/incident" || strings.Join(cfg.Slack.TeamIDs, " ") != "T0TEAM E0GRID" {
		t.Errorf("defaults and SLACK_TEAM_IDS: %+v %v", cfg.Slack, err)
	}
	_, err = Load(writeFile(t, "c.yaml", "slack: {command: Incident, team_ids: [T0TEAM, acme, T0TEAM]}\n"), env(nil))
	for _, w := range []string{
		`slack.command: "Incident" is not a slash command`,
		`slack.team_ids[1]: "acme" is not a workspace ID (T0123ABCD) or an Enterprise Grid organization ID (E0123ABCD)`,
		`slack.team_ids[2]: "T0TEAM" is given twice`,
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}
