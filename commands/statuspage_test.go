package commands_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// spState checks the Statuspage fake after a step of the script: one incident on the
// page, its statuses so far, its name and the components' statuses.
func spState(t *testing.T, sp *testenv.Statuspage, step string, history []string, name string, components map[string]string) testenv.SPIncident {
	t.Helper()
	incs := sp.Incidents()
	if len(incs) != 1 {
		t.Fatalf("%s: %d incidents on the page, want 1: %+v", step, len(incs), incs)
	}
	inc := incs[0]
	if got := sp.StatusHistory(inc.ID); !slices.Equal(got, history) {
		t.Errorf("%s: status history %v, want %v", step, got, history)
	}
	if inc.Name != name {
		t.Errorf("%s: name %q, want %q", step, inc.Name, name)
	}
	for id, want := range components {
		if got := sp.ComponentStatus(id); got != want {
			t.Errorf("%s: component %s is %s, want %s", step, id, got, want)
		}
	}
	return inc
}

// builtInStatus is the built-in status page (/status) as served.
func builtInStatus(t *testing.T, sys *testenv.System) string {
	t.Helper()
	rec := httptest.NewRecorder()
	sys.App.Server.Mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/status answered %d", rec.Code)
	}
	return rec.Body.String()
}

// A scripted incident drives Statuspage: nothing is published until a status page update,
// which creates the page's incident (its components from the severity); a service added
// and a playbook started join the next update (identified, the new severity's components);
// mitigate moves it to monitoring and resolve resolves it, every component operational
// again. The built-in status page says the same at each step.
func TestScriptedIncidentOnStatuspage(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithStatuspage(), testenv.WithPlaybooks("testdata/playbooks", "127.0.0.1"))
	sp, s, h := sys.Statuspage, &script{t: t, sys: sys}, newHook(t)
	general := sys.Slack.AddChannel("general", alice, bob)
	intent, gateway := testenv.SPComponentIntent, testenv.SPComponentGateway

	s.do(alice, general, "declare P1 intent-processing Intent API returning 500s", "Declared *INC-1*")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	s.do(bob, ch, "update Looking at the logs", "Update posted to INC-1")
	sys.Deliver()
	if n := len(sp.Requests()); n != 0 {
		t.Fatalf("the declaration and a team update made %d Statuspage requests: %+v", n, sp.Requests())
	}

	s.do(bob, ch, "update --status-page Some requests to the intent API fail; <@U0BOB> is on it.", "Update posted to INC-1")
	sys.Deliver()
	inc := spState(t, sp, "first update", []string{"investigating"}, "Partial outage of intent-processing",
		map[string]string{intent: "partial_outage", gateway: "operational"})
	if body := inc.Updates[0].Body; body != "Some requests to the intent API fail; bob is on it." {
		t.Errorf("the update's body is %q: the chat's syntax must not reach the page", body)
	}
	if m := string(inc.Metadata["incidentbot"]); !strings.Contains(m, `"incident":"INC-1@`) {
		t.Errorf("metadata %s lacks the marker", m)
	}
	var kept *incident.StatusPageIncident
	if err := sys.Store.View(sys.Ctx, func(tx incident.Tx) (err error) { kept, err = tx.StatusPageIncident(1); return err }); err != nil {
		t.Fatal(err)
	}
	if kept.ID != inc.ID || kept.URL != inc.Shortlink || kept.Status != incident.PublicInvestigating {
		t.Errorf("kept %+v, want the page incident %s", kept, inc.ID)
	}
	if page := builtInStatus(t, sys); !strings.Contains(page, "Partial outage of intent-processing") || !strings.Contains(page, "Investigating") {
		t.Errorf("the built-in status page does not say what Statuspage says:\n%s", page)
	}

	s.do(alice, ch, "service add api-gateway", "INC-1 now affects intent-processing, api-gateway")
	s.do(alice, ch, "severity P0", "INC-1 is now P0.")
	s.do(alice, ch, "playbook failover-drill ticket=CHG-42 hook="+h.srv.URL, "Started Failover drill")
	sys.Deliver()
	if n := len(sp.Requests()); n != 2 {
		t.Errorf("%d requests: a service added, a severity and a playbook publish nothing until the next update", n)
	}
	s.do(bob, ch, "update --status-page --customers We are failing over to us-west-2.", "Update posted to INC-1")
	sys.Deliver()
	spState(t, sp, "second update", []string{"investigating", "identified"}, "Major outage of intent-processing, api-gateway",
		map[string]string{intent: "major_outage", gateway: "major_outage"})
	if page := builtInStatus(t, sys); !strings.Contains(page, "Major outage of intent-processing, api-gateway") || !strings.Contains(page, "Identified") ||
		!strings.Contains(page, "We are failing over to us-west-2.") {
		t.Errorf("the built-in status page does not say what Statuspage says:\n%s", page)
	}

	s.do(bob, ch, "mitigate", "INC-1 is marked mitigated.")
	sys.Deliver()
	inc = spState(t, sp, "mitigated", []string{"investigating", "identified", "monitoring"}, "Major outage of intent-processing, api-gateway",
		map[string]string{intent: "major_outage", gateway: "major_outage"})
	if body := inc.Updates[len(inc.Updates)-1].Body; body != incident.PublicMitigatedText {
		t.Errorf("mitigation body %q", body)
	}
	if page := builtInStatus(t, sys); !strings.Contains(page, "Monitoring") {
		t.Errorf("the built-in status page does not say monitoring:\n%s", page)
	}

	s.do(alice, ch, "resolve Failed over; root cause in the review", "INC-1 is resolved after")
	sys.Deliver()
	inc = spState(t, sp, "resolved", []string{"investigating", "identified", "monitoring", "resolved"}, "Major outage of intent-processing, api-gateway",
		map[string]string{intent: "operational", gateway: "operational"})
	if last := inc.Updates[len(inc.Updates)-1]; last.Body != incident.PublicResolvedText || strings.Contains(last.Body, "root cause") {
		t.Errorf("resolution body %q: the summary is the team's, not the public's", last.Body)
	}
	if inc.ResolvedAt.IsZero() {
		t.Error("the page incident is not resolved")
	}

	var calls []string
	for _, r := range sp.Requests() {
		calls = append(calls, r.Method+" "+strings.TrimPrefix(strings.SplitN(r.Path, "?", 2)[0], "/v1/pages/"+testenv.StatuspagePage))
	}
	want := []string{"GET /incidents/unresolved", "POST /incidents", "PATCH /incidents/" + inc.ID, "PATCH /incidents/" + inc.ID, "PATCH /incidents/" + inc.ID}
	if !slices.Equal(calls, want) {
		t.Errorf("requests:\n %v\nwant\n %v", calls, want)
	}
	published := 0
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventStatusPagePublished {
			published++
		}
	}
	if published != 4 {
		t.Errorf("%d status_page_published events, want 4", published)
	}
	var posted []string
	for _, m := range sys.Slack.Channel(ch).Messages {
		posted = append(posted, m.Text)
	}
	if all := strings.Join(posted, "\n"); strings.Count(all, "Published on the status page") != 1 || !strings.Contains(all, inc.Shortlink) {
		t.Errorf("the channel is not told once where the page incident is:\n%s", all)
	}
}

// Drills and private incidents never reach Statuspage, whatever is posted for it.
func TestDrillsAndPrivateIncidentsStayOffStatuspage(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithStatuspage(), testenv.WithPlaybooks("testdata/playbooks", "127.0.0.1"))
	s, h := &script{t: t, sys: sys}, newHook(t)
	general := sys.Slack.AddChannel("general", alice, bob)
	s.do(alice, general, "drill failover-drill ticket=CHG-9 hook="+h.srv.URL, "Drill *INC-1* declared")
	s.do(alice, general, "declare P0 intent-processing Credentials leaked --private", "INC-2")
	s.do(alice, general, "declare P1 payroll Payroll export stuck", "INC-3") // a confidential service: private
	sys.Deliver()
	for id := int64(1); id <= 3; id++ {
		inc := sys.Incident(id)
		if !inc.Drill && !inc.Private {
			t.Fatalf("INC-%d is neither a drill nor private", id)
		}
		s.do(alice, inc.ChannelID, "update --status-page --customers We are looking into it.", "Update posted")
		s.do(alice, inc.ChannelID, "mitigate", "mitigated")
		s.do(alice, inc.ChannelID, "resolve done", "resolved")
	}
	sys.Deliver()
	if reqs := sys.Statuspage.Requests(); len(reqs) != 0 {
		t.Errorf("a drill or a private incident reached Statuspage: %+v", reqs)
	}
	for id := int64(1); id <= 3; id++ {
		for _, e := range sys.Effects(id) {
			if e.Kind == incident.EffectStatusPage {
				t.Errorf("INC-%d queued a publication: %+v", id, e)
			}
		}
	}
}
