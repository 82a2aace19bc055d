package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func statusPageCases() []testCase {
	return []testCase{
		{"NotFoundUntilSaved", statusPageNotFoundUntilSaved},
		{"SaveReplacesAndRoundTrips", statusPageSaveReplaces},
		{"RolledBackSaveIsNotKept", statusPageRolledBack},
	}
}

// An incident has no page incident until one is saved: ENOTFOUND, not a zero value.
func statusPageNotFoundUntilSaved(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	view(t, s, func(tx incident.Tx) error {
		if p, err := tx.StatusPageIncident(a.ID); incident.ErrorCode(err) != incident.ENOTFOUND {
			t.Errorf("StatusPageIncident before any save: %+v, %v; want ENOTFOUND", p, err)
		}
		return nil
	})
}

// Saving twice replaces the first (one page incident per incident), every field reads back
// exactly, and another incident's stays its own.
func statusPageSaveReplaces(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	first := incident.StatusPageIncident{IncidentID: a.ID, ID: "p31zjtct2jer", URL: "http://stspg.io/803310a12",
		Status: incident.PublicInvestigating, UpdatedAt: at(time.Minute + time.Millisecond)}
	other := incident.StatusPageIncident{IncidentID: b.ID, ID: "tks5n8x7w24h", Status: incident.PublicIdentified, UpdatedAt: at(2 * time.Minute)}
	second := first
	second.Status, second.UpdatedAt = incident.PublicResolved, at(time.Hour+7*time.Millisecond)
	update(t, s, func(tx incident.Tx) error {
		for _, p := range []incident.StatusPageIncident{first, other, second} {
			if err := tx.SaveStatusPageIncident(&p); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx incident.Tx) error {
		for _, want := range []incident.StatusPageIncident{second, other} {
			got, err := tx.StatusPageIncident(want.IncidentID)
			if err != nil {
				return err
			}
			if *got != want {
				t.Errorf("read %+v, want %+v", *got, want)
			}
		}
		return nil
	})
}

// A save in a transaction that fails is not kept.
func statusPageRolledBack(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	err := s.Update(t.Context(), func(tx incident.Tx) error {
		if err := tx.SaveStatusPageIncident(&incident.StatusPageIncident{IncidentID: a.ID, ID: "p31zjtct2jer", UpdatedAt: at(0)}); err != nil {
			return err
		}
		return incident.Errorf(incident.ECONFLICT, "rolled back")
	})
	if incident.ErrorCode(err) != incident.ECONFLICT {
		t.Fatalf("update: %v", err)
	}
	view(t, s, func(tx incident.Tx) error {
		if _, err := tx.StatusPageIncident(a.ID); incident.ErrorCode(err) != incident.ENOTFOUND {
			t.Errorf("a rolled-back save was kept: %v", err)
		}
		return nil
	})
}
