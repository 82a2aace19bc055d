package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// minimalIncident is an incident as a declaration makes it: no channel yet, nothing
// recorded, every optional field empty.
func minimalIncident(n int) *incident.Incident {
	return &incident.Incident{
		Number: n, Title: fmt.Sprintf("incident %d", n), Severity: incident.P2, Status: incident.StatusInvestigating,
		DeclaredBy: "U0ALICE", Commander: "U0ALICE", DeclaredAt: at(time.Duration(n) * time.Minute), RPOAchieved: -1,
	}
}

// fullIncident is an incident with every stored field set, to values that are easy to
// lose: text with quotes, markup and non-ASCII, maps, several services, times to the
// millisecond.
func fullIncident(n int) *incident.Incident {
	declared := at(time.Duration(n) * time.Hour)
	return &incident.Incident{
		Number:      n,
		Title:       fmt.Sprintf("API gateway 5xx in us-east-1 — “edge” <&> %d", n),
		Description: "Errors since 05:00.\nSecond line with *bold* and <@U0BOB> and 'quotes' and \"double\" and émoji 🔥",
		Severity:    incident.P1,
		Service:     "api-gateway",
		Tier:        2,
		Services:    []string{"api-gateway", "intent-processing", "analytics"},
		Status:      incident.StatusMitigated,
		Private:     true,
		Drill:       true,
		DeclaredBy:  "U0ALICE",
		Commander:   "U0BOB",
		Roles: map[incident.Role]incident.RoleState{
			incident.RoleTechnicalLead:   {Holder: "U0CAROL", OnCall: "U0DAVE"},
			incident.RoleCommunications:  {Holder: "", OnCall: "U0ERIN"},
			incident.RoleLegalCompliance: {Holder: "U0FRANK"},
		},
		OriginChannel: "C0GENERAL",
		ChannelID:     fmt.Sprintf("C0INC%04d", n),
		ChannelName:   fmt.Sprintf("inc-%d-api-gateway-5xx", n),
		CardTS:        "1772600767.000100",
		DeclaredAt:    declared,
		MitigatedAt:   declared.Add(17*time.Minute + 3*time.Millisecond),
		ResolvedAt:    declared.Add(42*time.Minute + 999*time.Millisecond),
		Summary:       "Rolled back the gateway; `kubectl rollout undo` fixed it.",
		PagerDutyID:   fmt.Sprintf("Q0PD%04d", n),
		PagerDutyURL:  fmt.Sprintf("https://example.pagerduty.com/incidents/Q0PD%04d", n),
		AckedAt:       declared.Add(2*time.Minute + 1*time.Millisecond),
		AckedBy:       "Dave Duty",
		Impact:        map[string]int{"large-enterprise": 40, "mid-market": 0, "small-business": 5},
		Comms: map[string]time.Time{
			"team":        declared.Add(15 * time.Minute),
			"status-page": declared.Add(4*time.Minute + 7*time.Millisecond),
		},
		ReviewNumber:  4200 + n,
		ReviewURL:     fmt.Sprintf("https://github.com/nephoran/incidents/issues/%d", 4200+n),
		ReviewFiledAt: declared.Add(50 * time.Minute),
		RPOAchieved:   90*time.Second + 250*time.Millisecond,
	}
}

// createIncident creates inc in its own transaction and returns it with its ID.
func createIncident(t *testing.T, s incident.Store, inc *incident.Incident) *incident.Incident {
	t.Helper()
	update(t, s, func(tx incident.Tx) error { return tx.CreateIncident(inc) })
	if inc.ID == 0 {
		t.Fatalf("CreateIncident did not set the ID of incident %d", inc.Number)
	}
	return inc
}

// readIncident reads incident id in a read transaction.
func readIncident(t *testing.T, s incident.Store, id int64) *incident.Incident {
	t.Helper()
	var inc *incident.Incident
	view(t, s, func(tx incident.Tx) (err error) { inc, err = tx.Incident(id); return err })
	return inc
}

// fullEventData is event data with every field set.
func fullEventData() incident.EventData {
	return incident.EventData{
		Users: []string{"U0BOB", "U0CAROL"}, Others: []string{"Dave Duty"}, Was: "U0ALICE",
		Role: incident.RoleTechnicalLead, Channel: "C0EXEC", Severity: incident.P0, From: incident.P2,
		Status: incident.StatusMitigated, Title: "checkout <down> & “out”", Text: "note with <@U0BOB> & *markup*\nand a second line 🔥",
		Detail: `{"kind":"Status","code":403}`, Private: true, Drill: true,
		Audiences: []string{"customers", "execs"}, Roles: []incident.Role{incident.RoleCommander}, Groups: []string{"sre-leads"},
		Service: "api-gateway", Tier: 2, Playbook: "regional-outage", Params: "region=us-west-2 target=eu-west-1",
		Step:   &incident.StepRef{Run: 3, ID: 17, Seq: 2, Key: "promote-db", Title: "Promote the standby"},
		Pager:  &incident.PagerRef{ID: "Q0PD1", Number: 77, Target: "escalation policy P0IC", Agent: "Dave", Event: "acknowledged", URL: "https://pd/x", Priority: "P1", Urgency: "high"},
		Number: 12, URL: "https://github.com/nephoran/incidents/issues/12", Outcome: "succeeded", Reason: "stale plan", How: "first",
		Percent: 80, Count: 5, Duration: 17*time.Minute + 3*time.Millisecond, Objective: 15 * time.Minute, ObjectiveOf: "intent-processing",
		Due: at(15 * time.Minute), When: at(3 * time.Minute),
		Money: []incident.Money{125000, 31250}, Shares: []incident.Share{{Segment: "large-enterprise", Percent: 40}},
		Effect: incident.EffectPostCard,
	}
}

// appendEvent chains an event of kind with data d after the incident's last one and
// inserts it, as the domain does.
func appendEvent(tx incident.Tx, incidentID int64, kind incident.EventKind, d incident.EventData, now time.Time) (*incident.TimelineEvent, error) {
	last, err := tx.LastEvent(incidentID)
	if err != nil {
		return nil, err
	}
	e := &incident.TimelineEvent{IncidentID: incidentID, Actor: "U0ALICE", Kind: kind, Format: incident.FormatData, Data: d}
	e.Chain(last, now)
	if err := tx.InsertEvent(e); err != nil {
		return nil, err
	}
	return e, nil
}

// readEvents reads an incident's timeline in a read transaction.
func readEvents(t *testing.T, s incident.Store, incidentID int64) []incident.TimelineEvent {
	t.Helper()
	var evs []incident.TimelineEvent
	view(t, s, func(tx incident.Tx) (err error) { evs, err = tx.Events(incidentID); return err })
	return evs
}

// readEffects reads an incident's effects in a read transaction.
func readEffects(t *testing.T, s incident.Store, incidentID int64) []incident.Effect {
	t.Helper()
	var effs []incident.Effect
	view(t, s, func(tx incident.Tx) (err error) { effs, err = tx.Effects(incidentID); return err })
	return effs
}
