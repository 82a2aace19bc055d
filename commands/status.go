package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

var statusVerb = &Verb{
	Name:  "status",
	Usage: "status",
	Help:  "show the incident's state",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		if err := noArgs("status", args); err != nil {
			return Reply{}, err
		}
		inc, err := r.Service.ByChannel(ctx, req.ChannelID)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: StatusText(inc, r.Service.Catalog(), r.Service.Now())}, nil
	},
}

// StatusText summarises an incident for the person who asked: its state, its RTO clock and
// its running impact, from the services of cat.
func StatusText(inc *incident.Incident, cat incident.Catalog, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* %s: %s\n", inc.Key(), inc.Severity, inc.Title)
	fmt.Fprintf(&b, "Status: *%s* | Commander: %s\n", inc.Status, commanderText(inc))
	if !inc.AckedAt.IsZero() {
		fmt.Fprintf(&b, "Acknowledged in PagerDuty by %s, %s after the declaration\n", inc.AckedBy, incident.FormatDuration(inc.AckedAt.Sub(inc.DeclaredAt)))
	}
	if inc.Service != "" {
		fmt.Fprintf(&b, "Service: %s (tier %d, %s)\n", inc.Service, inc.Tier, incident.TierName(inc.Tier))
	}
	if o := inc.ComputeObjectives(cat); o.RTO > 0 {
		fmt.Fprintf(&b, "RTO: %s (%s), %s\n", incident.FormatDuration(o.RTO), o.RTOService, rtoClock(inc, o.RTO, now))
	}
	if e := inc.EstimateImpact(cat, now); e.Hourly > 0 {
		fmt.Fprintf(&b, "Impact: %s so far (%s/h)\n", incident.FormatMoney(e.SoFar), incident.FormatMoney(e.Hourly))
	}
	fmt.Fprintf(&b, "Declared %s ago", incident.FormatDuration(now.Sub(inc.DeclaredAt)))
	if !inc.MitigatedAt.IsZero() {
		fmt.Fprintf(&b, " | mitigated after %s", incident.FormatDuration(inc.MitigatedAt.Sub(inc.DeclaredAt)))
	}
	if !inc.ResolvedAt.IsZero() {
		fmt.Fprintf(&b, " | resolved after %s", incident.FormatDuration(inc.ResolvedAt.Sub(inc.DeclaredAt)))
	}
	if inc.Summary != "" {
		fmt.Fprintf(&b, "\nSummary: %s", inc.Summary)
	}
	return b.String()
}

// rtoClock says where the RTO clock stands: time left, overdue, or met or missed at recovery.
func rtoClock(inc *incident.Incident, rto time.Duration, now time.Time) string {
	deadline := inc.DeclaredAt.Add(rto)
	switch {
	case !inc.MitigatedAt.IsZero() && inc.MitigatedAt.After(deadline):
		return "missed: recovered after " + incident.FormatDuration(inc.MitigatedAt.Sub(inc.DeclaredAt))
	case !inc.MitigatedAt.IsZero():
		return "met: recovered after " + incident.FormatDuration(inc.MitigatedAt.Sub(inc.DeclaredAt))
	case now.After(deadline):
		return "overdue by " + incident.FormatDuration(now.Sub(deadline))
	}
	return fmt.Sprintf("%s left, deadline %s", incident.FormatDuration(deadline.Sub(now)), deadline.UTC().Format("15:04 UTC"))
}

// commanderText is the commander as a mention, or "unfilled" with who is on call for it.
func commanderText(inc *incident.Incident) string {
	if inc.Commander == "" {
		if oc := inc.Roles[incident.RoleCommander].OnCall; oc != "" {
			return "unfilled, on call <@" + oc + ">"
		}
		return "unfilled"
	}
	return "<@" + inc.Commander + ">"
}

func actor(a string) string {
	if a == incident.BotActor {
		return "bot"
	}
	return "<@" + a + ">"
}
