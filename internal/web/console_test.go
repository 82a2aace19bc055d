package web_test

import (
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

// With Slack down, an operator declares, posts an update and approves a step from the
// console, under the same rules and on the same timeline as in Slack.
func TestConsoleWorksWhileSlackIsDown(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPlaybooks("../../commands/testdata/playbooks", "127.0.0.1"))
	mux := http.NewServeMux()
	web.NewConsole(sys.Service, "break-glass", slog.New(slog.DiscardHandler)).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := consoleClient{t, srv}

	for _, bad := range []struct{ user, pass string }{{"", ""}, {"U0ALICE", "wrong"}, {"alice", "break-glass"}} {
		if code, _, _ := c.do("GET", "/console", bad.user, bad.pass, nil); code != 401 {
			t.Errorf("%q/%q: %d, want 401", bad.user, bad.pass, code)
		}
	}
	code, _, page := c.do("GET", "/console", "U0ALICE", "break-glass", nil)
	m := csrfRe.FindStringSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("console %d without a form token:\n%s", code, page)
	}
	aliceCSRF := m[1]
	declare := url.Values{"title": {"Intent API returning 500s"}, "severity": {"P1"}, "service": {"intent-processing"}}
	if code, _, _ := c.do("POST", "/console/declare", "U0ALICE", "break-glass", declare); code != 403 {
		t.Errorf("a declaration without the form token: %d, want 403", code)
	}
	declare.Set("csrf", aliceCSRF)
	if code, _, _ := c.do("POST", "/console/declare", "U0BOB", "break-glass", declare); code != 403 {
		t.Errorf("bob posted alice's form token: %d, want 403", code)
	}
	down := make([]testenv.Fault, 50)
	for i := range down {
		down[i] = testenv.Fault{Status: 503}
	}
	sys.Slack.Fail("conversations.create", down...) // Slack is down
	code, loc, _ := c.do("POST", "/console/declare", "U0ALICE", "break-glass", declare)
	if code != 303 || !strings.Contains(loc, "done=Declared INC-1") {
		t.Fatalf("declare: %d %s", code, loc)
	}
	sys.Deliver()
	if inc := sys.Incident(1); inc.ChannelID != "" || inc.Commander != "U0ALICE" {
		t.Fatalf("the incident got a channel while Slack was down, or the wrong commander: %+v", inc)
	}
	_, loc, _ = c.do("POST", "/console/incidents/1/update", "U0ALICE", "break-glass",
		url.Values{"csrf": {aliceCSRF}, "text": {"Failing over to eu-west-1."}, "audience": {"status-page"}})
	if !strings.Contains(loc, "done=Posted the update to INC-1") {
		t.Errorf("update: %s", loc)
	}
	_, loc, _ = c.do("POST", "/console/incidents/1/update", "U0ALICE", "break-glass", url.Values{"csrf": {aliceCSRF}, "text": {" "}})
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
	_, _, page = c.do("GET", "/console", "U0ALICE", "break-glass", nil)
	if !strings.Contains(page, `action="/console/incidents/1/steps/3/run"`) {
		t.Fatalf("the console offers no run of step 3:\n%s", page)
	}
	_, loc, _ = c.do("POST", "/console/incidents/1/steps/3/run", "U0ALICE", "break-glass", url.Values{"csrf": {aliceCSRF}})
	if !strings.Contains(loc, "done=Asked for approval") {
		t.Errorf("run step 3: %s", loc)
	}
	_, loc, _ = c.do("POST", "/console/incidents/1/steps/3/approve", "U0ALICE", "break-glass", url.Values{"csrf": {aliceCSRF}})
	if !strings.Contains(loc, "error=") || !strings.Contains(loc, "two-person rule") {
		t.Errorf("alice approved her own request from the console: %s", loc)
	}
	sys.Do("U0ALICE", ch, "role ic <@U0BOB|bob>")
	_, _, bobPage := c.do("GET", "/console", "U0BOB", "break-glass", nil)
	bobCSRF := csrfRe.FindStringSubmatch(bobPage)[1]
	_, loc, _ = c.do("POST", "/console/incidents/1/steps/3/approve", "U0BOB", "break-glass", url.Values{"csrf": {bobCSRF}})
	if !strings.Contains(loc, "done=Approved; running") {
		t.Errorf("bob's approval: %s", loc)
	}
	var timeline []string
	for _, e := range sys.Events(1) {
		timeline = append(timeline, string(e.Kind)+" "+e.Actor+" "+e.Text)
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

func TestConsoleIsOffWithoutAToken(t *testing.T) {
	sys := testenv.NewSystem(t)
	mux := http.NewServeMux()
	web.NewConsole(sys.Service, "", slog.New(slog.DiscardHandler)).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := consoleClient{t, srv}
	if code, _, _ := c.do("GET", "/console", "U0ALICE", "", nil); code != 404 {
		t.Errorf("console without a token: %d, want 404", code)
	}
	if code, _, _ := c.do("POST", "/console/declare", "U0ALICE", "", url.Values{"title": {"x"}, "severity": {"P1"}}); code != 404 {
		t.Errorf("declare without a token: %d, want 404", code)
	}
}
