package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/web"
)

// history is the shape of a long history written straight into a store, as the paging
// tests and the benchmarks need it: Incidents incidents one every Spacing up to Now (the
// Open newest open, the others resolved; every 10th private, every 15th a drill), Each
// events in each incident's timeline (every 10th a status update for the status page),
// and Big more in the newest public open one.
type history struct {
	Incidents, Open, Each, Big int
	Spacing                    time.Duration
}

// histNow is the time the history ends at; the pages are read at it.
var histNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// histCatalog is the services the history's incidents affect.
var histCatalog = incident.Catalog{
	"intent-processing": {Tier: 1, HourlyImpact: map[string]float64{"large-enterprise": 125000}},
	"api-gateway":       {Tier: 2}, "analytics": {Tier: 3},
}

// big is the number of the incident with Big more events: the newest public open one.
func (h history) big() int {
	n := h.Incidents
	for n%10 == 0 {
		n--
	}
	return n
}

func (h history) declared(n int) time.Time {
	return histNow.Add(-time.Duration(h.Incidents-n) * h.Spacing).Add(-time.Minute)
}

// write writes the history into the SQLite file at path, in transactions of about 100,000
// events (bulk, as seedTimelines in cmd/incidentbot does).
func (h history) write(tb testing.TB, path string) {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	services := [][]string{{"intent-processing"}, {"api-gateway", "analytics"}, {"analytics"}, nil}
	perTx := max(1, 100_000/max(1, h.Each))
	for first := 1; first <= h.Incidents; first += perTx {
		err := db.Update(ctx, func(tx incident.Tx) error {
			for n := first; n < first+perTx && n <= h.Incidents; n++ {
				declared := h.declared(n)
				inc := &incident.Incident{Number: n, Title: fmt.Sprintf("incident %d", n), Severity: incident.Severity(fmt.Sprintf("P%d", n%4)),
					Status: incident.StatusResolved, DeclaredBy: "U0ALICE", Commander: fmt.Sprintf("U0IC%d", n%7), DeclaredAt: declared,
					Services: services[n%4], Private: n%10 == 0, Drill: n%15 == 0, RPOAchieved: -1, ChannelID: fmt.Sprintf("C%07d", n),
					AckedAt: declared.Add(2 * time.Minute), MitigatedAt: declared.Add(20 * time.Minute), ResolvedAt: declared.Add(time.Hour),
					Roles: map[incident.Role]incident.RoleState{incident.RoleTechnicalLead: {Holder: fmt.Sprintf("U0TL%d", n%5)}}}
				if len(inc.Services) > 0 {
					inc.Service = inc.Services[0]
				}
				if n > h.Incidents-h.Open {
					inc.Status, inc.MitigatedAt, inc.ResolvedAt = incident.StatusInvestigating, time.Time{}, time.Time{}
				}
				if err := tx.CreateIncident(inc); err != nil {
					return err
				}
				each := h.Each
				if n == h.big() && h.Open > 0 {
					each += h.Big
				}
				var evs [2]incident.TimelineEvent // this one and the one before
				for i := range each {
					e, prev := &evs[i%2], &evs[(i+1)%2]
					*e = incident.TimelineEvent{IncidentID: inc.ID, Actor: "U0ALICE", Kind: incident.EventNote,
						Data: incident.EventData{Text: fmt.Sprintf("note %d of incident %d", i+1, n)}}
					if i%10 == 9 {
						e.Kind, e.Data = incident.EventStatusUpdate, incident.EventData{Text: fmt.Sprintf("update %d of incident %d", i+1, n),
							Audiences: []string{incident.AudienceStatusPage}}
					}
					if i == 0 {
						prev = nil
					}
					e.Chain(prev, declared.Add(time.Duration(i)*time.Second))
					if err := tx.InsertEvent(e); err != nil {
						return err
					}
				}
				if n%5 == 0 {
					if err := tx.InsertFollowup(&incident.Followup{IncidentID: inc.ID, Text: "fix it", CreatedBy: "U0ALICE", CreatedAt: declared.Add(time.Hour)}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// open opens a copy of the history: the one cached under $INCIDENTBOT_BENCH_DIR when it
// is set (written there the first time), else one written into a temporary directory.
func (h history) open(tb testing.TB) *incident.Service {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "history.db")
	if dir := os.Getenv("INCIDENTBOT_BENCH_DIR"); dir != "" {
		cached := filepath.Join(dir, fmt.Sprintf("pages-v1-%d-%d-%d-%d-%s.db", h.Incidents, h.Open, h.Each, h.Big, h.Spacing))
		if _, err := os.Stat(cached); err != nil {
			tmp := cached + ".tmp"
			os.Remove(tmp)
			h.write(tb, tmp)
			if err := os.Rename(tmp, cached); err != nil {
				tb.Fatal(err)
			}
		}
		path = cached
	} else {
		h.write(tb, path)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return incident.NewService(incident.ServiceConfig{Store: db, Clock: fixedClock(histNow), Settings: incident.Settings{Catalog: histCatalog},
		Log: slog.New(slog.DiscardHandler)})
}

// fixedClock stays at one time.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// pagesOf serves svc's pages.
func pagesOf(svc *incident.Service) http.Handler {
	mux := http.NewServeMux()
	web.NewPages(svc, slog.New(slog.DiscardHandler)).Register(mux)
	return mux
}

// get serves one GET through h and returns its status and body.
func get(h http.Handler, path string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}
