package web

import "github.com/nephoran/incidentbot/internal/incident"

// KPIChart is one row of the dashboard's KPI charts as SVG, for the tests.
type KPIChart struct{ Name, Real, Drill string }

// KPICharts draws the dashboard's KPI charts of months, for the tests.
func KPICharts(months []incident.MonthKPIs) []KPIChart {
	var out []KPIChart
	for _, r := range kpiCharts(months) {
		out = append(out, KPIChart{Name: r.Name, Real: string(r.Real.SVG()), Drill: string(r.Drill.SVG())})
	}
	return out
}
