package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
)

// benchHistories are the histories the page benchmarks read: a baseline of 100 incidents
// (10 open, 100 events each) and a long one. The long one is 1,000 incidents (100 open)
// and 22,000 events by default; with INCIDENTBOT_BENCH_SCALE=full it is the issue's
// 10,000 incidents (100 open) and 1,000,000 events (99 each and 10,000 more in the newest
// open one), one incident every 53 minutes (a year; about 800 in the KPIs' 30 days).
// Set INCIDENTBOT_BENCH_DIR to keep the written files there for the next run (the full
// one takes about a minute to write).
func benchHistories() map[string]history {
	long := history{Incidents: 1000, Open: 100, Each: 20, Big: 2000, Spacing: 53 * time.Minute}
	if os.Getenv("INCIDENTBOT_BENCH_SCALE") == "full" {
		long = history{Incidents: 10_000, Open: 100, Each: 99, Big: 10_000, Spacing: 53 * time.Minute}
	}
	return map[string]history{
		"incidents=100": {Incidents: 100, Open: 10, Each: 100, Spacing: 53 * time.Minute},
		fmt.Sprintf("incidents=%d", long.Incidents): long,
	}
}

// timed runs fn b.N times and reports the 50th and 99th percentiles of its durations.
func timed(b *testing.B, fn func() error) {
	b.Helper()
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	pct := func(p float64) float64 {
		return float64(took[min(len(took)-1, int(p*float64(len(took))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// page is a GET of one page that must answer 200.
func page(h http.Handler, path string) func() error {
	return func() error {
		if code, body := get(h, path); code != 200 {
			return fmt.Errorf("GET %s: %d %.200s", path, code, body)
		}
		return nil
	}
}

// BenchmarkPages times the read pages (each served whole, through the handler, without
// the network) and App Home's read and render, at the baseline and the long history; the
// old-* cases time the reads the pages made before they read a page at a time (their
// rendering not included), still reachable through the Service.
//
//	go test -run '^$' -bench BenchmarkPages -benchtime 200x ./internal/web
func BenchmarkPages(b *testing.B) {
	for _, name := range []string{"incidents=100", "incidents=1000", "incidents=10000"} {
		h, ok := benchHistories()[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			svc := h.open(b)
			pages := pagesOf(svc)
			ctx := b.Context()
			big := fmt.Sprintf("/incidents/INC-%d", h.big())
			total := h.Each + h.Big
			deep := fmt.Sprintf("/?after=r%d", h.Incidents/10+1) // near the end of the resolved ones
			for _, c := range []struct {
				name string
				fn   func() error
			}{
				{"dashboard", page(pages, "/")},
				{"dashboard-deep-page", page(pages, deep)},
				{"status", page(pages, "/status")},
				{"incident-long", page(pages, big)},
				{"incident-long-latest", page(pages, fmt.Sprintf("%s?before=%d", big, total+1))},
				{"incident-typical", page(pages, fmt.Sprintf("/incidents/INC-%d", h.Incidents/2+1))},
				{"app-home", func() error {
					incs, open, err := svc.HomeIncidents(ctx, "U0TL1", views.MaxHomeIncidents)
					if err != nil {
						return err
					}
					_, err = json.Marshal(views.Home(incs, open, "U0TL1"))
					return err
				}},
				{"old-dashboard-reads", func() error {
					if _, err := svc.FindIncidents(ctx, incident.IncidentFilter{ResolvedLimit: 20}); err != nil {
						return err
					}
					_, err := svc.Stats(ctx, histNow.Add(-30*24*time.Hour))
					return err
				}},
				{"old-status-reads", func() error {
					incs, err := svc.FindIncidents(ctx, incident.IncidentFilter{Open: new(true)})
					for _, inc := range incs {
						if _, err := svc.Events(ctx, incident.EventFilter{IncidentID: inc.ID, Kinds: []incident.EventKind{incident.EventStatusUpdate}}); err != nil {
							return err
						}
					}
					return err
				}},
				{"old-incident-long-reads", func() error {
					inc, err := svc.FindIncidentByNumber(ctx, h.big())
					if err == nil {
						_, err = svc.Timeline(ctx, inc.ID)
					}
					return err
				}},
				{"old-app-home-reads", func() error {
					_, err := svc.FindIncidents(ctx, incident.IncidentFilter{Open: new(true)})
					return err
				}},
			} {
				b.Run(c.name, func(b *testing.B) { timed(b, c.fn) })
			}
		})
	}
}
