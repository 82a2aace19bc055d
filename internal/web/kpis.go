package web

import (
	"fmt"
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
	BreakGlass                                   int    // approvals the commander gave alone
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
		Improvements: incident.Rate(k.FollowupsOnTime, k.FollowupsDue), BreakGlass: k.BreakGlass}
	if kind == "Drill" {
		r.DrillSuccess = incident.Rate(k.Succeeded, k.Tested)
	}
	return r
}
