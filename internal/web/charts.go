package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"
)

// The dashboard's KPI charts: small line charts, one value a month, drawn on the server as
// inline SVG (no script). Every value is written beside its point, so the chart reads
// without hovering; each point and each month also has a <title> for those who hover.

// chartPoint is one month of a chart. Known false is a gap: nothing was measured that
// month (no incidents, or none the measure applies to), which the chart shows as a break
// in its line, never as zero.
type chartPoint struct {
	Month time.Time
	Value float64
	Known bool
	// Title is what hovering the point says ("November 2026: MTTR 10m over 2 incidents"),
	// or, for a gap, why there is none.
	Title string
}

// monthChart is one KPI over the months.
type monthChart struct {
	Title  string // such as "MTTR, real incidents"
	Points []chartPoint
	// Label formats a value for its label and the y axis.
	Label func(float64) string
	// Max is the top of the y axis; 0 rounds the largest value up (see Steps).
	Max float64
	// Steps are the round values the automatic top is an even multiple of: the smallest
	// that keeps the axis within eight of them.
	Steps []float64
	// Target draws a dashed line at a target value (0: none), labelled TargetLabel.
	Target      float64
	TargetLabel string
}

// Chart geometry, in SVG user units (the chart scales to its box).
const (
	chartW, chartH         = 400, 150
	chartLeft, chartRight  = 40, 20
	chartTop, chartBottom  = 20, 24
	chartPlotW, chartPlotH = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	chartBaseY             = chartTop + chartPlotH
)

// top is the y axis' top: Max, or the largest value rounded up to a step.
func (c *monthChart) top() float64 {
	if c.Max > 0 {
		return c.Max
	}
	largest := c.Target
	for _, p := range c.Points {
		if p.Known {
			largest = math.Max(largest, p.Value)
		}
	}
	if largest <= 0 {
		if len(c.Steps) > 0 {
			return c.Steps[0]
		}
		return 1
	}
	// An even number of steps, so the middle of the axis is a round value too.
	for _, s := range c.Steps {
		if largest <= 8*s {
			return math.Ceil(largest/(2*s)) * 2 * s
		}
	}
	s := c.Steps[len(c.Steps)-1]
	return math.Ceil(largest/(2*s)) * 2 * s
}

func (c *monthChart) x(i int) float64 {
	if len(c.Points) < 2 {
		return chartLeft + chartPlotW/2
	}
	return chartLeft + float64(i)*chartPlotW/float64(len(c.Points)-1)
}

func (c *monthChart) y(v, top float64) float64 {
	return float64(chartBaseY) - math.Min(v, top)/top*chartPlotH
}

// SVG draws the chart: a y axis with its top, middle and zero labelled, a month label
// under each month, the line (broken at each gap), a point and its value for each month
// measured, and the target line.
func (c *monthChart) SVG() template.HTML {
	var b strings.Builder
	esc := html.EscapeString
	top := c.top()
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, chartW, chartH, esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))
	for _, f := range []float64{0, 0.5, 1} {
		y := c.y(top*f, top)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, chartLeft, y, chartW-chartRight, y)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-4, y+3, esc(c.Label(top*f)))
	}
	if c.Target > 0 {
		y := c.y(c.Target, top)
		fmt.Fprintf(&b, `<line class="target" x1="%d" y1="%.1f" x2="%d" y2="%.1f"><title>%s</title></line>`, chartLeft, y, chartW-chartRight, y, esc(c.TargetLabel))
	}
	for i, p := range c.Points {
		cls := "month"
		if !p.Known {
			cls += " gap"
		}
		fmt.Fprintf(&b, `<text class="%s" x="%.1f" y="%d" text-anchor="middle"><title>%s</title>%s</text>`,
			cls, c.x(i), chartH-8, esc(p.Title), p.Month.Format("Jan"))
	}
	if !slices.ContainsFunc(c.Points, func(p chartPoint) bool { return p.Known }) {
		fmt.Fprintf(&b, `<text class="none" x="%d" y="%d" text-anchor="middle">nothing measured</text>`, chartLeft+chartPlotW/2, chartTop+chartPlotH/2)
	}
	// The line, one path per run of months measured: a gap breaks it.
	var path []string
	flush := func() {
		if len(path) > 1 {
			fmt.Fprintf(&b, `<path class="line" d="M%s"/>`, strings.Join(path, " L"))
		}
		path = path[:0]
	}
	for i, p := range c.Points {
		if !p.Known {
			flush()
			continue
		}
		path = append(path, fmt.Sprintf("%.1f %.1f", c.x(i), c.y(p.Value, top)))
	}
	flush()
	for i, p := range c.Points {
		if !p.Known {
			continue
		}
		x, y := c.x(i), c.y(p.Value, top)
		fmt.Fprintf(&b, `<g class="point"><title>%s</title><circle cx="%.1f" cy="%.1f" r="3"/><text class="value" x="%.1f" y="%.1f" text-anchor="middle">%s</text></g>`,
			esc(p.Title), x, y, x, y-6, esc(c.Label(p.Value)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

// durationSteps are the round durations a duration chart's axis tops are multiples of.
var durationSteps = []float64{
	float64(time.Minute), float64(5 * time.Minute), float64(15 * time.Minute), float64(time.Hour),
	float64(4 * time.Hour), float64(24 * time.Hour),
}

// durationLabel formats a duration value of a chart.
func durationLabel(v float64) string {
	if v == 0 {
		return "0"
	}
	return shortDuration(time.Duration(v))
}

// shortDuration is a duration in at most two units, to the second under ten minutes:
// 45s, 1m30s, 12m, 1h20m, 3d4h.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 10*time.Minute && d%time.Minute != 0:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Round(time.Minute).Minutes()))
	case d < 24*time.Hour:
		d = d.Round(time.Minute)
		if d%time.Hour == 0 {
			return fmt.Sprintf("%dh", int(d.Hours()))
		}
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	d = d.Round(time.Hour)
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", int(d.Hours())/24)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

// percentLabel formats a rate (0 to 1) of a chart.
func percentLabel(v float64) string {
	p := v * 100
	if p == math.Trunc(p) {
		return fmt.Sprintf("%.0f%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}
