//go:build unix

package postmortem_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postmortem"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// BenchmarkReview measures rendering a review as the outbox does (read what it shows from
// SQLite, then write it) for incidents of 100, 5,000 and 100,000 events: the first is the
// baseline in the same run. Figures: ns/op and p99-ms, the 99th percentile of the
// iterations.
//
//	go test -run XXX -bench BenchmarkReview -benchtime 200x ./internal/postmortem
func BenchmarkReview(b *testing.B) {
	w, err := postmortem.New("", []string{"postmortem"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, n := range []int{100, 5000, 100000} {
		db, inc := reviewFixture(b, n)
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			samples(b, func() {
				d, err := incident.LoadReview(ctx, db, inc, nil, inc.ResolvedAt)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := w.Write(d); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// samples runs fn b.N times and reports the 99th percentile of its durations, and the
// process's CPU time per run (user and system, every thread: GC included), which a busy
// machine inflates less than wall time.
func samples(b *testing.B, fn func()) {
	ds := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		fn()
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
}

// reviewFixture is a SQLite store holding one resolved incident with n events.
func reviewFixture(b *testing.B, n int) (*sqlite.DB, *incident.Incident) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	inc := testenv.SampleIncident()
	inc.ID, inc.Status = 0, incident.StatusResolved
	inc.MitigatedAt = inc.DeclaredAt.Add(time.Hour)
	inc.ResolvedAt = inc.DeclaredAt.Add(2 * time.Hour)
	if err := db.Update(ctx, func(tx incident.Tx) error { return tx.CreateIncident(inc) }); err != nil {
		b.Fatal(err)
	}
	testenv.AppendLongTimeline(b, db, inc.ID, n)
	return db, inc
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
