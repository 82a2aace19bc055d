package web_test

import (
	"github.com/nephoran/incidentbot/bot/views"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/web"
	"golang.org/x/crypto/bcrypt"
)

type consoleClient struct {
	t   *testing.T
	srv *httptest.Server
}

// do sends a request as user with password and returns the status, the Location of a
// redirect, and the body.
func (c consoleClient) do(method, path, user, password string, form url.Values) (int, string, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" || password != "" {
		req.SetBasicAuth(user, password)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	loc, _ := url.QueryUnescape(resp.Header.Get("Location"))
	return resp.StatusCode, loc, string(body)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

// Console passwords of the tests' operators.
const (
	alicePW = "alice-console-password"
	bobPW   = "bob-console-password"
	carolPW = "carol-console-password"
)

// operators are alice, bob and carol, each with their own password.
func operators(t *testing.T) map[string][]byte {
	t.Helper()
	ops := map[string][]byte{}
	for user, pw := range map[string]string{"U0ALICE": alicePW, "U0BOB": bobPW, "U0CAROL": carolPW} {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		ops[user] = h
	}
	return ops
}

// With Slack down, an operator declares, posts an update and approves a step from the
// console, under the same rules and on the same timeline as in Slack.
func TestConsoleWorksWhileSlackIsDown(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPlaybooks("../../commands/testdata/playbooks", "127.0.0.1"))
	mux := http.NewServeMux()
	web.NewConsole(sys.Router, operators(t), slog.New(slog.DiscardHandler)).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := consoleClient{t, srv}

	for _, bad := range []struct{ user, pass string }{{"", ""}, {"U0ALICE", "wrong"}, {"alice", alicePW}} {
		if code, _, _ := c.do("GET", "/console", bad.user, bad.pass, nil); code != 401 {
			t.Errorf("%q/%q: %d, want 401", bad.user, bad.pass, code)
		}
	}
	code, _, page := c.do("GET", "/console", "U0ALICE", alicePW, nil)
	m := csrfRe.FindStringSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("console %d without a form token:\n%s", code, page)
	}
	aliceCSRF := m[1]
	declare := url.Values{"title": {"Intent API returning 500s"}, "severity": {"P1"}, "service": {"intent-processing"}}
	if code, _, _ := c.do("POST", "/console/declare", "U0ALICE", alicePW, declare); code != 403 {
		t.Errorf("a declaration without the form token: %d, want 403", code)
	}
	declare.Set("csrf", aliceCSRF)
	if code, _, _ := c.do("POST", "/console/declare", "U0BOB", bobPW, declare); code != 403 {
		t.Errorf("bob posted alice's form token: %d, want 403", code)
	}
	down := make([]testenv.Fault, 50)
	for i := range down {
		down[i] = testenv.Fault{Status: 503}
	}
	sys.Slack.Fail("conversations.create", down...) // Slack is down
	code, loc, _ := c.do("POST", "/console/declare", "U0ALICE", alicePW, declare)
	if code != 303 || !strings.Contains(loc, "done=Declared INC-1") {
		t.Fatalf("declare: %d %s", code, loc)
	}
	sys.Deliver()
	if inc := sys.Incident(1); inc.ChannelID != "" || inc.Commander != "U0ALICE" {
		t.Fatalf("the incident got a channel while Slack was down, or the wrong commander: %+v", inc)
	}
	_, loc, _ = c.do("POST", "/console/incidents/1/update", "U0ALICE", alicePW,
		url.Values{"csrf": {aliceCSRF}, "text": {"Failing over to eu-west-1."}, "audience": {"status-page"}})
	if !strings.Contains(loc, "done=Posted the update to INC-1") {
		t.Errorf("update: %s", loc)
	}
	_, loc, _ = c.do("POST", "/console/incidents/1/update", "U0ALICE", alicePW, url.Values{"csrf": {aliceCSRF}, "text": {" "}})
	if !strings.Contains(loc, "error=") {
		t.Errorf("an empty update was accepted: %s", loc)
	}

	// Slack is back: the channel opens, and a playbook runs there.
	sys.Slack.ClearFaults()
	sys.Clock.Advance(10 * time.Minute)
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	if ch == "" {
		t.Fatal("no channel once Slack was back")
	}
	posted := false
	for _, m := range sys.Slack.Channel(ch).Messages {
		posted = posted || strings.Contains(m.Text+string(m.Blocks), "Failing over to eu-west-1.")
	}
	if !posted {
		t.Error("the update made in the console did not reach the channel once Slack was back")
	}
	sys.Do("U0ALICE", ch, "playbook failover-drill ticket=CHG-1 hook=http://127.0.0.1:1")
	sys.Deliver()
	_, _, page = c.do("GET", "/console", "U0ALICE", alicePW, nil)
	if !strings.Contains(page, `action="/console/incidents/1/steps/3/run"`) {
		t.Fatalf("the console offers no run of step 3:\n%s", page)
	}
	_, loc, _ = c.do("POST", "/console/incidents/1/steps/3/run", "U0ALICE", alicePW, url.Values{"csrf": {aliceCSRF}})
	if !strings.Contains(loc, "done=Asked for approval") {
		t.Errorf("run step 3: %s", loc)
	}
	// The console refuses what Slack refuses, in the same words: approving your own
	// two-person step, and approving without the role.
	_, loc, _ = c.do("POST", "/console/incidents/1/steps/3/approve", "U0ALICE", alicePW, url.Values{"csrf": {aliceCSRF}})
	if !strings.Contains(loc, "two-person rule") {
		t.Errorf("alice approved her own request from the console: %s", loc)
	}
	if slack := sys.Do("U0ALICE", ch, "step 3 approve"); !slack.Error || loc != "/console?error="+slack.Text {
		t.Errorf("own approval: the console said %q, Slack %q", loc, slack.Text)
	}
	_, _, carolPage := c.do("GET", "/console", "U0CAROL", carolPW, nil)
	_, loc, _ = c.do("POST", "/console/incidents/1/steps/3/approve", "U0CAROL", carolPW, url.Values{"csrf": {csrfRe.FindStringSubmatch(carolPage)[1]}})
	if !strings.Contains(loc, "it needs the Incident commander") {
		t.Errorf("carol approved without the role: %s", loc)
	}
	if slack := sys.Do("U0CAROL", ch, "step 3 approve"); !slack.Error || loc != "/console?error="+slack.Text {
		t.Errorf("approval without the role: the console said %q, Slack %q", loc, slack.Text)
	}
	// A second operator, with their own credential, satisfies the two-person rule.
	sys.Do("U0ALICE", ch, "role ic <@U0BOB|bob>")
	_, _, bobPage := c.do("GET", "/console", "U0BOB", bobPW, nil)
	bobCSRF := csrfRe.FindStringSubmatch(bobPage)[1]
	_, loc, _ = c.do("POST", "/console/incidents/1/steps/3/approve", "U0BOB", bobPW, url.Values{"csrf": {bobCSRF}})
	if !strings.Contains(loc, "done=Approved; running") {
		t.Errorf("bob's approval: %s", loc)
	}
	var timeline []string
	for _, e := range sys.Events(1) {
		timeline = append(timeline, string(e.Kind)+" "+e.Actor+" "+views.EventText(e))
	}
	joined := strings.Join(timeline, "\n")
	for _, want := range []string{"declared U0ALICE <@U0ALICE> declared P1", "status_update U0ALICE [status-page] Failing over to eu-west-1.",
		"step_refused U0ALICE <@U0ALICE> may not approve", "step_approved U0BOB <@U0BOB> approved \"Move DNS to us-west-2\""} {
		if !strings.Contains(joined, want) {
			t.Errorf("timeline lacks %q:\n%s", want, joined)
		}
	}
	if b := incident.VerifyChain(sys.Events(1)); b != nil {
		t.Errorf("chain: %+v", b)
	}
}

func TestConsoleIsOffWithoutOperators(t *testing.T) {
	sys := testenv.NewSystem(t)
	mux := http.NewServeMux()
	web.NewConsole(sys.Router, nil, slog.New(slog.DiscardHandler)).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := consoleClient{t, srv}
	if code, _, _ := c.do("GET", "/console", "U0ALICE", "", nil); code != 404 {
		t.Errorf("console without operators: %d, want 404", code)
	}
	if code, _, _ := c.do("POST", "/console/declare", "U0ALICE", "", url.Values{"title": {"x"}, "severity": {"P1"}}); code != 404 {
		t.Errorf("declare without operators: %d, want 404", code)
	}
}

// An operator signs in only as themselves: their password under another operator's user
// ID, or under an ID that is no operator's, is refused, and so is a form posted with it.
func TestConsoleOperatorsSignInOnlyAsThemselves(t *testing.T) {
	sys := testenv.NewSystem(t)
	mux := http.NewServeMux()
	web.NewConsole(sys.Router, operators(t), slog.New(slog.DiscardHandler)).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := consoleClient{t, srv}
	for _, tc := range []struct{ user, pass string }{
		{"U0BOB", alicePW}, {"U0ALICE", bobPW}, {"U0EVE", alicePW}, {"U0ALICE", ""}, {"u0alice", alicePW}, {"U0ALICE ", alicePW},
	} {
		if code, _, body := c.do("GET", "/console", tc.user, tc.pass, nil); code != 401 || !strings.Contains(body, "your own console password") {
			t.Errorf("%q with another's password: %d %q, want 401", tc.user, code, body)
		}
	}
	_, _, page := c.do("GET", "/console", "U0ALICE", alicePW, nil)
	aliceCSRF := csrfRe.FindStringSubmatch(page)[1]
	declare := url.Values{"title": {"Intent API down"}, "severity": {"P1"}, "csrf": {aliceCSRF}}
	if code, _, _ := c.do("POST", "/console/declare", "U0BOB", alicePW, declare); code != 401 {
		t.Errorf("alice posting as bob: %d, want 401", code)
	}
	if n := len(sys.Events(1)); n != 0 {
		t.Errorf("%d events after refused sign-ins", n)
	}
	code, loc, _ := c.do("POST", "/console/declare", "U0ALICE", alicePW, declare)
	if code != 303 || !strings.Contains(loc, "done=Declared INC-1") || sys.Incident(1).Commander != "U0ALICE" {
		t.Errorf("alice declaring as herself: %d %s", code, loc)
	}
}
