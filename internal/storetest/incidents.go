package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func incidentCases() []testCase {
	return []testCase{
		{"CreateSetsIncreasingIDs", createSetsIncreasingIDs},
		{"EveryFieldRoundTrips", everyIncidentFieldRoundTrips},
		{"MinimalIncidentRoundTrips", minimalIncidentRoundTrips},
		{"UpdateStoresEveryField", updateStoresEveryField},
		{"RPONotRecordedIsNotZero", rpoNotRecordedIsNotZero},
		{"MissingLookupsAreNotFound", missingIncidentLookupsAreNotFound},
		{"EmptyKeysFindNothing", emptyKeysFindNothing},
		{"NumbersAreGapless", numbersAreGapless},
		{"NumbersChannelsAndPagerDutyIDsAreUnique", numbersChannelsAndPagerDutyIDsAreUnique},
		{"IncidentIDsAscend", incidentIDsAscend},
		{"IncidentIDsSince", incidentIDsSince},
		{"RecentIncidents", recentIncidents},
		{"CountIncidents", countIncidents},
	}
}

// CreateIncident sets a positive ID that grows with every incident created (the domain
// sorts by ID as by age).
func createSetsIncreasingIDs(t *testing.T, s incident.Store) {
	var last int64
	for n := 1; n <= 4; n++ {
		inc := createIncident(t, s, minimalIncident(n))
		if inc.ID <= last {
			t.Errorf("incident %d got ID %d after ID %d, want a larger one", n, inc.ID, last)
		}
		last = inc.ID
		if got := readIncident(t, s, inc.ID); got.Number != n {
			t.Errorf("Incident(%d) is number %d, want %d", inc.ID, got.Number, n)
		}
	}
}

// Every stored field of an incident reads back exactly, in UTC, through every lookup, in a
// write and in a read transaction. Suggestions, Objectives and Estimate are not stored.
func everyIncidentFieldRoundTrips(t *testing.T, s incident.Store) {
	want := fullIncident(1)
	var inTx *incident.Incident
	update(t, s, func(tx incident.Tx) (err error) {
		if err := tx.CreateIncident(want); err != nil {
			return err
		}
		inTx, err = tx.Incident(want.ID)
		return err
	})
	wantNoDiff(t, "Incident in the creating transaction", want, inTx)
	view(t, s, func(tx incident.Tx) error {
		reads := map[string]func() (*incident.Incident, error){
			"Incident":              func() (*incident.Incident, error) { return tx.Incident(want.ID) },
			"IncidentByChannel":     func() (*incident.Incident, error) { return tx.IncidentByChannel(want.ChannelID) },
			"IncidentByPagerDutyID": func() (*incident.Incident, error) { return tx.IncidentByPagerDutyID(want.PagerDutyID) },
			"RecentIncidents": func() (*incident.Incident, error) {
				incs, err := tx.RecentIncidents(5)
				if err != nil || len(incs) != 1 {
					return nil, fmt.Errorf("%d incidents, %v", len(incs), err)
				}
				return &incs[0], nil
			},
		}
		for name, read := range reads {
			got, err := read()
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			wantNoDiff(t, name, want, got)
			wantUTC(t, name, got)
		}
		return nil
	})
}

// An incident as declared (no channel, no PagerDuty, nothing recorded) reads back with its
// zero times zero, no roles, no services and RPOAchieved -1.
func minimalIncidentRoundTrips(t *testing.T, s incident.Store) {
	want := createIncident(t, s, minimalIncident(1))
	got := readIncident(t, s, want.ID)
	wantNoDiff(t, "minimal incident", want, got)
	wantUTC(t, "minimal incident", got)
	for name, tm := range map[string]time.Time{"MitigatedAt": got.MitigatedAt, "ResolvedAt": got.ResolvedAt, "AckedAt": got.AckedAt, "ReviewFiledAt": got.ReviewFiledAt} {
		if !tm.IsZero() {
			t.Errorf("%s is %s, want the zero time", name, tm)
		}
	}
}

// UpdateIncident stores every field: what a declaration left empty, then changes to
// each of them (a role handed off, a service added, comms and impact changed).
func updateStoresEveryField(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	want := fullIncident(1)
	want.ID, want.Number, want.DeclaredAt = inc.ID, inc.Number, inc.DeclaredAt
	want.Services = []string{"api-gateway"}
	update(t, s, func(tx incident.Tx) error { return tx.UpdateIncident(want) })
	wantNoDiff(t, "after the first update", want, readIncident(t, s, inc.ID))

	want.Title, want.Description, want.Severity, want.Status = "renamed", "", incident.P0, incident.StatusResolved
	want.Private, want.Drill = false, false
	want.Commander = "U0CAROL"
	want.Roles[incident.RoleTechnicalLead] = incident.RoleState{Holder: "U0ALICE", OnCall: "U0DAVE"}
	want.Roles[incident.RoleBusinessContinuity] = incident.RoleState{Holder: "U0GRACE"}
	want.Services = append(want.Services, "intent-processing", "analytics")
	want.ChannelID, want.ChannelName, want.CardTS = "C0OTHER", "inc-1-renamed", "1772600999.000200"
	want.Summary, want.PagerDutyID, want.PagerDutyURL = "done", "Q0PDNEW", "https://pd/new"
	want.AckedAt, want.AckedBy = at(time.Hour+time.Millisecond), "Erin"
	want.Impact = map[string]int{"mid-market": 100}
	want.Comms["board"] = at(2 * time.Hour)
	want.Comms["team"] = at(3 * time.Hour)
	want.ReviewNumber, want.ReviewURL, want.ReviewFiledAt = 7, "https://github.com/x/y/issues/7", at(4*time.Hour)
	want.RPOAchieved = 0
	update(t, s, func(tx incident.Tx) error { return tx.UpdateIncident(want) })
	got := readIncident(t, s, inc.ID)
	wantNoDiff(t, "after the second update", want, got)
	wantUTC(t, "after the second update", got)
	if got.Number != 1 || got.ID != inc.ID {
		t.Errorf("the update moved the incident: ID %d number %d", got.ID, got.Number)
	}
	view(t, s, func(tx incident.Tx) error {
		if got, err := tx.IncidentByChannel(want.ChannelID); err != nil || got.ID != inc.ID {
			t.Errorf("IncidentByChannel of the channel an update set: %v", err)
		}
		if got, err := tx.IncidentByPagerDutyID(want.PagerDutyID); err != nil || got.ID != inc.ID {
			t.Errorf("IncidentByPagerDutyID of the ID an update set: %v", err)
		}
		_, err := tx.IncidentByChannel(fullIncident(1).ChannelID)
		wantCode(t, "IncidentByChannel of the channel the incident had before", err, incident.ENOTFOUND)
		_, err = tx.IncidentByPagerDutyID(fullIncident(1).PagerDutyID)
		wantCode(t, "IncidentByPagerDutyID of the ID the incident had before", err, incident.ENOTFOUND)
		return nil
	})
}

// RPOAchieved distinguishes "not recorded" (-1) from a window of zero, and keeps
// milliseconds.
func rpoNotRecordedIsNotZero(t *testing.T, s incident.Store) {
	for i, d := range []time.Duration{-1, 0, time.Millisecond, 30*time.Second + 7*time.Millisecond, 26 * time.Hour} {
		inc := minimalIncident(i + 1)
		inc.RPOAchieved = d
		createIncident(t, s, inc)
		if got := readIncident(t, s, inc.ID).RPOAchieved; got != d {
			t.Errorf("RPOAchieved %v reads back as %v", d, got)
		}
	}
}

// Lookups of what does not exist return ENOTFOUND, not a nil incident without an error.
func missingIncidentLookupsAreNotFound(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, fullIncident(1))
	view(t, s, func(tx incident.Tx) error {
		_, err := tx.Incident(inc.ID + 100)
		wantCode(t, "Incident of a missing ID", err, incident.ENOTFOUND)
		_, err = tx.IncidentByChannel("C0NOSUCH")
		wantCode(t, "IncidentByChannel of a channel of no incident", err, incident.ENOTFOUND)
		_, err = tx.IncidentByPagerDutyID("Q0NOSUCH")
		wantCode(t, "IncidentByPagerDutyID of an unknown PagerDuty incident", err, incident.ENOTFOUND)
		_, err = tx.Event(inc.ID, 1)
		wantCode(t, "Event of an incident without events", err, incident.ENOTFOUND)
		_, err = tx.PageByPagerID("Q0NOSUCH")
		wantCode(t, "PageByPagerID of an unknown page", err, incident.ENOTFOUND)
		_, err = tx.Run(12345)
		wantCode(t, "Run of a missing run", err, incident.ENOTFOUND)
		_, err = tx.RunStepRef(12345)
		wantCode(t, "RunStepRef of a missing step", err, incident.ENOTFOUND)
		return nil
	})
}

// An incident without a channel or a PagerDuty incident is not found by the empty
// channel or the empty PagerDuty ID (a command typed outside any channel, a webhook
// without an incident).
func emptyKeysFindNothing(t *testing.T, s incident.Store) {
	createIncident(t, s, minimalIncident(1))
	createIncident(t, s, minimalIncident(2))
	view(t, s, func(tx incident.Tx) error {
		inc, err := tx.IncidentByChannel("")
		wantCode(t, "IncidentByChannel(\"\")", err, incident.ENOTFOUND)
		if inc != nil {
			t.Errorf("IncidentByChannel(\"\") returned incident %d", inc.Number)
		}
		inc, err = tx.IncidentByPagerDutyID("")
		wantCode(t, "IncidentByPagerDutyID(\"\")", err, incident.ENOTFOUND)
		if inc != nil {
			t.Errorf("IncidentByPagerDutyID(\"\") returned incident %d", inc.Number)
		}
		return nil
	})
}

// NextIncidentNumber is one more than the highest number: 1 in an empty store, then 2,
// 3, with no gap left by a transaction that rolled back, and it sees an incident created
// earlier in the same transaction.
func numbersAreGapless(t *testing.T, s incident.Store) {
	next := func() int {
		t.Helper()
		var n int
		view(t, s, func(tx incident.Tx) (err error) { n, err = tx.NextIncidentNumber(); return err })
		return n
	}
	if n := next(); n != 1 {
		t.Fatalf("NextIncidentNumber in an empty store is %d, want 1", n)
	}
	declare := func(tx incident.Tx) (int, error) {
		n, err := tx.NextIncidentNumber()
		if err != nil {
			return 0, err
		}
		return n, tx.CreateIncident(minimalIncident(n))
	}
	update(t, s, func(tx incident.Tx) error { _, err := declare(tx); return err })
	rolledBack(t, s, func(tx incident.Tx) error { _, err := declare(tx); return err })
	if n := next(); n != 2 {
		t.Errorf("after incident 1 and a rolled-back incident 2, NextIncidentNumber is %d, want 2", n)
	}
	var got []int
	update(t, s, func(tx incident.Tx) error {
		for range 3 {
			n, err := declare(tx)
			if err != nil {
				return err
			}
			got = append(got, n)
		}
		return nil
	})
	if !slices.Equal(got, []int{2, 3, 4}) {
		t.Errorf("three declarations in one transaction got numbers %v, want [2 3 4]", got)
	}
	if n := next(); n != 5 {
		t.Errorf("NextIncidentNumber is %d, want 5", n)
	}
}

// Incident numbers are unique, and so are non-empty channels and PagerDuty IDs (one
// incident per PagerDuty incident however deliveries race); many incidents have neither.
func numbersChannelsAndPagerDutyIDsAreUnique(t *testing.T, s incident.Store) {
	first := createIncident(t, s, fullIncident(1))
	second := createIncident(t, s, minimalIncident(2))
	createIncident(t, s, minimalIncident(3)) // a second one without channel or PagerDuty ID

	dupNumber := minimalIncident(1)
	wantFails(t, s, "an incident with a number taken", func(tx incident.Tx) error { return tx.CreateIncident(dupNumber) })
	dupChannel := minimalIncident(4)
	dupChannel.ChannelID = first.ChannelID
	wantFails(t, s, "an incident with a channel taken", func(tx incident.Tx) error { return tx.CreateIncident(dupChannel) })
	dupPD := minimalIncident(5)
	dupPD.PagerDutyID = first.PagerDutyID
	wantFails(t, s, "an incident with a PagerDuty ID taken", func(tx incident.Tx) error { return tx.CreateIncident(dupPD) })
	wantFails(t, s, "an update to a channel taken", func(tx incident.Tx) error {
		inc, err := tx.Incident(second.ID)
		if err != nil {
			t.Errorf("Incident(%d): %v", second.ID, err)
			return nil
		}
		inc.ChannelID = first.ChannelID
		return tx.UpdateIncident(inc)
	})
	wantFails(t, s, "an update to a PagerDuty ID taken", func(tx incident.Tx) error {
		inc, err := tx.Incident(second.ID)
		if err != nil {
			t.Errorf("Incident(%d): %v", second.ID, err)
			return nil
		}
		inc.PagerDutyID = first.PagerDutyID
		return tx.UpdateIncident(inc)
	})
	var ids []int64
	view(t, s, func(tx incident.Tx) (err error) { ids, err = tx.IncidentIDs(); return err })
	if len(ids) != 3 {
		t.Errorf("%d incidents after the refusals, want 3", len(ids))
	}
	if got := readIncident(t, s, first.ID); got.ChannelID != first.ChannelID {
		t.Errorf("incident 1's channel is now %q", got.ChannelID)
	}
}

// IncidentIDs lists every incident's ID in ascending order.
func incidentIDsAscend(t *testing.T, s incident.Store) {
	var want []int64
	for n := 1; n <= 5; n++ {
		want = append(want, createIncident(t, s, minimalIncident(n)).ID)
	}
	var got []int64
	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.IncidentIDs(); return err })
	if !slices.Equal(got, want) {
		t.Errorf("IncidentIDs = %v, want %v", got, want)
	}
}

// IncidentIDsSince lists, ascending, the incidents declared at or after since, to the
// millisecond and whatever since's time zone; the zero time selects all of them.
func incidentIDsSince(t *testing.T, s incident.Store) {
	var ids []int64
	for i, d := range []time.Duration{0, time.Hour, 2 * time.Hour, 24 * time.Hour} {
		inc := minimalIncident(i + 1)
		inc.DeclaredAt = at(d)
		ids = append(ids, createIncident(t, s, inc).ID)
	}
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	for _, c := range []struct {
		name  string
		since time.Time
		want  []int64
	}{
		{"the zero time", time.Time{}, ids},
		{"before every incident", at(-time.Hour), ids},
		{"exactly the second's declaration", at(time.Hour), ids[1:]},
		{"one millisecond after it", at(time.Hour + time.Millisecond), ids[2:]},
		{"one millisecond before it", at(time.Hour - time.Millisecond), ids[1:]},
		{"in another time zone", at(time.Hour).In(zone), ids[1:]},
		{"the last declaration", at(24 * time.Hour), ids[3:]},
		{"after every incident", at(25 * time.Hour), nil},
	} {
		var got []int64
		view(t, s, func(tx incident.Tx) (err error) { got, err = tx.IncidentIDsSince(c.since); return err })
		if !slices.Equal(got, c.want) {
			t.Errorf("IncidentIDsSince(%s) = %v, want %v", c.name, got, c.want)
		}
	}
}

// RecentIncidents returns every open incident (investigating or mitigated) and the latest
// limit resolved ones, newest first; limit 0 returns the open ones only.
func recentIncidents(t *testing.T, s incident.Store) {
	var none []incident.Incident
	view(t, s, func(tx incident.Tx) (err error) { none, err = tx.RecentIncidents(10); return err })
	if len(none) != 0 {
		t.Errorf("RecentIncidents in an empty store returned %d incidents", len(none))
	}
	statuses := []incident.Status{incident.StatusResolved, incident.StatusInvestigating, incident.StatusResolved,
		incident.StatusMitigated, incident.StatusResolved, incident.StatusResolved}
	byNumber := map[int]*incident.Incident{}
	for i, st := range statuses {
		inc := fullIncident(i + 1)
		inc.Status = st
		byNumber[i+1] = createIncident(t, s, inc)
	}
	for _, c := range []struct {
		limit int
		want  []int // numbers
	}{
		{0, []int{4, 2}},
		{1, []int{6, 4, 2}},
		{2, []int{6, 5, 4, 2}},
		{3, []int{6, 5, 4, 3, 2}},
		{10, []int{6, 5, 4, 3, 2, 1}},
	} {
		var got []incident.Incident
		view(t, s, func(tx incident.Tx) (err error) { got, err = tx.RecentIncidents(c.limit); return err })
		var numbers []int
		for _, inc := range got {
			numbers = append(numbers, inc.Number)
		}
		if !slices.Equal(numbers, c.want) {
			t.Errorf("RecentIncidents(%d) = numbers %v, want %v", c.limit, numbers, c.want)
			continue
		}
		for _, inc := range got {
			wantNoDiff(t, fmt.Sprintf("RecentIncidents(%d): incident %d", c.limit, inc.Number), byNumber[inc.Number], &inc)
		}
	}
}

// CountIncidents counts incidents by [status, severity]; an empty store has no counts.
func countIncidents(t *testing.T, s incident.Store) {
	var got map[[2]string]int
	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.CountIncidents(); return err })
	if len(got) != 0 {
		t.Errorf("CountIncidents in an empty store = %v, want none", got)
	}
	for i, c := range []struct {
		st  incident.Status
		sev incident.Severity
	}{
		{incident.StatusInvestigating, incident.P1}, {incident.StatusInvestigating, incident.P1}, {incident.StatusInvestigating, incident.P0},
		{incident.StatusMitigated, incident.P1}, {incident.StatusResolved, incident.P3}, {incident.StatusResolved, incident.P3},
		{incident.StatusResolved, incident.P3}, {incident.StatusResolved, incident.P2},
	} {
		inc := minimalIncident(i + 1)
		inc.Status, inc.Severity = c.st, c.sev
		createIncident(t, s, inc)
	}
	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.CountIncidents(); return err })
	want := map[[2]string]int{
		{"investigating", "P1"}: 2, {"investigating", "P0"}: 1, {"mitigated", "P1"}: 1,
		{"resolved", "P3"}: 3, {"resolved", "P2"}: 1,
	}
	wantNoDiff(t, "CountIncidents", want, got)
}
