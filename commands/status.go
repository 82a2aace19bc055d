package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// MaxReplyLen keeps answers inside one Slack message section.
const MaxReplyLen = 2900

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

var timelineVerb = &Verb{
	Name:  "timeline",
	Usage: "timeline [all]",
	Help:  "show the timeline (all: with the bot's housekeeping)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		all := false
		switch strings.ToLower(args) {
		case "":
		case "all":
			all = true
		default:
			return Reply{}, usageError("timeline", "`timeline` takes only `all`.")
		}
		inc, err := r.Service.ByChannel(ctx, req.ChannelID)
		if err != nil {
			return Reply{}, err
		}
		evs, err := r.Service.Timeline(ctx, inc.ID)
		if err != nil {
			return Reply{}, err
		}
		say := r.EventText
		if say == nil {
			say = func(e incident.TimelineEvent) string { return words.Event(e).String() }
		}
		return Reply{Text: TimelineText(inc, evs, all, say)}, nil
	},
}

// TimelineText renders events newest last, each said by say, keeping the latest ones when
// they do not fit.
func TimelineText(inc *incident.Incident, evs []incident.TimelineEvent, all bool, say func(incident.TimelineEvent) string) string {
	var lines []string
	for _, e := range evs {
		if !all && e.Kind.Housekeeping() {
			continue
		}
		lines = append(lines, fmt.Sprintf("#%d `%s` %s *%s* %s", e.Seq, incident.FormatTime(e.At), actor(e.Actor), e.Kind, say(e)))
	}
	header := fmt.Sprintf("*Timeline of %s* (UTC)", inc.Key())
	size, first := len(header), len(lines)
	for first > 0 && size+len(lines[first-1])+1 <= MaxReplyLen-60 {
		size += len(lines[first-1]) + 1
		first--
	}
	if first > 0 {
		header += fmt.Sprintf("\n_%d earlier events not shown_", first)
	}
	return header + "\n" + strings.Join(lines[first:], "\n")
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
