package web

import (
	"fmt"
	"html"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// statusDays is how many days (UTC) a component's history shows, today last.
const statusDays = 90

// statusOutages bounds the outages the history reads: past it, the history is known only
// from the oldest one read (the days before say so).
const statusOutages = 2000

// statusPast is how many past (resolved) incidents the status page lists.
const statusPast = 10

const day = 24 * time.Hour

// firstDay is the start (UTC midnight) of the first day of the history that ends today.
func firstDay(now time.Time) time.Time {
	n := now.UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(statusDays - 1))
}

// historyDay is one day of a component's history: how long it spent in each state but
// operational, and whether the day is known at all.
type historyDay struct {
	Start time.Time
	In    [stateOperational]time.Duration
	Known bool
}

// worst is the day's worst state.
func (d *historyDay) worst() int {
	for st, took := range d.In {
		if took > 0 {
			return st
		}
	}
	return stateOperational
}

// title says the day in words: its date, then each state it was in and for how long.
func (d *historyDay) title() string {
	date := d.Start.Format("Mon Jan 2, 2006")
	if !d.Known {
		return date + ": not known"
	}
	var parts []string
	for st, took := range d.In {
		if took > 0 {
			parts = append(parts, fmt.Sprintf("%s for %s", strings.ToLower(componentStates[st].State), shortDuration(took)))
		}
	}
	if len(parts) == 0 {
		return date + ": operational"
	}
	return date + ": " + strings.Join(parts, ", ")
}

// dayBar is a component's last statusDays days, the oldest first.
type dayBar struct {
	Days []historyDay
	End  time.Time // now: the last day is counted up to it
}

// dayBars computes each service's days from the outages (the public incidents open at
// some time since first). At each moment a service is in the worst state any of them puts
// it in then; a day is in the worst state it was in at any moment, and says how long it
// spent in each (overlapping incidents counted once). Days before known (the history was
// cut short) are not known.
func dayBars(outages []incident.Outage, services []string, first, known, now time.Time) map[string]*dayBar {
	out := make(map[string]*dayBar, len(services))
	for _, s := range services {
		b := &dayBar{Days: make([]historyDay, statusDays), End: now}
		for i := range b.Days {
			start := first.Add(time.Duration(i) * day)
			b.Days[i] = historyDay{Start: start, Known: !start.Add(day).Before(known)}
		}
		out[s] = b
	}
	// A sweep over each service's span edges: +1 at a span's start, -1 at its end.
	type edge struct {
		at    time.Time
		state int
		delta int
	}
	edges := map[string][]edge{}
	for i := range outages {
		for _, span := range outages[i].Spans(now) {
			if _, ok := out[span.Service]; ok && span.To.After(first) { // not a service gone from the catalog
				st := stateOf(span.Severity)
				edges[span.Service] = append(edges[span.Service], edge{span.From, st, 1}, edge{span.To, st, -1})
			}
		}
	}
	for svc, es := range edges {
		slices.SortFunc(es, func(a, b edge) int { return a.at.Compare(b.at) })
		var active [stateOperational]int
		for i, e := range es {
			active[e.state] += e.delta
			if i+1 == len(es) {
				break
			}
			st := slices.IndexFunc(active[:], func(n int) bool { return n > 0 })
			if st >= 0 {
				out[svc].add(st, e.at, es[i+1].at)
			}
		}
	}
	return out
}

// add counts the time from a to z in state st on the days it falls on.
func (b *dayBar) add(st int, a, z time.Time) {
	if !z.After(a) {
		return
	}
	first := b.Days[0].Start
	for d := max(0, int(a.Sub(first)/day)); d < len(b.Days); d++ {
		start := b.Days[d].Start
		if !z.After(start) {
			break
		}
		from, to := incident.LaterOf(a, start), incident.EarlierOf(z, start.Add(day))
		if to.After(from) {
			b.Days[d].In[st] += to.Sub(from)
		}
	}
}

// Bar geometry: each day a column dayW wide with a gap, in SVG user units.
const dayW, dayGap, dayH = 5, 1.5, 28

// SVG draws the days as a bar of columns, each coloured by its worst state, with the day
// in words as its hover title.
func (b *dayBar) SVG() template.HTML {
	var s strings.Builder
	width := float64(len(b.Days))*(dayW+dayGap) - dayGap
	fmt.Fprintf(&s, `<svg class="days" viewBox="0 0 %.1f %d" preserveAspectRatio="none" role="img" aria-label="the last %d days">`, width, dayH, len(b.Days))
	for i := range b.Days {
		d := &b.Days[i]
		cls := "unknown"
		if d.Known {
			cls = componentStates[d.worst()].Class
		}
		fmt.Fprintf(&s, `<rect class="%s" x="%.1f" width="%d" height="%d" rx="1"><title>%s</title></rect>`,
			cls, float64(i)*(dayW+dayGap), dayW, dayH, html.EscapeString(d.title()))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()) //nolint:gosec // the titles are escaped
}

// Uptime is the share of the known days' time without a major or partial outage, as
// Statuspage counts it ("99.95%"), or "" when no day is known.
func (b *dayBar) Uptime() string {
	var total, down time.Duration
	for i := range b.Days {
		if d := &b.Days[i]; d.Known {
			total += min(day, b.End.Sub(d.Start))
			down += d.In[stateMajor] + d.In[statePartial]
		}
	}
	if total == 0 {
		return ""
	}
	up := 100 * float64(total-down) / float64(total)
	if up < 100 && up > 99.995 {
		return "99.99%" // never round an outage away
	}
	return fmt.Sprintf("%.2f%%", up)
}
