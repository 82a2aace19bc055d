package postmortem_test

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postmortem"
	"github.com/nephoran/incidentbot/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden review")

// The review of a scripted incident, filed in the GitHub fake, against a golden file.
func TestReviewOfAScriptedIncident(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithGitHub(true))
	sys.Outbox.Workers = 1 // one effect at a time, so the timeline's order is the same every run
	general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
	do := func(user, ch, text string) {
		t.Helper()
		if r := sys.Do(user, ch, text); r.Error {
			t.Fatalf("/incident %s: %s", text, r.Text)
		}
		sys.Deliver()
	}
	do("U0ALICE", general, `declare P1 intent-processing "Intent API returning 500s"`)
	ch := sys.Incident(1).ChannelID
	sys.Clock.Advance(2 * time.Minute)
	do("U0BOB", ch, "role tl me")
	do("U0ALICE", ch, "impact 30")
	do("U0BOB", ch, "note the token was xoxb-1234-5678-abcdefghijkl, rotate it")
	do("U0ALICE", ch, "playbook single-node-failure node=node-7")
	do("U0BOB", ch, "step 1 run")
	do("U0BOB", ch, "step 1 done")
	do("U0BOB", ch, "step 2 done")
	for _, id := range []string{"3", "4", "5", "6", "7", "8", "9"} {
		do("U0BOB", ch, "step "+id+" skip")
	}
	sys.Clock.Advance(8 * time.Minute)
	do("U0BOB", ch, "update --customers Failed over; error rate back to normal")
	do("U0ALICE", ch, "mitigate")
	do("U0ALICE", ch, "rpo 20s")
	do("U0BOB", ch, "followup Alert on the 5xx rate of the intent API <@U0BOB|bob>")
	do("U0ALICE", ch, "followup Run the node failure drill monthly")
	sys.Clock.Advance(5 * time.Minute)
	do("U0ALICE", ch, "resolve The bad node was drained; pods rescheduled.")

	issues := sys.GitHub.Issues()
	var review *testenv.GHIssue
	followups := 0
	for i := range issues {
		if strings.HasPrefix(issues[i].Title, "Post-incident review") {
			review = &issues[i]
		} else {
			followups++
		}
	}
	if review == nil || followups != 2 {
		t.Fatalf("issues %+v", issues)
	}
	if review.Title != "Post-incident review: INC-1 Intent API returning 500s" {
		t.Errorf("title %q", review.Title)
	}
	for _, l := range []string{"postmortem", "severity:P1", "service:intent-processing"} {
		if !strings.Contains(strings.Join(review.Labels, ","), l) {
			t.Errorf("labels %v lack %s", review.Labels, l)
		}
	}
	if strings.Contains(review.Body, "xoxb-") {
		t.Error("a Slack token reached the review")
	}
	// The anchor's hash depends on the Slack emulator's message timestamps: the golden
	// file has a placeholder (the anchor itself is checked in internal/incident).
	got := regexp.MustCompile(`[0-9a-f]{64}`).ReplaceAllString(review.Body, "<sha256>")
	if *update {
		os.WriteFile("testdata/review.md", []byte(got), 0o644)
	}
	want, err := os.ReadFile("testdata/review.md")
	if err != nil {
		t.Fatalf("%v (run go test -update and review it)", err)
	}
	if got != string(want) {
		t.Errorf("the review differs from testdata/review.md (go test -update, then read the diff):\n%s", got)
	}
	// The channel has the link.
	found := false
	for _, m := range sys.Slack.Channel(ch).Messages {
		found = found || strings.Contains(m.Text, "Post-incident review filed: <https://github.example/nephoran/incidents/issues/1>")
	}
	if !found {
		t.Error("no link in the channel")
	}
}

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"xoxb-123-456-abcdef":                       "[redacted]",
		"token ghp_abcdefghijklmnopqrstuvwxyz0123":  "token [redacted]",
		"Authorization: Bearer abcdef0123456789xyz": "Authorization: Bearer [redacted]",
		"password=hunter2 and more":                 "password=[redacted] and more",
		"nothing secret here":                       "nothing secret here",
	} {
		if got := postmortem.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

// A template file from the configuration replaces the built-in one; a broken one is an error.
func TestCustomTemplate(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/ok.tmpl", []byte("{{ .Key }} lasted {{ .MTTR }}; token xoxb-1-2-secretsecret\n"), 0o600)
	w, err := postmortem.New(dir+"/ok.tmpl", []string{"postmortem"})
	if err != nil {
		t.Fatal(err)
	}
	declared := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	inc := &incident.Incident{Number: 9, Title: "x", Severity: incident.P2, Status: incident.StatusResolved, DeclaredAt: declared,
		ResolvedAt: declared.Add(42 * time.Minute), RPOAchieved: -1}
	r, err := w.Write(incident.ReviewData{Incident: inc, Now: declared.Add(time.Hour)})
	if err != nil || r.Body != "INC-9 lasted 42m; token [redacted]\n" {
		t.Errorf("%q %v", r.Body, err)
	}
	os.WriteFile(dir+"/bad.tmpl", []byte("{{ .Nope "), 0o600)
	if _, err := postmortem.New(dir+"/bad.tmpl", nil); err == nil {
		t.Error("a broken template was accepted")
	}
}

// A secret whose name and value are on two lines is scrubbed too, and so is a private key
// over several lines.
func TestScrubAcrossLines(t *testing.T) {
	for in, want := range map[string]string{
		"the password:\nhunter2 was used":                                        "the password:\n[redacted] was used",
		"Authorization: Bearer\nabcdef0123456789xyz":                             "Authorization: Bearer [redacted]",
		"x\n-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----": "x\n[redacted]",
		"line one\napi_key = s3cr3tvalue\nline three":                            "line one\napi_key = [redacted]\nline three",
	} {
		if got := postmortem.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}
