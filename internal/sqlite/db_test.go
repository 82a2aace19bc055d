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
		e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U1", Kind: incident.EventNote, Text: "x"}
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

func TestMarkSeenDeduplicates(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	now := time.Now()
	var first, second bool
	db.Update(ctx, func(tx incident.Tx) (err error) { first, err = tx.MarkSeen("Ev1", now); return })
	db.Update(ctx, func(tx incident.Tx) (err error) { second, err = tx.MarkSeen("Ev1", now); return })
	if !first || second {
		t.Errorf("first %v second %v", first, second)
	}
}
