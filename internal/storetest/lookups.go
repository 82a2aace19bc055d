package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func lookupCases() []testCase {
	return []testCase{
		{"IncidentByNumber", incidentByNumber},
		{"EffectsOfKind", effectsOfKind},
		{"RepeatCandidates", repeatCandidates},
	}
}

// IncidentByNumber finds an incident by its number, also when its ID is another number
// (a database where the two part), with its roles and services; a number nobody has is
// ENOTFOUND, in a read and in a write transaction.
func incidentByNumber(t *testing.T, s incident.Store) {
	createIncident(t, s, minimalIncident(1))
	want := createIncident(t, s, fullIncident(7)) // ID 2, number 7
	view(t, s, func(tx incident.Tx) error {
		got, err := tx.IncidentByNumber(7)
		if err != nil {
			return err
		}
		wantNoDiff(t, "IncidentByNumber(7)", want, got)
		_, err = tx.IncidentByNumber(2)
		wantCode(t, "IncidentByNumber of a number nobody has", err, incident.ENOTFOUND)
		return nil
	})
	update(t, s, func(tx incident.Tx) error {
		_, err := tx.IncidentByNumber(99)
		wantCode(t, "IncidentByNumber(99) in a write transaction", err, incident.ENOTFOUND)
		got, err := tx.IncidentByNumber(1)
		if err == nil && got.Number != 1 {
			t.Errorf("IncidentByNumber(1) is number %d", got.Number)
		}
		return err
	})
}

// EffectsOfKind returns the incident's effects of that kind only, oldest first, and none
// of another incident's.
func effectsOfKind(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	page1, notice, page2, other := newEffect(a.ID, "page-1", incident.EffectPage, t0), newEffect(a.ID, "notice-1", incident.EffectPost, t0),
		newEffect(a.ID, "page-2", incident.EffectPage, t0), newEffect(b.ID, "page-b", incident.EffectPage, t0)
	update(t, s, func(tx incident.Tx) error {
		for _, e := range []*incident.Effect{page1, notice, page2, other} {
			if _, err := tx.Enqueue(e); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx incident.Tx) error {
		got, err := tx.EffectsOfKind(a.ID, incident.EffectPage)
		if err != nil {
			return err
		}
		var keys []string
		for _, e := range got {
			keys = append(keys, e.Key)
		}
		if len(keys) != 2 || keys[0] != "page-1" || keys[1] != "page-2" {
			t.Errorf("EffectsOfKind(a, page) = %v, want [page-1 page-2]", keys)
		}
		if got, err := tx.EffectsOfKind(a.ID, incident.EffectFileReview); err != nil || len(got) != 0 {
			t.Errorf("EffectsOfKind(a, file review) = %v, %v; want none", got, err)
		}
		return nil
	})
}

// RepeatCandidates names the declarer's incidents of the window whose title is the same
// but for case, and no other: not another declarer's, not one declared before the window,
// not another title.
func repeatCandidates(t *testing.T, s incident.Store) {
	mk := func(n int, by, title string, d time.Duration) *incident.Incident {
		inc := minimalIncident(n)
		inc.DeclaredBy, inc.Title, inc.DeclaredAt = by, title, at(d)
		return createIncident(t, s, inc)
	}
	mk(1, "U0ALICE", "API down", 0)                 // before the window
	same := mk(2, "U0ALICE", "api DOWN", time.Hour) // the same but for case
	mk(3, "U0BOB", "API down", time.Hour)           // another declarer
	mk(4, "U0ALICE", "API slow", time.Hour)         // another title
	again := mk(5, "U0ALICE", "API down", 2*time.Hour)
	for _, write := range []bool{false, true} {
		fn := func(tx incident.Tx) error {
			got, err := tx.RepeatCandidates("U0ALICE", "API Down", at(time.Hour))
			if err != nil {
				return err
			}
			if !slices.Equal(got, []int64{same.ID, again.ID}) {
				t.Errorf("RepeatCandidates (write %v) = %v, want %v", write, got, []int64{same.ID, again.ID})
			}
			return nil
		}
		if write {
			update(t, s, fn)
		} else {
			view(t, s, fn)
		}
	}
}
