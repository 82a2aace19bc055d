package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// MustOpenDB opens a new, empty database on the test server and returns it with its URL.
func MustOpenDB(tb testing.TB) (*postgres.DB, string) {
	tb.Helper()
	url := pgtest.New(tb)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, url
}

// raw connects to the database beside the store, to look at or tamper with what it wrote.
func raw(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close(context.Background()) })
	return c
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

func newIncident(n int) *incident.Incident {
	return &incident.Incident{Number: n, Title: "t", Severity: incident.P1, Status: incident.StatusInvestigating,
		DeclaredBy: "U1", Commander: "U1", DeclaredAt: t0}
}

func TestOpenMigratesOnce(t *testing.T) {
	db, url := MustOpenDB(t)
	ctx := context.Background()
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != postgres.LatestSchemaVersion() || v < 1 {
		t.Fatalf("schema version %d (%v), want %d", v, err, postgres.LatestSchemaVersion())
	}
	db.Close()
	db2, err := postgres.Open(ctx, url) // reopening applies nothing twice
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var n int
	raw(t, url).QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != postgres.LatestSchemaVersion() {
		t.Errorf("%d migration rows, want %d", n, postgres.LatestSchemaVersion())
	}
	// Foreign keys hold.
	err = db2.Update(ctx, func(tx incident.Tx) error {
		_, err := tx.Enqueue(&incident.Effect{IncidentID: 999, Kind: incident.EffectPost, Key: "k", State: incident.EffectPending})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "foreign key") {
		t.Errorf("effect for a missing incident: %v", err)
	}
}

// Replicas starting together on an empty database: one migrates, the others wait on the
// transaction-scoped lock and find the schema there. None fails, nothing is applied twice.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	url := pgtest.New(t)
	ctx := context.Background()
	const replicas = 6
	var wg sync.WaitGroup
	errs := make(chan error, replicas)
	for range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(ctx, url)
			if err == nil {
				err = db.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("open: %v", err)
		}
	}
	c := raw(t, url)
	var rows, versions int
	c.QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions)
	if rows != postgres.LatestSchemaVersion() || versions != rows {
		t.Errorf("%d migration rows for %d versions, want %d once each", rows, versions, postgres.LatestSchemaVersion())
	}
	var locks int
	c.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'`).Scan(&locks)
	if locks != 0 {
		t.Errorf("%d advisory locks still held after the opens: the migration lock must be transaction-scoped", locks)
	}
}

// A database a newer binary migrated is refused with an error that says so.
func TestOpenRefusesANewerSchema(t *testing.T) {
	db, url := MustOpenDB(t)
	db.Close()
	ctx := context.Background()
	newer := postgres.LatestSchemaVersion() + 1
	if _, err := raw(t, url).Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_the_future.sql', '')`, newer); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(ctx, url)
	var tooNew *postgres.SchemaTooNewError
	if !errors.As(err, &tooNew) || tooNew.Database != newer || tooNew.Binary != newer-1 {
		t.Fatalf("open: %v, want a SchemaTooNewError", err)
	}
	if !strings.Contains(err.Error(), "newer than this binary") {
		t.Errorf("message %q does not say the schema is newer than the binary", err)
	}
}

func TestTimelineIsAppendOnly(t *testing.T) {
	db, url := MustOpenDB(t)
	ctx := context.Background()
	err := db.Update(ctx, func(tx incident.Tx) error {
		inc := newIncident(1)
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U1", Kind: incident.EventNote, Data: incident.EventData{Text: "x"}}
		e.Chain(nil, t0)
		return tx.InsertEvent(e)
	})
	if err != nil {
		t.Fatal(err)
	}
	c := raw(t, url)
	for _, stmt := range []string{`UPDATE timeline_events SET text = 'y'`, `DELETE FROM timeline_events`, `TRUNCATE timeline_events`} {
		if _, err := c.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}

// An event's data is stored and read back byte for byte (text, not jsonb) and hashed as
// stored: a change to the stored JSON fails the chain even where decoding would hide it.
func TestStoredEventDataIsWhatIsHashed(t *testing.T) {
	db, url := MustOpenDB(t)
	ctx := context.Background()
	var incID int64
	var written []incident.TimelineEvent
	err := db.Update(ctx, func(tx incident.Tx) error {
		inc := newIncident(1)
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		incID = inc.ID
		var prev *incident.TimelineEvent
		for _, text := range []string{"first", "second ünïcode \"quoted\" <b>&"} {
			e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U1", Kind: incident.EventNote, Data: incident.EventData{Text: text, Users: []string{"U2"}}}
			e.Chain(prev, t0.Add(time.Duration(len(written))*time.Second))
			if err := tx.InsertEvent(e); err != nil {
				return err
			}
			written = append(written, *e)
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
	if b := incident.VerifyChain(evs); b != nil || len(evs) != 2 {
		t.Fatalf("as written: %d events, break %+v", len(evs), b)
	}
	for i, e := range evs {
		w := written[i]
		if e.ID != w.ID || e.Seq != w.Seq || !e.At.Equal(w.At) || e.DataJSON != w.DataJSON || e.Hash != w.Hash || e.PrevHash != w.PrevHash ||
			e.Format != incident.FormatData || e.Data.Text != w.Data.Text {
			t.Errorf("event %d read back as %+v, written %+v", i+1, e, w)
		}
	}
	c := raw(t, url)
	if _, err := c.Exec(ctx, `ALTER TABLE timeline_events DISABLE TRIGGER timeline_events_no_update`); err != nil {
		t.Fatal(err)
	}
	for _, tamper := range []string{
		`UPDATE timeline_events SET data = replace(data, '}', ',"approved_by":"U9"}') WHERE seq = 1`,
		`UPDATE timeline_events SET data = '{"text":"first","users":["U2"]}' WHERE seq = 1`,
	} {
		if _, err := c.Exec(ctx, tamper); err != nil {
			t.Fatal(err)
		}
		evs := events()
		if b := incident.VerifyChain(evs); b == nil || b.Event.Seq != 1 || evs[0].Data.Text != "first" {
			t.Errorf("%s: chain break %+v", tamper, b)
		}
	}
}
