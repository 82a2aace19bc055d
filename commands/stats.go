package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// maxStatsPeriod bounds a stats period: ten years.
const maxStatsPeriod = 10 * 365 * 24 * time.Hour

var statsVerb = &Verb{
	Name:  "stats",
	Usage: "stats [7d|4w|90d|all] [page <n>]",
	Help:  "recovery KPIs (MTTA, MTTR, RTO and RPO achievement, drill success) per tier and scenario; default 30d",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		q, err := parseStatsArgs(args)
		if err != nil {
			return Reply{}, err
		}
		since := time.Time{}
		if q.period > 0 {
			since = r.Service.Now().Add(-q.period)
		}
		// The KPIs read the period's incidents: answered after the ack.
		return Reply{later: func(ctx context.Context) (Reply, error) {
			st, err := r.Service.Stats(ctx, since)
			if err != nil {
				return Reply{}, err
			}
			text, err := StatsPage(st, q, StatsPageLen)
			if err != nil {
				return Reply{}, err
			}
			return Reply{Text: text}, nil
		}}, nil
	},
}

// statsQuery is what `stats` was asked: a period (0: all time) as typed, and a page.
type statsQuery struct {
	period time.Duration
	typed  string // the period as typed; "" for the default
	page   int    // from 1
}

// label names the period in the answer's heading.
func (q statsQuery) label() string {
	switch {
	case q.period == 0:
		return "all time"
	case q.typed == "":
		return "the last 30d"
	}
	return "the last " + q.typed
}

// command is the command that shows page n of the same KPIs.
func (q statsQuery) command(n int) string {
	c := "/incident stats"
	if q.typed != "" {
		c += " " + q.typed
	}
	return fmt.Sprintf("`%s page %d`", c, n)
}

// parseStatsArgs reads `[period] [page <n>]`.
func parseStatsArgs(args string) (statsQuery, error) {
	q := statsQuery{page: 1}
	fields := strings.Fields(args)
	if n := len(fields); n >= 2 && strings.EqualFold(fields[n-2], "page") {
		p, err := strconv.Atoi(fields[n-1])
		if err != nil || p < 1 {
			return q, usageError("stats", "%s is not a page number: give 1, 2, ...", incident.Quote(fields[n-1]))
		}
		q.page, fields = p, fields[:n-2]
	}
	if len(fields) > 1 {
		return q, usageError("stats", "Give one period, such as 7d, and optionally a page, such as `page 2`.")
	}
	if len(fields) == 1 {
		q.typed = fields[0]
	}
	var err error
	q.period, err = ParsePeriod(q.typed)
	return q, err
}

// StatsPageLen bounds the text of one page of the KPIs: Slack's 3,000 characters of a
// section, so a page fits one block as well as one message.
const StatsPageLen = 3000

// StatsPage renders page q.page of the KPIs in pages of at most max characters, lines kept
// whole: the heading and, for each kind of incident, its overall line, tiers and scenarios
// (a long list of scenarios goes on over the next pages, its kind named again). Every page
// but the last says how to see the next. A page past the last is an error that says how
// many there are.
func StatsPage(st *incident.Stats, q statsQuery, max int) (string, error) {
	pages := paginate(statsLines(st, q.label()), max-160) // room for the footer
	if q.page > len(pages) {
		return "", usageError("stats", "There %s only %d %s of KPIs for %s.", map[bool]string{true: "is", false: "are"}[len(pages) == 1],
			len(pages), map[bool]string{true: "page", false: "pages"}[len(pages) == 1], q.label())
	}
	text := pages[q.page-1]
	if len(pages) > 1 {
		text += fmt.Sprintf("\n\n_Page %d of %d._", q.page, len(pages))
		if q.page < len(pages) {
			text += " " + q.command(q.page+1) + " shows the next."
		}
	}
	return text, nil
}

// statsLine is one line of the KPIs and the heading of the section it is in ("" for the
// page's heading), said again at the top of a page that starts in the middle of it.
type statsLine struct{ text, section string }

func statsLines(st *incident.Stats, label string) []statsLine {
	var out []statsLine
	for _, l := range strings.Split(FormatStats(st, label), "\n") {
		section := ""
		if strings.HasPrefix(l, "• ") && len(out) > 0 {
			section = out[len(out)-1].section
			if section == "" {
				section = out[len(out)-1].text
			}
		}
		out = append(out, statsLine{text: l, section: section})
	}
	return out
}

// paginate packs lines into pages of at most max characters (a line longer than max
// alone), repeating the first line (the heading) and the section of a page that starts
// in one.
func paginate(lines []statsLine, max int) []string {
	var pages []string
	var b strings.Builder
	for i, l := range lines {
		if b.Len() > 0 && b.Len()+1+len(l.text) > max {
			pages = append(pages, strings.TrimRight(b.String(), "\n"))
			b.Reset()
			b.WriteString(lines[0].text + " (continued)\n")
			if l.section != "" {
				b.WriteString("\n" + strings.SplitN(l.section, ":", 2)[0] + " (continued):\n")
			}
		} else if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(l.text)
	}
	return append(pages, strings.TrimRight(b.String(), "\n"))
}

// ParsePeriod reads a stats period: a number of hours, days or weeks ("12h", "7d", "4w"),
// or "all" (returned as 0). Empty is 30 days.
func ParsePeriod(s string) (time.Duration, error) {
	switch strings.ToLower(s) {
	case "":
		return 30 * 24 * time.Hour, nil
	case "all":
		return 0, nil
	}
	bad := usageError("stats", "%s is not a period: give hours, days or weeks such as 12h, 7d or 4w, or all.", incident.Quote(s))
	if len(s) < 2 {
		return 0, bad
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, bad
	}
	unit := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]|0x20]
	if unit == 0 {
		return 0, bad
	}
	if time.Duration(n) > maxStatsPeriod/unit {
		return 0, usageError("stats", "%s is longer than ten years; use all.", s)
	}
	return time.Duration(n) * unit, nil
}

// FormatStats renders the KPIs for Slack: real incidents and drills apart, each overall,
// per tier and per scenario.
func FormatStats(st *incident.Stats, label string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Recovery KPIs for %s* (plan targets: RTO and RPO achievement 95%%, drill success 98%%, improvements 95%% within 30 days)\n", label)
	for _, g := range []struct {
		name  string
		group *incident.StatsGroup
		drill bool
	}{{"Real incidents", &st.Real, false}, {"Drills", &st.Drill, true}} {
		fmt.Fprintf(&b, "\n*%s*: %s\n", g.name, kpiLine(&g.group.All, g.drill))
		if g.group.All.Count == 0 {
			continue
		}
		for _, t := range g.group.Tiers() {
			name := fmt.Sprintf("Tier %d", t)
			if t == 0 {
				name = "No service"
			}
			fmt.Fprintf(&b, "• %s: %s\n", name, kpiLine(g.group.ByTier[t], g.drill))
		}
		for _, n := range g.group.Scenarios() {
			fmt.Fprintf(&b, "• `%s`: %s\n", n, kpiLine(g.group.ByScenario[n], g.drill))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func kpiLine(k *incident.KPIs, drill bool) string {
	if k.Count == 0 {
		return "none"
	}
	line := fmt.Sprintf("%d (%d resolved) · MTTA %s · MTTR %s · RTO met %s · RPO met %s",
		k.Count, k.Resolved, incident.Mean(k.MTTA, k.Acked), incident.Mean(k.MTTR, k.Recovered),
		incident.Rate(k.RTOMet, k.RTOOf), incident.Rate(k.RPOMet, k.RPOOf))
	if k.RPOMeasured > 0 {
		line += fmt.Sprintf(" (%d measured at a switchover)", k.RPOMeasured)
	}
	if drill {
		line += " · drill success " + incident.Rate(k.Succeeded, k.Tested)
	}
	if k.Followups > 0 {
		line += " · follow-ups filed " + incident.Rate(k.FollowupsFiled, k.Followups)
	}
	if k.FollowupsDue > 0 {
		line += " · improvements done within 30 days " + incident.Rate(k.FollowupsOnTime, k.FollowupsDue)
	}
	if k.BreakGlass > 0 {
		line += fmt.Sprintf(" · break-glass approvals %d (in %d of %d)", k.BreakGlass, k.BreakGlassIncidents, k.Count)
	}
	return line
}
