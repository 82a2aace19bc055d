package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
)

// TestTimelineVerifyScale measures timeline verify: many incidents (by default 20 of 100
// events; with INCIDENTBOT_VERIFY_SCALE=1, 10,000 of 100, a million events), and one big
// incident (2,000 events; 200,000 at scale) verified both by loading its whole timeline, as
// verify did before it streamed, and by the stream. It logs the time and the heap held
// (peak HeapInuse above the heap before, and TotalAlloc) of each, and the peak RSS of the
// real binary on both databases. It checks every verdict, never a time. Building the
// million events takes about a minute; INCIDENTBOT_VERIFY_DIR keeps the databases there
// for the next run (and for BenchmarkTimelineVerify):
//
//	INCIDENTBOT_VERIFY_SCALE=1 INCIDENTBOT_VERIFY_DIR=/tmp/verify-dbs go test -p 2 -count=1 -run TestTimelineVerifyScale -v ./cmd/incidentbot
func TestTimelineVerifyScale(t *testing.T) {
	incidents, each, big := 20, 100, 2_000
	if os.Getenv("INCIDENTBOT_VERIFY_SCALE") != "" {
		incidents, big = 10_000, 200_000
	}
	ctx := context.Background()
	dir := t.TempDir()
	if keep := os.Getenv("INCIDENTBOT_VERIFY_DIR"); keep != "" {
		dir = keep // the databases are kept there, and built only when missing
	}
	many := filepath.Join(dir, fmt.Sprintf("many-%dx%d.db", incidents, each))
	one := filepath.Join(dir, fmt.Sprintf("one-%d.db", big))
	for _, s := range []struct {
		path      string
		incidents int
		each      int
	}{{many, incidents, each}, {one, 1, big}} {
		if _, err := os.Stat(s.path); err == nil {
			continue
		}
		took := time.Now()
		seedTimelines(t, s.path+".part", s.incidents, s.each)
		if err := os.Rename(s.path+".part", s.path); err != nil {
			t.Fatal(err)
		}
		t.Logf("built %s: %d incidents of %d events in %s", filepath.Base(s.path), s.incidents, s.each, time.Since(took).Round(time.Millisecond))
	}

	stream := func(db incident.Store, report func(string)) (int, int, error) {
		return verifyTimelines(ctx, db, report)
	}
	loadAll := func(db incident.Store, report func(string)) (int, int, error) {
		return verifyByLoadingTimelines(ctx, db, report)
	}
	for _, r := range []struct {
		name   string
		path   string
		verify func(incident.Store, func(string)) (int, int, error)
		total  int
		events int
	}{
		{"stream, many incidents", many, stream, incidents, each},
		{"load all, one incident", one, loadAll, 1, big},
		{"stream, one incident", one, stream, 1, big},
	} {
		db, err := sqlite.Open(ctx, r.path)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		var broken, total int
		m := measure(func() { broken, total, err = r.verify(db, func(l string) { lines = append(lines, l) }) })
		db.Close()
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		t.Logf("%-24s %8d events: %8s, heap held %6.1f MB (TotalAlloc %7.1f MB)", r.name, r.total*r.events,
			m.elapsed.Round(time.Millisecond), mb(m.peakHeap), mb(m.allocated))
		wantLines := make([]string, r.total)
		for i := range wantLines {
			wantLines[i] = fmt.Sprintf("INC-%d: ok (%d events)", i+1, r.events)
		}
		if broken != 0 || total != r.total || !slices.Equal(lines, wantLines) {
			t.Errorf("%s: %d broken of %d, want 0 of %d; first lines %q", r.name, broken, total, r.total, lines[:min(3, len(lines))])
		}
	}

	for _, path := range []string{many, one} {
		cmd := exec.Command(binary, "timeline", "verify")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "INCIDENTBOT_DB=" + path}
		var out bytes.Buffer
		cmd.Stdout = &out
		took := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		hwm := watchHighWater(cmd.Process.Pid)
		err := cmd.Wait()
		elapsed := time.Since(took)
		rss := hwm()
		if err != nil {
			t.Fatalf("incidentbot timeline verify on %s: %v\n%s", path, err, tail(out.Bytes()))
		}
		want := fmt.Sprintf("%d incidents checked, 0 broken\n", incidents)
		if path == one {
			want = "1 incidents checked, 0 broken\n"
		}
		if got := string(tail(out.Bytes())); got != want {
			t.Errorf("incidentbot timeline verify on %s ends %q, want %q", path, got, want)
		}
		t.Logf("binary on %-8s %s, peak RSS %.1f MB (VmHWM)", filepath.Base(path)+":", elapsed.Round(time.Millisecond), mb(rss))
	}
}

// verifyByLoadingTimelines is timeline verify as it was before it streamed: each incident's
// whole timeline loaded, then checked. The baseline of TestTimelineVerifyScale.
func verifyByLoadingTimelines(ctx context.Context, db incident.Store, report func(string)) (broken, total int, err error) {
	svc := incident.NewService(incident.ServiceConfig{Store: db})
	incs, err := svc.FindIncidents(ctx, incident.IncidentFilter{})
	if err != nil {
		return 0, 0, err
	}
	for _, inc := range slices.Backward(incs) {
		evs, err := svc.Timeline(ctx, inc.ID)
		if err != nil {
			return broken, total, err
		}
		total++
		if b := incident.VerifyChain(evs); b != nil {
			broken++
			report(fmt.Sprintf("%s: BROKEN at event #%d: %s", inc.Key(), b.Event.Seq, b.Reason))
			continue
		}
		report(fmt.Sprintf("%s: ok (%d events)", inc.Key(), len(evs)))
	}
	return broken, total, nil
}

// seedTimelines writes a SQLite database at path with incidents incidents of each valid,
// chained events, through the Store in transactions of about 100,000 events.
func seedTimelines(t *testing.T, path string, incidents, each int) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	perTx := max(1, 100_000/each)
	for first := 1; first <= incidents; first += perTx {
		err := db.Update(ctx, func(tx incident.Tx) error {
			for n := first; n < first+perTx && n <= incidents; n++ {
				inc := &incident.Incident{Number: n, Title: fmt.Sprintf("incident %d", n), Severity: incident.P2, Status: incident.StatusResolved,
					DeclaredBy: "U0ALICE", Commander: "U0ALICE", DeclaredAt: start.Add(time.Duration(n) * time.Minute), RPOAchieved: -1}
				if err := tx.CreateIncident(inc); err != nil {
					return err
				}
				var evs [2]incident.TimelineEvent // this one and the one before
				for i := range each {
					e, prev := &evs[i%2], &evs[(i+1)%2]
					*e = incident.TimelineEvent{IncidentID: inc.ID, Actor: "U0ALICE", Kind: incident.EventNote,
						Data: incident.EventData{Text: fmt.Sprintf("note %d of incident %d", i+1, n), Users: []string{"U0BOB"}}}
					if i == 0 {
						prev = nil
					}
					e.Chain(prev, inc.DeclaredAt.Add(time.Duration(i)*time.Second))
					if err := tx.InsertEvent(e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// measured is what measure saw of a run.
type measured struct {
	elapsed   time.Duration
	peakHeap  uint64 // the highest HeapInuse sampled, above HeapInuse before the run
	allocated uint64 // TotalAlloc during the run
}

// measure runs fn, sampling the heap every few milliseconds.
func measure(fn func()) measured {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var (
		peak uint64
		stop = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	took := time.Now()
	fn()
	elapsed := time.Since(took)
	close(stop)
	wg.Wait()
	sample()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return measured{elapsed: elapsed, peakHeap: peak - min(peak, before.HeapInuse), allocated: after.TotalAlloc - before.TotalAlloc}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// tail returns the last line of out, with its newline.
func tail(out []byte) []byte {
	return out[bytes.LastIndexByte(out[:max(0, len(out)-1)], '\n')+1:]
}

// watchHighWater polls the peak RSS (VmHWM) of process pid until the returned function is
// called, which returns the last value read, in bytes. (The rusage of a child is no use:
// its peak counts the parent's memory it shared before exec.)
func watchHighWater(pid int) func() uint64 {
	var (
		mu   sync.Mutex
		peak uint64
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
				for _, l := range strings.Split(string(b), "\n") {
					if f := strings.Fields(l); len(f) == 3 && f[0] == "VmHWM:" {
						if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
							mu.Lock()
							peak = max(peak, kb<<10)
							mu.Unlock()
						}
					}
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// BenchmarkTimelineVerify runs timeline verify's check on the SQLite database named by
// INCIDENTBOT_VERIFY_DB (one TestTimelineVerifyScale kept in INCIDENTBOT_VERIFY_DIR, say):
//
//	INCIDENTBOT_VERIFY_DB=/tmp/verify-dbs/many-10000x100.db go test -run XXX -bench TimelineVerify -benchtime 1x ./cmd/incidentbot
func BenchmarkTimelineVerify(b *testing.B) {
	path := os.Getenv("INCIDENTBOT_VERIFY_DB")
	if path == "" {
		b.Skip("INCIDENTBOT_VERIFY_DB names no database")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ReportAllocs()
	for b.Loop() {
		broken, _, err := verifyTimelines(ctx, db, func(string) {})
		if err != nil || broken != 0 {
			b.Fatalf("%d broken, %v", broken, err)
		}
	}
}
