package web

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// kpiPeriod is the period the dashboard's KPIs cover.
const kpiPeriod = 30 * 24 * time.Hour

// kpiRow is one line of the dashboard's KPI table.
type kpiRow struct {
	Kind, Scope                                  string
	Count, Resolved                              int
	MTTA, MTTR, RTO, RPO, DrillSuccess, Followup string
	Improvements                                 string // follow-ups done within 30 days
}

// kpiRows flattens the stats into table rows: real incidents, then drills; each overall,
// then per tier, then per scenario.
func kpiRows(st *incident.Stats) []kpiRow {
	var rows []kpiRow
	for _, g := range []struct {
		kind  string
		group *incident.StatsGroup
	}{{"Real", &st.Real}, {"Drill", &st.Drill}} {
		rows = append(rows, newKPIRow(g.kind, "all", &g.group.All))
		for _, t := range g.group.Tiers() {
			scope := fmt.Sprintf("tier %d", t)
			if t == 0 {
				scope = "no service"
			}
			rows = append(rows, newKPIRow(g.kind, scope, g.group.ByTier[t]))
		}
		for _, n := range g.group.Scenarios() {
			rows = append(rows, newKPIRow(g.kind, n, g.group.ByScenario[n]))
		}
	}
	return rows
}

func newKPIRow(kind, scope string, k *incident.KPIs) kpiRow {
	r := kpiRow{Kind: kind, Scope: scope, Count: k.Count, Resolved: k.Resolved,
		MTTA: incident.Mean(k.MTTA, k.Acked), MTTR: incident.Mean(k.MTTR, k.Recovered),
		RTO: incident.Rate(k.RTOMet, k.RTOOf), RPO: incident.Rate(k.RPOMet, k.RPOOf),
		DrillSuccess: "", Followup: incident.Rate(k.FollowupsFiled, k.Followups),
		Improvements: incident.Rate(k.FollowupsOnTime, k.FollowupsDue)}
	if kind == "Drill" {
		r.DrillSuccess = incident.Rate(k.Succeeded, k.Tested)
	}
	return r
}

// kpiFresh is how old the dashboard's KPIs may get before a load refreshes them: a load
// shows the last ones computed and, when they are older than this, computes them anew
// after answering, for the next loads. Computing them reads every incident of the period.
const kpiFresh = 15 * time.Second

// kpiDrift is how far the Service's clock may move away from the wall clock between two
// loads before the KPIs are computed anew before answering: a clock that is not the wall
// clock (a test's) jumped, or stood still.
const kpiDrift = time.Minute

// kpiCache keeps the dashboard's KPIs between loads.
type kpiCache struct {
	mu         sync.Mutex
	st         *incident.Stats
	wall, now  time.Time // when they were computed, by the wall clock and the Service's
	refreshing bool
}

// get returns the KPIs of the period before now: the kept ones while they are fresh
// enough, refreshed after answering when they are older than kpiFresh.
func (c *kpiCache) get(ctx context.Context, svc *incident.Service, log *slog.Logger, now time.Time) (*incident.Stats, error) {
	c.mu.Lock()
	st, age := c.st, time.Since(c.wall)
	drift := now.Sub(c.now) - age
	if st != nil && drift < kpiDrift && drift > -kpiDrift {
		if age > kpiFresh && !c.refreshing {
			c.refreshing = true
			go func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				if _, err := c.compute(ctx, svc, svc.Now()); err != nil {
					log.Warn("refresh the dashboard's KPIs", "err", err)
				}
			}()
		}
		c.mu.Unlock()
		return st, nil
	}
	c.mu.Unlock()
	return c.compute(ctx, svc, now)
}

func (c *kpiCache) compute(ctx context.Context, svc *incident.Service, now time.Time) (*incident.Stats, error) {
	wall := time.Now()
	st, err := svc.Stats(ctx, now.Add(-kpiPeriod))
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err != nil {
		return nil, err
	}
	if c.st == nil || wall.After(c.wall) {
		c.st, c.wall, c.now = st, wall, now
	}
	return st, nil
}
