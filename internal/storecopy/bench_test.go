package storecopy

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// bigSource writes a migrated SQLite database of incidents incidents with events events
// between them, each a note of the size of a real one, hash-chained as the bot chains them,
// and as many delivered effects.
func bigSource(tb testing.TB, incidents, events int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "big.db")
	openSQLite(tb, path).Close()
	db := rawWriter(tb, path)
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	for i := 1; i <= incidents; i++ {
		if _, err := tx.Exec(`INSERT INTO incidents (id, number, title, severity, status, declared_by, commander, declared_at, channel_id)
			VALUES (?, ?, ?, 'P1', 'investigating', 'U0ALICE', 'U0ALICE', '2026-12-01T12:00:00.000Z', ?)`, i, i, fmt.Sprintf("incident %d", i), fmt.Sprintf("C%07d", i)); err != nil {
			tb.Fatal(err)
		}
	}
	ev, err := tx.Prepare(`INSERT INTO timeline_events (id, incident_id, seq, at, actor, kind, format, text, data, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	eff, err := tx.Prepare(`INSERT INTO effects (id, incident_id, kind, key, payload, state, attempts, next_attempt_at, created_at, lane, lane_rank)
		VALUES (?, ?, 'post', ?, ?, 'done', 1, ?, ?, ?, 1)`)
	if err != nil {
		tb.Fatal(err)
	}
	last := make([]*incident.TimelineEvent, incidents+1)
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for x := 1; x <= events; x++ {
		inc := 1 + (x-1)%incidents
		e := &incident.TimelineEvent{ID: int64(x), IncidentID: int64(inc), Actor: "U0ALICE", Kind: incident.EventNote,
			Data: incident.EventData{Text: fmt.Sprintf("note %d: the replica in us-west-2 is 40 s behind — “lag” 🔥; failing over to <#C0000001>", x)}}
		e.Chain(last[inc], start.Add(time.Duration(x)*time.Millisecond))
		last[inc] = e
		if _, err := ev.Exec(e.ID, e.IncidentID, e.Seq, incident.FormatTime(e.At), e.Actor, string(e.Kind), e.Format, e.DataJSON, e.PrevHash, e.Hash); err != nil {
			tb.Fatal(err)
		}
		if _, err := eff.Exec(x, inc, fmt.Sprintf("k%d", x), fmt.Sprintf(`{"text":"post %d of a hundred or so bytes, like the bot's own"}`, x),
			e.At.UnixMilli(), e.At.UnixMilli(), fmt.Sprintf("incident:%d", inc)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkMigrate copies 50,000 events and 50,000 effects of 100 incidents (compared row
// by row, committed, counted again), then verifies every chain on the copy through the
// PostgreSQL store, as the command does. See the rows/s and verify-s metrics.
func BenchmarkMigrate(b *testing.B) {
	path := bigSource(b, 100, 50_000)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url := pgtest.New(b)
		b.StartTimer()
		rep := migrate(b, path, url)
		if rep.Rows("timeline_events") != 50_000 || rep.Rows("effects") != 50_000 {
			b.Fatalf("copied %s", rep.Summary())
		}
		began := time.Now()
		dst := openPostgres(b, url)
		for id := int64(1); id <= 100; id++ {
			var evs []incident.TimelineEvent
			if err := dst.View(ctx, func(tx incident.Tx) (err error) { evs, err = tx.Events(id); return err }); err != nil {
				b.Fatal(err)
			}
			if brk := incident.VerifyChain(evs); brk != nil || len(evs) != 500 {
				b.Fatalf("incident %d: %d events, broken %+v", id, len(evs), brk)
			}
		}
		b.ReportMetric(float64(rep.Rows("timeline_events")+rep.Rows("effects"))/rep.Elapsed.Seconds(), "rows/s")
		b.ReportMetric(rep.Elapsed.Seconds(), "migrate-s")
		b.ReportMetric(time.Since(began).Seconds(), "verify-s")
	}
}
