package pagerduty_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/pagerduty"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// stormServices are the services of the storm: storm-00 ... storm-19, on PagerDuty
// services PSTORM00 ... PSTORM19.
const stormServices = 20

func withStormServices(window time.Duration) testenv.Option {
	return testenv.WithConfig(func(c *config.Config) {
		for i := range stormServices {
			c.Services[fmt.Sprintf("storm-%02d", i)] = config.Service{Tier: 2, PagerDutyService: fmt.Sprintf("PSTORM%02d", i)}
		}
		c.PagerDuty.JoinWindow = config.Duration(window)
	})
}

// delivery is one signed webhook delivery.
type delivery struct {
	id   string // X-Webhook-Id
	body []byte
	pd   string // the PagerDuty incident it triggers
}

// replica is one bot (a System) behind its own webhook handler.
type replica struct {
	sys *testenv.System
	url string
}

func newReplica(t *testing.T, db string, window time.Duration) replica {
	opts := []testenv.Option{testenv.WithPagerDuty(), withStormServices(window)}
	if db != "" {
		opts = append(opts, testenv.WithConfig(func(c *config.Config) { c.Database.URL = config.Secret(db) }))
	}
	sys := testenv.NewSystem(t, opts...)
	srv := httptest.NewServer(&pagerduty.Webhook{Secret: testenv.PagerDutyWebhookSecret, Ingest: sys.Service.IngestPagerEvent, Log: slog.New(slog.DiscardHandler)})
	t.Cleanup(srv.Close)
	return replica{sys: sys, url: srv.URL}
}

// stormDeliveries makes triggers (1,000 in the storm) of 70% as many PagerDuty incidents on
// the 20 services, in a shuffled order: 30% are redeliveries, half of them the same
// delivery again (its webhook ID and event), half the same PagerDuty incident in a
// delivery of its own (a second subscription, say).
func stormDeliveries(t *testing.T, pd *testenv.PagerDuty, rng *rand.Rand, triggers int) (all []delivery, distinct []string) {
	redeliveries := triggers * 3 / 10
	var firsts []delivery
	for i := range triggers - redeliveries {
		svc := i % stormServices
		inc := pd.AddIncident(fmt.Sprintf("storm-%02d: alert %d", svc, i), fmt.Sprintf("PSTORM%02d", svc), "high")
		d := delivery{id: fmt.Sprintf("w-%d", i), pd: inc.ID, body: testenv.WebhookBody(fmt.Sprintf("ev-%d", i), "incident.triggered", "PagerDuty", inc, "P3")}
		firsts = append(firsts, d)
		distinct = append(distinct, inc.ID)
	}
	all = append(all, firsts...)
	for i := range redeliveries {
		d := firsts[rng.IntN(len(firsts))]
		if i%2 == 1 { // the same PagerDuty incident, delivered anew
			var inc testenv.PDIncident
			for _, p := range pd.Incidents() {
				if p.ID == d.pd {
					inc = p
				}
			}
			d = delivery{id: fmt.Sprintf("w-again-%d", i), pd: inc.ID, body: testenv.WebhookBody(fmt.Sprintf("ev-again-%d", i), "incident.triggered", "PagerDuty", inc, "P3")}
		}
		all = append(all, d)
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all, distinct
}

// storm sends the deliveries through the replicas' HTTP handlers from 8 senders at once,
// each to the next replica in turn, advancing every replica's clock 10 ms per delivery
// (1,000 in 10 s). Every answer must be 202.
func storm(t *testing.T, replicas []replica, all []delivery) {
	t.Helper()
	work := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r := replicas[i%len(replicas)]
				for _, rr := range replicas {
					rr.sys.Clock.Advance(10 * time.Millisecond / time.Duration(len(replicas)))
				}
				d := all[i]
				status, err := testenv.SendWebhook(http.DefaultClient, r.url, testenv.PagerDutyWebhookSecret, d.id, d.body)
				if err != nil || status != http.StatusAccepted {
					t.Errorf("delivery %s: %d %v", d.id, status, err)
				}
			}
		}()
	}
	for i := range all {
		work <- i
	}
	close(work)
	wg.Wait()
}

// ledger is what the store holds of the storm: every incident with its pages and its
// timeline, for comparing before and after redeliveries.
type ledger struct {
	incidents []incident.Incident
	pages     map[int64][]incident.Page
	events    map[int64]int
}

func readLedger(t *testing.T, store incident.Store) ledger {
	t.Helper()
	l := ledger{pages: map[int64][]incident.Page{}, events: map[int64]int{}}
	err := store.View(context.Background(), func(tx incident.Tx) error {
		ids, err := tx.IncidentIDs()
		if err != nil {
			return err
		}
		for _, id := range ids {
			inc, err := tx.Incident(id)
			if err != nil {
				return err
			}
			l.incidents = append(l.incidents, *inc)
			if l.pages[id], err = tx.Pages(id); err != nil {
				return err
			}
			evs, err := tx.Events(id)
			if err != nil {
				return err
			}
			l.events[id] = len(evs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// The storm of the issue: 1,000 triggers for 20 services in 10 s, 30% of them
// redeliveries, through the real handler with signed bodies, on SQLite and on PostgreSQL
// with two replicas taking deliveries at once. Exactly one incident per service; every
// distinct PagerDuty incident is the one that declared or a page linked to its service's
// incident, once; sending every delivery again changes nothing; the channel is told a few
// times per incident, not once per alert.
func TestAlertStormJoinsOneIncidentPerService(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			replicas := []replica{}
			if backend == "sqlite" {
				replicas = append(replicas, newReplica(t, "", time.Hour))
			} else {
				url := pgtest.New(t)
				replicas = append(replicas, newReplica(t, url, time.Hour), newReplica(t, url, time.Hour))
			}
			sys := replicas[0].sys
			all, distinct := stormDeliveries(t, sys.PD, rand.New(rand.NewPCG(14, 1)), 1000)
			storm(t, replicas, all)

			l := readLedger(t, sys.Store)
			if len(l.incidents) != stormServices {
				t.Fatalf("%d incidents, want %d (one per service)", len(l.incidents), stormServices)
			}
			where := map[string]int64{} // PagerDuty incident -> our incident
			byService := map[string]int64{}
			for _, inc := range l.incidents {
				if other, dup := byService[inc.Service]; dup {
					t.Errorf("%s has incidents %d and %d", inc.Service, other, inc.ID)
				}
				byService[inc.Service] = inc.ID
				if inc.PagerDutyID == "" {
					t.Errorf("incident %d was not declared by PagerDuty", inc.ID)
				}
				where[inc.PagerDutyID] = inc.ID
				for _, p := range l.pages[inc.ID] {
					if !p.Joined() {
						continue
					}
					if was, dup := where[p.PagerID]; dup {
						t.Errorf("PagerDuty incident %s is linked to incident %d and again to %d", p.PagerID, was, inc.ID)
					}
					where[p.PagerID] = inc.ID
				}
			}
			pdService := map[string]string{}
			for _, p := range sys.PD.Incidents() {
				pdService[p.ID] = p.Service
			}
			for _, id := range distinct {
				got, ok := where[id]
				if !ok {
					t.Errorf("PagerDuty incident %s is accounted for nowhere", id)
					continue
				}
				svc := "storm-" + strings.TrimPrefix(pdService[id], "PSTORM")
				if byService[svc] != got {
					t.Errorf("PagerDuty incident %s of %s is on incident %d, want %d", id, svc, got, byService[svc])
				}
			}
			if len(where) != len(distinct) {
				t.Errorf("%d PagerDuty incidents linked, want %d", len(where), len(distinct))
			}
			joined := map[int64]int{}
			for _, inc := range l.incidents {
				for _, e := range sys.Events(inc.ID) {
					if e.Kind == incident.EventPagerJoined {
						joined[inc.ID]++
					}
				}
				if want := len(l.pages[inc.ID]) - paged(l.pages[inc.ID]); joined[inc.ID] != want {
					t.Errorf("incident %d: %d pager_joined events, %d joined pages", inc.ID, joined[inc.ID], want)
				}
			}

			// Every delivery again, at once: nothing changes.
			storm(t, replicas, all)
			if again := readLedger(t, sys.Store); !sameLedger(l, again) {
				t.Errorf("redelivering the storm changed the store")
			}

			// The effects: one channel per service, and a few notices of joined alerts.
			for _, r := range replicas {
				r.sys.Clock.Advance(2 * incident.JoinNoticeEvery)
			}
			sys.Deliver()
			if n := len(sys.Slack.Channels()); n != stormServices {
				t.Errorf("%d channels, want %d", n, stormServices)
			}
			for _, inc := range l.incidents {
				notices, told := 0, 0
				for _, e := range sys.Events(inc.ID) {
					if e.Kind == incident.EventPagerJoined && e.Data.How == incident.JoinedNotice {
						notices++
						told += e.Data.Count
					}
				}
				joinedAlerts := len(l.pages[inc.ID]) - paged(l.pages[inc.ID])
				// 10 s of storm in 5 s windows: three windows at most, each told once.
				if notices == 0 || notices > 3 || told != joinedAlerts {
					t.Errorf("incident %d: %d notices telling of %d joined alerts, want 1 to 3 telling of %d", inc.ID, notices, told, joinedAlerts)
				}
			}

			// Resolving an incident resolves, through the PagerDuty fake, the PagerDuty
			// incident that declared it and every one that joined it.
			first := sys.Incident(l.incidents[0].ID)
			if _, err := sys.Service.Resolve(sys.Ctx, "U0ALICE", first.ChannelID, "storm over"); err != nil {
				t.Fatal(err)
			}
			sys.Deliver()
			status := map[string]string{}
			for _, p := range sys.PD.Incidents() {
				status[p.ID] = p.Status
			}
			resolved := 0
			for id, on := range where {
				switch {
				case on == first.ID && status[id] != "resolved":
					t.Errorf("PagerDuty incident %s of the resolved incident is %s", id, status[id])
				case on == first.ID:
					resolved++
				case status[id] != "triggered":
					t.Errorf("PagerDuty incident %s of an open incident is %s", id, status[id])
				}
			}
			if want := len(l.pages[first.ID]) + 1; resolved != want {
				t.Errorf("%d PagerDuty incidents resolved with incident %d, want %d", resolved, first.ID, want)
			}
		})
	}
}

// paged counts the pages the bot sent (not joined PagerDuty incidents).
func paged(pages []incident.Page) int {
	n := 0
	for _, p := range pages {
		if !p.Joined() {
			n++
		}
	}
	return n
}

func sameLedger(a, b ledger) bool {
	if len(a.incidents) != len(b.incidents) {
		return false
	}
	for i, inc := range a.incidents {
		if b.incidents[i].ID != inc.ID || len(a.pages[inc.ID]) != len(b.pages[inc.ID]) || a.events[inc.ID] != b.events[inc.ID] {
			return false
		}
	}
	return true
}

// With joining off (join_window: 0) a storm (300 triggers: each distinct one declares, with
// its channel and pages, so fewer keep the test quick) makes one incident per distinct
// PagerDuty incident, redeliveries still changing nothing.
func TestAlertStormWithoutJoiningDeclaresEach(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := ""
			if backend == "postgres" {
				db = pgtest.New(t)
			}
			r := newReplica(t, db, 0)
			all, distinct := stormDeliveries(t, r.sys.PD, rand.New(rand.NewPCG(14, 0)), 300) // each declares: a smaller storm

			storm(t, []replica{r}, all)
			l := readLedger(t, r.sys.Store)
			if len(l.incidents) != len(distinct) {
				t.Fatalf("%d incidents, want %d", len(l.incidents), len(distinct))
			}
			for _, inc := range l.incidents {
				if n := len(l.pages[inc.ID]) - paged(l.pages[inc.ID]); n != 0 {
					t.Errorf("incident %d has %d joined PagerDuty incidents", inc.ID, n)
				}
			}
		})
	}
}
