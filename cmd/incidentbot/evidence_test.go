package main

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// evidenceSystem is a system filing reviews in the GitHub fake, with INC-1 (a note with a
// token in it, resolved: its review is filed) and INC-2 (open, no review), and the
// environment that points the binary at its database and the fake.
func evidenceSystem(t *testing.T) (*testenv.System, []string) {
	t.Helper()
	sys := testenv.NewSystem(t, testenv.WithGitHub(true))
	general := sys.Slack.AddChannel("general", "U0ALICE")
	do := func(ch, text string) {
		t.Helper()
		if r := sys.Do("U0ALICE", ch, text); r.Error {
			t.Fatalf("/incident %s: %s", text, r.Text)
		}
		sys.Deliver()
	}
	do(general, "declare P2 api-gateway checkout slow")
	ch := sys.Incident(1).ChannelID
	do(ch, "note the token was xoxb-1234-5678-abcdefghijkl, rotate it")
	do(ch, "note rolled back the deploy")
	do(ch, "resolve rolled back")
	do(general, "declare P3 api-gateway docs stale")
	if len(sys.GitHub.Issues()) != 1 {
		t.Fatalf("%d reviews filed, want INC-1's", len(sys.GitHub.Issues()))
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "INCIDENTBOT_DB=" + sys.DB.Path(), "GITHUB_TOKEN=" + testenv.GitHubToken,
		"GITHUB_API_URL=" + sys.GitHub.URL(), "GITHUB_REPO=nephoran/incidents"}
	return sys, env
}

// Deleting the newest events of a timeline leaves an intact, shorter chain: verify alone
// passes (what it checks is in the database), verify --anchors does not (the review holds
// the head the resolution anchored), and names the incident and what is missing.
func TestTimelineVerifyAnchorsFindsDeletedNewestEvents(t *testing.T) {
	sys, env := evidenceSystem(t)
	evs := sys.Events(1)
	resolved := 0
	for _, e := range evs {
		if e.Kind == incident.EventResolved {
			resolved = e.Seq
		}
	}
	out, code := run(t, env, "timeline", "verify", "--anchors")
	if code != 0 || !regexp.MustCompile(`(?m)^INC-1: ok \(\d+ events; 1 anchors of review #1 match\)$`).MatchString(out) ||
		!strings.Contains(out, "INC-2: ok (") || !strings.Contains(out, "2 incidents checked, 0 broken (anchors from 1 filed reviews)") {
		t.Fatalf("verify --anchors of an untouched database: exit %d\n%s", code, out)
	}

	raw, err := sql.Open("sqlite", sys.DB.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// An attacker with the file removes the resolution and everything after it.
	keep := resolved - 1
	for _, q := range []string{`DROP TRIGGER timeline_events_no_delete`, fmt.Sprintf(`DELETE FROM timeline_events WHERE incident_id = 1 AND seq > %d`, keep)} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out, code = run(t, env, "timeline", "verify")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("INC-1: ok (%d events)", keep)) {
		t.Errorf("verify without anchors: exit %d, want 0 (the shorter chain is intact):\n%s", code, out)
	}
	out, code = run(t, env, "timeline", "verify", "--anchors")
	want := fmt.Sprintf("INC-1: ANCHOR MISMATCH (review #1, 1 of 1 anchors): anchored at %d events (head ", resolved)
	missing := fmt.Sprintf("but the database has %d: events #%d to #%d are missing (deleted?)", keep, keep+1, resolved)
	if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, missing) || !strings.Contains(out, "2 incidents checked, 1 broken") {
		t.Errorf("verify --anchors: exit %d, want 1 and\n%s…%s\n%s", code, want, missing, out)
	}
	// Without GitHub, --anchors cannot check and says why.
	out, code = run(t, env[:2], "timeline", "verify", "--anchors")
	if code != 1 || !strings.Contains(out, "--anchors reads the filed reviews from GitHub") {
		t.Errorf("verify --anchors without GitHub: exit %d\n%s", code, out)
	}
}

// export writes a signed bundle that verify --bundle checks without a database; a changed
// event, a wrong key and a missing key each fail with their own message.
func TestTimelineExportAndOfflineVerify(t *testing.T) {
	_, env := evidenceSystem(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "timeline.key")
	out, code := run(t, env, "timeline", "keygen", key)
	if code != 0 || !strings.Contains(out, "wrote the private key "+key+" and the public key "+key+".pub (ed25519:") {
		t.Fatalf("keygen: exit %d\n%s", code, out)
	}
	if out, code := run(t, env, "timeline", "export", "INC-1"); code != 1 || !strings.Contains(out, "timeline.signing_key_file, which is not set") {
		t.Errorf("export without a key: exit %d\n%s", code, out)
	}
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("timeline:\n  signing_key_file: "+key+"\n"), 0o600)
	env = append(env, "INCIDENTBOT_CONFIG="+cfg)
	bundle, code := runStdout(t, env, "timeline", "export", "INC-1")
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, bundle)
	}
	if strings.Contains(bundle, "xoxb-") || !strings.Contains(bundle, "rolled back the deploy") {
		t.Errorf("the bundle holds the token, or lacks the note:\n%s", bundle)
	}
	file := filepath.Join(dir, "bundle.json")
	os.WriteFile(file, []byte(bundle), 0o600)
	offline := []string{"PATH=" + os.Getenv("PATH"), "INCIDENTBOT_DB=" + filepath.Join(dir, "none.db")} // no database
	out, code = run(t, offline, "timeline", "verify", "--bundle", file, "--public-key", key+".pub")
	if code != 0 || !regexp.MustCompile(`^INC-1: bundle ok: \d+ events, 1 withheld \(linked, content not included\), head [0-9a-f]{64}, 1 anchors match, signed by ed25519:[0-9a-f]{16}\n$`).MatchString(out) {
		t.Errorf("verify --bundle: exit %d\n%s", code, out)
	}
	changed := filepath.Join(dir, "changed.json")
	os.WriteFile(changed, []byte(strings.Replace(bundle, "rolled back the deploy", "did nothing", 1)), 0o600)
	out, code = run(t, offline, "timeline", "verify", "--bundle", changed, "--public-key", key+".pub")
	if code != 1 || !regexp.MustCompile(`^INC-1: bundle BROKEN: event #\d+ \(note\) was changed: its content does not match its hash\n$`).MatchString(out) {
		t.Errorf("verify a changed bundle: exit %d\n%s", code, out)
	}
	other := filepath.Join(dir, "other.key")
	run(t, offline, "timeline", "keygen", other)
	out, code = run(t, offline, "timeline", "verify", "--bundle", file, "--public-key", other+".pub")
	if code != 1 || !strings.Contains(out, "INC-1: bundle BROKEN: signed with another key: the bundle names key ed25519:") {
		t.Errorf("verify with another key: exit %d\n%s", code, out)
	}
	if out, code := run(t, offline, "timeline", "verify", "--bundle", file); code != 2 || !strings.Contains(out, "--bundle and --public-key go together") {
		t.Errorf("verify --bundle alone: exit %d\n%s", code, out)
	}
	os.WriteFile(cfg, []byte("timeline:\n  signing_key_file: "+key+".pub\n"), 0o600)
	if out, code := run(t, env, "timeline", "export", "INC-1"); code != 1 || !strings.Contains(out, "timeline.signing_key_file: "+key+".pub: holds a public key; signing needs the private key") {
		t.Errorf("export with the public key as the signing key: exit %d\n%s", code, out)
	}
}

// runStdout runs the binary with args and returns its standard output alone (standard error
// too when it fails) and its exit code.
func runStdout(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out) + stderr.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}
