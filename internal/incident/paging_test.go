package incident_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func pagedKeys(pd *testenv.PagerDuty) map[string]int {
	keys := map[string]int{}
	for _, inc := range pd.Incidents() {
		keys[inc.IncidentKey]++
	}
	for _, ev := range pd.Events() {
		if ev.Action == "trigger" {
			keys[ev.DedupKey]++
		}
	}
	return keys
}

func TestDeclarePagesTheRolesItsSeverityNeeds(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPagerDuty())
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()

	keys := pagedKeys(sys.PD)
	want := []string{"incidentbot/1/incident-commander/1", "incidentbot/1/technical-lead/1", "incidentbot/1/communications-lead/1"}
	if len(keys) != len(want) {
		t.Fatalf("pages %v, want %v", keys, want)
	}
	for _, k := range want {
		if keys[k] != 1 {
			t.Errorf("page %s sent %d times", k, keys[k])
		}
	}
	inc := sys.Incident(1)
	for _, pd := range sys.PD.Incidents() {
		if pd.Urgency != "high" || !strings.HasPrefix(pd.Title, "[INC-1 P1] Intent API returning 500s") || pd.Service != "PSVC001" {
			t.Errorf("page %+v", pd)
		}
		link := "Slack channel for INC-1: " + sys.Chat.ChannelURL(inc.ChannelID)
		if len(pd.Notes) != 1 || pd.Notes[0] != link {
			t.Errorf("page %s notes %q, want the channel link", pd.ID, pd.Notes)
		}
	}
	for _, pd := range sys.PD.Incidents() {
		if pd.IncidentKey == "incidentbot/1/communications-lead/1" && (len(pd.Assignees) != 1 || pd.Assignees[0] != "PUCAROL") {
			t.Errorf("the communications lead's schedule on-call was not assigned: %+v", pd)
		}
	}
	if k := kinds(sys.Events(1)); k[incident.EventPaged] != 3 || k[incident.EventPagerNoted] != 3 || k[incident.EventOnCall] != 3 {
		t.Errorf("timeline %v", k)
	}

	// The on-call people are found in Slack by email, invited, and shown on the card.
	inc = sys.Incident(1)
	if got := inc.Roles[incident.RoleTechnicalLead]; got.OnCall != "U0BOB" || got.Holder != "" {
		t.Errorf("technical lead %+v, want bob on call and nobody holding it", got)
	}
	if ch := sys.Slack.Channel(inc.ChannelID); !ch.Members["U0BOB"] {
		t.Error("the on-call technical lead was not invited")
	}
	card := string(sys.Slack.Channel(inc.ChannelID).Messages[0].Blocks)
	if !strings.Contains(card, `TL _unfilled, on call \u003c@U0BOB\u003e_`) {
		t.Errorf("card does not show the on-call technical lead: %s", card)
	}
	var carol string
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventOnCall && strings.Contains(eventText(e), "communications-lead") {
			carol = eventText(e)
		}
	}
	if carol != "On call for communications-lead in PagerDuty: Carol, not found in Slack by email" {
		t.Errorf("the communications lead's on-call event: %q", carol)
	}
	if n := len(sys.Slack.Calls("conversations.invite")); n != 2 { // alice as declarer, bob as on-call
		t.Errorf("%d invites, want 2", n)
	}
	if n := len(sys.Slack.Calls("users.list")); n != 0 {
		t.Errorf("the workspace was listed %d times", n)
	}
}

func TestP0PagesEveryoneAndResolveResolvesThePages(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPagerDuty())
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P0 everything is down")
	sys.Deliver()
	if keys := pagedKeys(sys.PD); len(keys) != 5 {
		t.Fatalf("P0 paged %v, want all five roles", keys)
	}
	ch := sys.Incident(1).ChannelID
	if r := sys.Do("U0BOB", ch, "update Failing over to us-west-2"); r.Error {
		t.Fatal(r.Text)
	}
	if r := sys.Do("U0ALICE", ch, "resolve failed over"); r.Error {
		t.Fatal(r.Text)
	}
	sys.Deliver()
	for _, pd := range sys.PD.Incidents() {
		if pd.Status != "resolved" {
			t.Errorf("page %s is %s after resolution", pd.IncidentKey, pd.Status)
		}
		if !contains(pd.Notes, "Status update: Failing over to us-west-2") {
			t.Errorf("page %s lacks the status update: %q", pd.IncidentKey, pd.Notes)
		}
	}
	resolvedEvents := 0
	for _, ev := range sys.PD.Events() {
		if ev.Action == "resolve" && ev.DedupKey == "incidentbot/1/legal-compliance-lead/1" {
			resolvedEvents++
		}
	}
	if resolvedEvents != 1 {
		t.Errorf("the Events API page was resolved %d times, want 1", resolvedEvents)
	}
	for _, e := range sys.Effects(1) {
		if e.State != incident.EffectDone && e.Kind != incident.EffectTimer {
			t.Errorf("%s is %s: %s", e.Key, e.State, e.LastError)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A page that PagerDuty created before the bot died is found again, not sent twice.
func TestInterruptedPageIsNotSentTwice(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPagerDuty())
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P2 checkout slow")
	// The previous process sent the commander's page and died before recording it.
	if _, err := sys.Outbox.Pager.Page(sys.Ctx, incident.PageRequest{Key: "incidentbot/1/incident-commander/1", Title: "x",
		Urgency: "low", Service: "PSVC001", Target: incident.PageTarget{EscalationPolicy: "PIC0001"}}); err != nil {
		t.Fatal(err)
	}
	sys.Deliver()
	if keys := pagedKeys(sys.PD); len(keys) != 2 || keys["incidentbot/1/incident-commander/1"] != 1 {
		t.Errorf("pages %v", keys)
	}
	var pages []incident.Page
	sys.DB.View(sys.Ctx, func(tx incident.Tx) (err error) { pages, err = tx.Pages(1); return err })
	if len(pages) != 2 {
		t.Errorf("%d pages recorded, want 2", len(pages))
	}
}

func TestPageOnDemand(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPagerDuty())
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P3 typo on the status page")
	sys.Deliver()
	if n := len(sys.PD.Incidents()); n != 0 {
		t.Fatalf("P3 paged %d", n)
	}
	ch := sys.Incident(1).ChannelID
	for _, tc := range []struct{ text, want string }{
		{"page tl the DB is on fire", "Paging the Technical lead for INC-1"},
		{"page <@U0BOB|bob> need your eyes", "Paging <@U0BOB> for INC-1"},
		{"page janitor", `"janitor" is not a crisis role`},
		{"page", "Name a role or a person to page."},
	} {
		if r := sys.Do("U0ALICE", ch, tc.text); !strings.Contains(r.Text, tc.want) {
			t.Errorf("%s: %q, want %q", tc.text, r.Text, tc.want)
		}
	}
	sys.Deliver()
	incs := sys.PD.Incidents()
	if len(incs) != 2 {
		t.Fatalf("%d pages", len(incs))
	}
	if incs[0].EscalationPolicy == "" { // the two pages went out in parallel
		incs[0], incs[1] = incs[1], incs[0]
	}
	if !strings.Contains(incs[0].Body, "the DB is on fire") || !strings.Contains(incs[0].Body, "Slack channel: ") || incs[0].EscalationPolicy != "PTL0001" {
		t.Errorf("role page %+v", incs[0])
	}
	if len(incs[1].Assignees) != 1 || incs[1].Assignees[0] != "PUBOB" {
		t.Errorf("bob's page went to %v", incs[1].Assignees)
	}
	// A second page of the same role is a new page with its own key.
	sys.Do("U0ALICE", ch, "page tl still on fire")
	sys.Deliver()
	if keys := pagedKeys(sys.PD); keys["incidentbot/1/technical-lead/2"] != 1 {
		t.Errorf("second page of the role: %v", keys)
	}
}

// A page that fails for good before the incident channel exists is reported in the channel
// once it does, not only in the log.
func TestPageFailureBeforeTheChannelIsReportedInIt(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPagerDuty())
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Slack.Fail("conversations.create", testenv.Fault{Status: 503})
	sys.PD.Fail("POST /incidents", testenv.Fault{Status: 400}, testenv.Fault{Status: 400}, testenv.Fault{Status: 400})
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	if inc := sys.Incident(1); inc.ChannelID != "" {
		t.Fatalf("the channel exists already (%s): the failure must come first", inc.ChannelID)
	}
	if k := kinds(sys.Events(1)); k[incident.EventEffectFailed] != 3 {
		t.Fatalf("timeline %v: want the 3 failed pages", k)
	}
	for i := 0; i < 3 && sys.Incident(1).ChannelID == ""; i++ {
		sys.Clock.Advance(time.Minute) // the channel's retry comes due
		sys.Deliver()
	}
	inc := sys.Incident(1)
	if inc.ChannelID == "" {
		t.Fatal("no channel after the retries")
	}
	sys.Clock.Advance(time.Minute) // the reports waited for it
	sys.Deliver()
	reported := 0
	for _, m := range sys.Slack.Channel(inc.ChannelID).Messages {
		if strings.HasPrefix(m.Text, ":x: I could not page") {
			reported++
		}
	}
	if reported != 1 {
		t.Errorf("the same failure of 3 pages was reported %d times in the channel, want once", reported)
	}
}

// PagerDuty may give an on-call person without a name: the event names people by their chat
// mention (Slack shows the name), never with an empty pair of parentheses.
func TestOnCallWithoutANameHasNoEmptyParentheses(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPagerDuty())
	sys.PD.AddUser(testenv.PDUser{ID: "PUNONAME", Email: "bob@example.com"})
	sys.PD.SetOnCall("PTL0001", "", "PUNONAME")
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	var got []string
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventOnCall {
			got = append(got, eventText(e))
		}
	}
	if !slices.Contains(got, "On call for technical-lead: <@U0BOB>") || !slices.Contains(got, "On call for incident-commander: <@U0ALICE>") {
		t.Errorf("on-call events: %q", got)
	}
}
