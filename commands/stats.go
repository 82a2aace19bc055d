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
	Usage: "stats [7d|4w|90d|all]",
	Help:  "recovery KPIs (MTTA, MTTR, RTO and RPO achievement, drill success) per tier and scenario; default 30d",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		period, err := ParsePeriod(strings.TrimSpace(args))
		if err != nil {
			return Reply{}, err
		}
		since := time.Time{}
		if period > 0 {
			since = r.Service.Now().Add(-period)
		}
		st, err := r.Service.Stats(ctx, since)
		if err != nil {
			return Reply{}, err
		}
		label := "all time"
		if period > 0 {
			label = "the last " + strings.TrimSpace(args)
			if args == "" {
				label = "the last 30d"
			}
		}
		return Reply{Text: FormatStats(st, label)}, nil
	},
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
	if drill {
		line += " · drill success " + incident.Rate(k.Succeeded, k.Tested)
	}
	if k.Followups > 0 {
		line += " · follow-ups filed " + incident.Rate(k.FollowupsFiled, k.Followups)
	}
	if k.FollowupsDue > 0 {
		line += " · improvements done within 30 days " + incident.Rate(k.FollowupsOnTime, k.FollowupsDue)
	}
	return line
}
