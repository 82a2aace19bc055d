package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
)

// verify reports, oldest incident first, each incident's verdict from the stream of every
// event: an intact chain with its count, an incident without events, and the first broken
// event of a chain (later events of that incident, even intact ones, change nothing).
func TestTimelineVerifyReportsEachIncident(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "incidentbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	err = db.Update(ctx, func(tx incident.Tx) error {
		var ids []int64
		for n := 1; n <= 4; n++ {
			inc := &incident.Incident{Number: n, Title: "t", Severity: incident.P2, Status: incident.StatusInvestigating,
				DeclaredBy: "U0ALICE", Commander: "U0ALICE", DeclaredAt: start, RPOAchieved: -1}
			if err := tx.CreateIncident(inc); err != nil {
				return err
			}
			ids = append(ids, inc.ID)
		}
		// INC-4's events first, then INC-1's, then INC-3's: the walk is by incident.
		for _, c := range []struct {
			id     int64
			n      int
			tamper int // the seq written with a wrong hash; 0 for none
		}{{ids[3], 2, 0}, {ids[0], 3, 0}, {ids[2], 4, 2}} {
			var prev *incident.TimelineEvent
			for i := range c.n {
				e := &incident.TimelineEvent{IncidentID: c.id, Actor: "U0BOB", Kind: incident.EventNote, Data: incident.EventData{Text: "x"}}
				e.Chain(prev, start.Add(time.Duration(i)*time.Second))
				if e.Seq == c.tamper {
					e.DataJSON = `{"text":"y"}` // changed after it was hashed
				}
				if err := tx.InsertEvent(e); err != nil {
					return err
				}
				prev = e
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	broken, total, err := verifyTimelines(ctx, db, func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"INC-1: ok (3 events)",
		"INC-2: ok (0 events)",
		"INC-3: BROKEN at event #2 (id 7, note, 2026-03-01T09:00:01.000Z by U0BOB): its content does not match its hash",
		"INC-4: ok (2 events)",
	}
	if broken != 1 || total != 4 || !slices.Equal(lines, want) {
		t.Errorf("verify: %d broken of %d, lines:\n%q\nwant 1 of 4:\n%q", broken, total, lines, want)
	}
}

// walkTx is a Tx of a few incidents whose events name one that is not among them (a
// store without its foreign keys could hold that).
type walkTx struct {
	incident.Tx
	ids    []int64
	events int // how many fn accepted
}

func (tx *walkTx) IncidentIDs() ([]int64, error) { return tx.ids, nil }
func (tx *walkTx) Incident(id int64) (*incident.Incident, error) {
	return &incident.Incident{ID: id, Number: int(id)}, nil
}
func (tx *walkTx) EachEvent(fn func(*incident.TimelineEvent) error) error {
	for i := range 100 * walkBatch {
		e := &incident.TimelineEvent{ID: int64(i + 1), IncidentID: 2, Seq: i + 1}
		if err := fn(e); err != nil {
			return err
		}
		tx.events++
	}
	return nil
}

// An event of an incident that is not in the incidents' list fails the check, naming it,
// and stops the walk soon after (it does not read on to the end).
func TestTimelineVerifyFailsOnAnEventOfNoIncident(t *testing.T) {
	tx := &walkTx{ids: []int64{1, 3}}
	checks, err := checkChains(tx)
	if err == nil || err.Error() != "event 1 (#1) belongs to incident 2, which is missing or out of order" || checks != nil {
		t.Errorf("checkChains = %v, %v; want the event of incident 2 named", checks, err)
	}
	if tx.events >= 100*walkBatch {
		t.Errorf("the walk read all %d events after the verifier failed", tx.events)
	}
}
