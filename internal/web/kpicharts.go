package web

import (
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// kpiMonths is how many months the dashboard's KPI charts cover, the current one last.
const kpiMonths = 12

// rtoTarget is the plan's RTO achievement target, drawn on its charts.
const rtoTarget = 0.95

// kpiChartRow is one KPI's charts: real incidents and drills side by side.
type kpiChartRow struct {
	Name        string
	Real, Drill *monthChart
}

// kpiCharts draws MTTA, MTTR and RTO achievement over the months, real incidents and drills
// apart. A month in which nothing was measured is a gap, and says why when hovered.
func kpiCharts(months []incident.MonthKPIs) []kpiChartRow {
	type measure struct {
		name  string
		value func(k *incident.KPIs) (float64, int, bool) // value, incidents measured, known
		title func(k *incident.KPIs, month string, v float64, count func(int) string) string
		chart monthChart
	}
	counter := func(one string) func(int) string {
		return func(n int) string {
			if n == 1 {
				return "1 " + one
			}
			return fmt.Sprintf("%d %ss", n, one)
		}
	}
	measures := []measure{
		{name: "MTTA", value: func(k *incident.KPIs) (float64, int, bool) { return float64(k.MTTA), k.Acked, k.Acked > 0 },
			title: func(k *incident.KPIs, month string, v float64, incidents func(int) string) string {
				return fmt.Sprintf("%s: MTTA %s over %s acknowledged", month, shortDuration(time.Duration(v)), incidents(k.Acked))
			},
			chart: monthChart{Label: durationLabel, Steps: durationSteps}},
		{name: "MTTR", value: func(k *incident.KPIs) (float64, int, bool) { return float64(k.MTTR), k.Recovered, k.Recovered > 0 },
			title: func(k *incident.KPIs, month string, v float64, incidents func(int) string) string {
				return fmt.Sprintf("%s: MTTR %s over %s recovered", month, shortDuration(time.Duration(v)), incidents(k.Recovered))
			},
			chart: monthChart{Label: durationLabel, Steps: durationSteps}},
		{name: "RTO met", value: func(k *incident.KPIs) (float64, int, bool) {
			if k.RTOOf == 0 {
				return 0, 0, false
			}
			return float64(k.RTOMet) / float64(k.RTOOf), k.RTOOf, true
		},
			title: func(k *incident.KPIs, month string, _ float64, _ func(int) string) string {
				return fmt.Sprintf("%s: RTO met in %s", month, incident.Rate(k.RTOMet, k.RTOOf))
			},
			chart: monthChart{Label: percentLabel, Max: 1, Target: rtoTarget, TargetLabel: "target: " + percentLabel(rtoTarget)}},
	}
	var rows []kpiChartRow
	for _, m := range measures {
		row := kpiChartRow{Name: m.name}
		for _, kind := range []struct {
			name  string
			count func(int) string
			of    func(mk *incident.MonthKPIs) *incident.KPIs
			to    **monthChart
		}{
			{"real incidents", counter("incident"), func(mk *incident.MonthKPIs) *incident.KPIs { return &mk.Real }, &row.Real},
			{"drills", counter("drill"), func(mk *incident.MonthKPIs) *incident.KPIs { return &mk.Drill }, &row.Drill},
		} {
			c := m.chart
			c.Title = m.name + ", " + kind.name + ", by month"
			for i := range months {
				k := kind.of(&months[i])
				month := months[i].Month.Format("January 2006")
				p := chartPoint{Month: months[i].Month}
				v, _, known := m.value(k)
				switch {
				case known:
					p.Value, p.Known, p.Title = v, true, m.title(k, month, v, kind.count)
				case k.Count == 0:
					p.Title = month + ": no " + kind.name
				default:
					p.Title = fmt.Sprintf("%s: %s, none measured for %s", month, kind.count(k.Count), m.name)
				}
				c.Points = append(c.Points, p)
			}
			*kind.to = &c
		}
		rows = append(rows, row)
	}
	return rows
}
