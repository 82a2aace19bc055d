package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
	_ "modernc.org/sqlite"
)

// MustOpenDB opens a database in a temporary directory.
func MustOpenDB(tb testing.TB) (*sqlite.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "incidentbot.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, path
}

func TestOpenMigratesOnceWithWALAndForeignKeys(t *testing.T) {
	db, path := MustOpenDB(t)
	ctx := context.Background()
	files, _ := filepath.Glob("migrations/*.sql")
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != len(files) || v < 3 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	db.Close()
	db2, err := sqlite.Open(ctx, path) // reopening applies nothing twice
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var mode string
	raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %q", mode)
	}
	var n int
	raw.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(files) {
		t.Errorf("%d migration rows, want %d", n, len(files))
	}
	// Foreign keys are enforced on the bot's connections.
	err = db2.Update(ctx, func(tx incident.Tx) error {
		_, err := tx.Enqueue(&incident.Effect{IncidentID: 999, Kind: incident.EffectPost, Key: "k", State: incident.EffectPending})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("effect for a missing incident: %v", err)
	}
}

func TestTimelineIsAppendOnly(t *testing.T) {
	db, path := MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err := db.Update(ctx, func(tx incident.Tx) error {
		inc := &incident.Incident{Number: 1, Title: "t", Severity: incident.P1, Status: incident.StatusInvestigating, DeclaredBy: "U1", Commander: "U1", DeclaredAt: now}
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U1", Kind: incident.EventNote, Data: incident.EventData{Text: "x"}}
		e.Chain(nil, now)
		return tx.InsertEvent(e)
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := sql.Open("sqlite", path)
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE timeline_events SET text = 'y'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("update: %v", err)
	}
	if _, err := raw.Exec(`DELETE FROM timeline_events`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("delete: %v", err)
	}
}

// An event's data is hashed as stored: a change to the stored JSON fails the chain even
// where decoding would hide it (a field this release does not know, a reordered key).
func TestStoredEventDataIsWhatIsHashed(t *testing.T) {
	db, path := MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var incID int64
	err := db.Update(ctx, func(tx incident.Tx) error {
		inc := &incident.Incident{Number: 1, Title: "t", Severity: incident.P1, Status: incident.StatusInvestigating, DeclaredBy: "U1", Commander: "U1", DeclaredAt: now}
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		incID = inc.ID
		var prev *incident.TimelineEvent
		for _, text := range []string{"first", "second"} {
			e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U1", Kind: incident.EventNote, Data: incident.EventData{Text: text, Users: []string{"U2"}}}
			e.Chain(prev, now)
			if err := tx.InsertEvent(e); err != nil {
				return err
			}
			prev = e
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	events := func() []incident.TimelineEvent {
		var evs []incident.TimelineEvent
		if err := db.View(ctx, func(tx incident.Tx) (err error) { evs, err = tx.Events(incID); return err }); err != nil {
			t.Fatal(err)
		}
		return evs
	}
	evs := events()
	if b := incident.VerifyChain(evs); b != nil || evs[0].Format != incident.FormatData || evs[0].Data.Text != "first" {
		t.Fatalf("as written: %+v, %+v", b, evs[0])
	}
	raw, _ := sql.Open("sqlite", path)
	defer raw.Close()
	for _, tamper := range []string{
		`UPDATE timeline_events SET data = replace(data, '}', ',"approved_by":"U9"}') WHERE seq = 1`,
		`UPDATE timeline_events SET data = '{"text":"first","users":["U2"]}' WHERE seq = 1`,
	} {
		if _, err := raw.Exec(`DROP TRIGGER IF EXISTS timeline_events_no_update`); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(tamper); err != nil {
			t.Fatal(err)
		}
		evs := events()
		if b := incident.VerifyChain(evs); b == nil || b.Event.Seq != 1 || evs[0].Data.Text != "first" {
			t.Errorf("%s: chain break %+v", tamper, b)
		}
	}
}
