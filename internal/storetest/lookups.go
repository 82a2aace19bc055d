package storetest

import (
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

func lookupCases() []testCase {
	return []testCase{
		{"IncidentByNumber", incidentByNumber},
		{"EffectsOfKind", effectsOfKind},
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
