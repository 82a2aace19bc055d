package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func followupCases() []testCase {
	return []testCase{
		{"InsertSetsIDAndFollowupsReadInOrder", insertSetsIDAndFollowupsReadInOrder},
		{"SetFollowupIssue", setFollowupIssue},
		{"CompleteFollowupOnce", completeFollowupOnce},
		{"OpenFollowupIssues", openFollowupIssues},
	}
}

func newFollowup(id int64, text, owner string, created time.Time) *incident.Followup {
	return &incident.Followup{IncidentID: id, Text: text, Owner: owner, CreatedBy: "U0ALICE", CreatedAt: created}
}

func insertFollowups(t *testing.T, s incident.Store, fs ...*incident.Followup) {
	t.Helper()
	update(t, s, func(tx incident.Tx) error {
		for _, f := range fs {
			if err := tx.InsertFollowup(f); err != nil {
				return err
			}
			if f.ID <= 0 {
				t.Errorf("InsertFollowup set ID %d on %q", f.ID, f.Text)
			}
		}
		return nil
	})
}

func readFollowups(t *testing.T, s incident.Store, id int64) []incident.Followup {
	t.Helper()
	var out []incident.Followup
	view(t, s, func(tx incident.Tx) (err error) { out, err = tx.Followups(id); return err })
	return out
}

func values(fs ...*incident.Followup) []incident.Followup {
	out := make([]incident.Followup, len(fs))
	for i, f := range fs {
		out[i] = *f
	}
	return out
}

// InsertFollowup sets an ID; Followups lists an incident's follow-ups in the order they
// were added, open (no issue, not done), and nothing of other incidents.
func insertSetsIDAndFollowupsReadInOrder(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	f1 := newFollowup(a.ID, "Alert on replica lag > 30s — “before” it <pages>", "U0BOB", at(time.Minute+time.Millisecond))
	f2 := newFollowup(b.ID, "other incident", "", at(2*time.Minute))
	f3 := newFollowup(a.ID, "Nobody owns this yet 🔥", "", at(3*time.Minute))
	insertFollowups(t, s, f1, f2, f3)
	got := readFollowups(t, s, a.ID)
	wantNoDiff(t, "Followups", values(f1, f3), got)
	wantUTC(t, "Followups", got)
	for _, f := range got {
		if f.Done() || f.IssueNumber != 0 || f.IssueURL != "" {
			t.Errorf("a new follow-up reads back done or filed: %+v", f)
		}
	}
	if got := readFollowups(t, s, b.ID+100); len(got) != 0 {
		t.Errorf("Followups of no incident: %d", len(got))
	}
}

// SetFollowupIssue records the issue a follow-up became, its URL and number.
func setFollowupIssue(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	f1, f2 := newFollowup(inc.ID, "one", "", t0), newFollowup(inc.ID, "two", "", t0)
	insertFollowups(t, s, f1, f2)
	ref := incident.IssueRef{Number: 314, URL: "https://github.com/nephoran/incidents/issues/314"}
	update(t, s, func(tx incident.Tx) error { return tx.SetFollowupIssue(f2.ID, ref) })
	f2.IssueNumber, f2.IssueURL = ref.Number, ref.URL
	wantNoDiff(t, "Followups", values(f1, f2), readFollowups(t, s, inc.ID))
}

// CompleteFollowup records DoneAt, DoneBy and Outcome once: a second completion is
// ECONFLICT and changes nothing.
func completeFollowupOnce(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	f1, f2 := newFollowup(inc.ID, "one", "U0BOB", t0), newFollowup(inc.ID, "two", "", t0)
	insertFollowups(t, s, f1, f2)
	done := *f1
	done.DoneAt, done.DoneBy, done.Outcome = at(time.Hour+3*time.Millisecond), "octocat", incident.FollowupNotPlanned
	update(t, s, func(tx incident.Tx) error { return tx.CompleteFollowup(&done) })
	wantNoDiff(t, "after the completion", []incident.Followup{done, *f2}, readFollowups(t, s, inc.ID))

	again := done
	again.DoneAt, again.DoneBy, again.Outcome = at(2*time.Hour), "U0BOB", incident.FollowupDone
	err := s.Update(ctx, func(tx incident.Tx) error { return tx.CompleteFollowup(&again) })
	wantCode(t, "a second CompleteFollowup", err, incident.ECONFLICT)
	wantNoDiff(t, "after the second completion", []incident.Followup{done, *f2}, readFollowups(t, s, inc.ID))
}

// OpenFollowupIssues lists, in the order they were added, the open follow-ups of every
// incident that were filed as issues: not the unfiled ones, not the done ones.
func openFollowupIssues(t *testing.T, s incident.Store) {
	var none []incident.Followup
	view(t, s, func(tx incident.Tx) (err error) { none, err = tx.OpenFollowupIssues(); return err })
	if len(none) != 0 {
		t.Errorf("OpenFollowupIssues in an empty store: %d", len(none))
	}
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	filedA := newFollowup(a.ID, "filed, open", "", t0)
	unfiled := newFollowup(a.ID, "not filed", "", t0)
	filedDone := newFollowup(b.ID, "filed, done", "", t0)
	filedB := newFollowup(b.ID, "filed, open, other incident", "U0BOB", t0)
	insertFollowups(t, s, filedA, unfiled, filedDone, filedB)
	for i, f := range []*incident.Followup{filedA, filedDone, filedB} {
		ref := incident.IssueRef{Number: 10 + i, URL: "https://github.com/x/y/issues/" + string(rune('0'+i))}
		update(t, s, func(tx incident.Tx) error { return tx.SetFollowupIssue(f.ID, ref) })
		f.IssueNumber, f.IssueURL = ref.Number, ref.URL
	}
	filedDone.DoneAt, filedDone.DoneBy, filedDone.Outcome = at(time.Hour), "U0ALICE", incident.FollowupDone
	update(t, s, func(tx incident.Tx) error { return tx.CompleteFollowup(filedDone) })
	var got []incident.Followup
	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.OpenFollowupIssues(); return err })
	wantNoDiff(t, "OpenFollowupIssues", values(filedA, filedB), got)
}
