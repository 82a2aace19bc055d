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
	sys.Deliver()
	sys.Clock.Advance(20 * time.Minute)

	mux := http.NewServeMux()
	web.NewPages(sys.Service, slog.New(slog.DiscardHandler)).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, index := get("/")
	for _, want := range []string{"INC-1</a> Intent API returning 500s", `class="P1"`, "overdue by 5m (15m)", "(private incident)", "$5,950 ($17,850/h)"} {
		if code != 200 || !strings.Contains(index, want) {
			t.Errorf("/ (%d) lacks %q", code, want)
		}
	}
	if strings.Contains(index, "Salaries") {
		t.Error("the dashboard shows a private incident's title")
	}
	code, page := get("/incidents/1")
	for _, want := range []string{"internal: the db password was rotated by hand", "Playbook: Application recovery: service failure", "Restart llm-processor"} {
		if code != 200 || !strings.Contains(page, want) {
			t.Errorf("/incidents/1 (%d) lacks %q", code, want)
		}
	}
	if code, _ := get("/incidents/2"); code != 404 {
		t.Errorf("a private incident's page: %d", code)
	}
	code, status := get("/status")
	for _, want := range []string{"intent-processing</td><td class=\"partial\">Partial outage", "payroll</td><td class=\"operational\">Operational",
		"Partial outage of intent-processing", "We are investigating errors on intent submission."} {
		if code != 200 || !strings.Contains(status, want) {
			t.Errorf("/status (%d) lacks %q", code, want)
		}
	}
	for _, secret := range []string{"internal", "team-only", "Salaries", "Intent API returning 500s", "password"} {
		if strings.Contains(status, secret) {
			t.Errorf("the public status page shows %q", secret)
		}
	}
}
