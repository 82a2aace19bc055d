package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/web"
)

func TestDashboardAndStatusPage(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Do("U0ALICE", general, "declare P0 payroll Salaries visible to everyone") // confidential: private
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	sys.Do("U0ALICE", ch, "note internal: the db password was rotated by hand")
	sys.Do("U0ALICE", ch, "update --status-page We are investigating errors on intent submission.")
	sys.Do("U0ALICE", ch, "update the team-only update")
	sys.Do("U0ALICE", ch, "impact 10")
	sys.Do("U0ALICE", ch, "playbook application-service-failure")
	sys.Do("U0ALICE", general, "drill application-service-failure") // INC-3: an exercise, never public
	sys.Deliver()
	sys.Do("U0ALICE", sys.Incident(3).ChannelID, "service add api-gateway")
	sys.Deliver()
	sys.Clock.Advance(20 * time.Minute)

	mux := http.NewServeMux()
	pages := web.NewPages(sys.Service, slog.New(slog.DiscardHandler))
	pages.Token = "dash-token"
	pages.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if path != "/status" {
			req.SetBasicAuth("anyone", "dash-token")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, index := get("/")
	for _, want := range []string{"INC-1</a> Intent API returning 500s", `class="P1"`, "overdue by 5m (15m)", "$5,950 ($17,850/h)",
		"<td>Real</td><td>all</td><td>2</td><td>0</td><td>n/a</td><td>n/a</td><td>n/a</td><td>n/a</td><td></td><td>n/a</td>",
		"<td>Real</td><td>tier 1</td><td>1</td>", "<td>Real</td><td>tier 2</td><td>1</td>",
		"<td>Real</td><td>application-service-failure</td><td>1</td>", "<td>Drill</td><td>all</td><td>1</td>"} {
		if code != 200 || !strings.Contains(index, want) {
			t.Errorf("/ (%d) lacks %q", code, want)
		}
	}
	// The README: private incidents are never shown on the dashboard, not even as a row.
	for _, secret := range []string{"Salaries", "INC-2", "payroll", "(private incident)"} {
		if strings.Contains(index, secret) {
			t.Errorf("the dashboard shows the private incident: %q", secret)
		}
	}
	// The incident's page answers to its number and to its key, in any case.
	for _, path := range []string{"/incidents/1", "/incidents/INC-1", "/incidents/inc-1"} {
		code, page := get(path)
		for _, want := range []string{"internal: the db password was rotated by hand", "Playbook: Application recovery: service failure", "Restart llm-processor"} {
			if code != 200 || !strings.Contains(page, want) {
				t.Errorf("%s (%d) lacks %q", path, code, want)
			}
		}
	}
	// The bot's housekeeping is left out unless asked for, as in the review.
	_, page := get("/incidents/INC-1")
	_, all := get("/incidents/INC-1?all=1")
	if strings.Contains(page, "Topic set: ") || !strings.Contains(page, `href="/incidents/INC-1?all=1">Show the bot&#39;s housekeeping too (`) {
		t.Errorf("the incident page shows the bot's housekeeping, or no link to it: %s", page[strings.Index(page, "<h2>Timeline"):][:400])
	}
	if !strings.Contains(all, "Topic set: ") || !strings.Contains(all, "Hide the bot&#39;s housekeeping") {
		t.Errorf("?all=1 does not show the bot's housekeeping")
	}
	for _, path := range []string{"/incidents/2", "/incidents/INC-2", "/incidents/INC-99", "/incidents/INC-", "/incidents/INC-1x", "/incidents/-1"} {
		if code, _ := get(path); code != 404 {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}
	code, status := get("/status")
	for _, want := range []string{"intent-processing</td><td class=\"partial\">Partial outage", "payroll</td><td class=\"major\">Major outage", // the state of a private incident's service
		"api-gateway</td><td class=\"operational\">Operational",
		"Partial outage of intent-processing", "We are investigating errors on intent submission."} {
		if code != 200 || !strings.Contains(status, want) {
			t.Errorf("/status (%d) lacks %q", code, want)
		}
	}
	// A private incident shows nothing but the state of its services: no heading, no updates.
	for _, secret := range []string{"internal", "team-only", "Salaries", "Intent API returning 500s", "password", "Drill", "Major outage of", "INC-"} {
		if strings.Contains(status, secret) {
			t.Errorf("the public status page shows %q", secret)
		}
	}
}

// With a token set, the dashboard answers only those who give it; without one it is open.
// The status page is public either way.
func TestDashboardNeedsItsToken(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	serve := func(token string) *httptest.Server {
		mux := http.NewServeMux()
		pages := web.NewPages(sys.Service, slog.New(slog.DiscardHandler))
		pages.Token = token
		pages.Register(mux)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv
	}
	code := func(srv *httptest.Server, path, header string) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	on := serve("dash-token")
	for _, c := range []struct {
		path, header string
		want         int
	}{
		{"/", "", 401},
		{"/incidents/1", "", 401},
		{"/", "Bearer wrong", 401},
		{"/", "Basic YW55b25lOndyb25n", 401}, // anyone:wrong
		{"/", "Bearer dash-token", 200},
		{"/incidents/1", "Basic YW55b25lOmRhc2gtdG9rZW4=", 200}, // anyone:dash-token
		{"/status", "", 200},
	} {
		if got := code(on, c.path, c.header); got != c.want {
			t.Errorf("GET %s with %q: %d, want %d", c.path, c.header, got, c.want)
		}
	}
	off := serve("")
	if got := code(off, "/", ""); got != 200 {
		t.Errorf("the dashboard without a token configured: %d, want 200", got)
	}
	if got := code(off, "/status", ""); got != 200 {
		t.Errorf("the status page without a dashboard token: %d", got)
	}
}
