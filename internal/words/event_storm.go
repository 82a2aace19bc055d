package words

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Alert storms: PagerDuty incidents that joined an open incident instead of declaring one.
func init() {
	phrases[incident.EventPagerJoined] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		if d.How == incident.JoinedNotice {
			return say("Told the channel: " + joinedCount(d, "this incident")).sentence()
		}
		p := d.Pager
		return say(fmt.Sprintf("PagerDuty incident #%d on %s joined this incident: ", p.Number, d.Service), chat(d.Title),
			fmt.Sprintf(" (%s, from priority %q urgency %q) ", d.Severity, p.Priority, p.Urgency), link(p.URL, "")).sentence()
	}
	notices[incident.EventPagerJoined] = func(e incident.TimelineEvent, inc *incident.Incident) Sentence {
		d := e.Data
		if d.How == incident.JoinedNotice {
			return say(joinedCount(d, inc.Key()) + "; each is on the timeline and is resolved in PagerDuty with the incident.").icon(IconLink).sentence()
		}
		return withIcon(phrases[incident.EventPagerJoined](e), IconLink)
	}
}

// joinedCount says how many PagerDuty incidents joined what in a notice's window, and in all.
func joinedCount(d incident.EventData, what string) string {
	alerts := "PagerDuty incidents"
	if d.Count == 1 {
		alerts = "PagerDuty incident"
	}
	return fmt.Sprintf("%d more %s joined %s in %s (%d in all)", d.Count, alerts, what, incident.FormatDuration(d.Duration), d.Number)
}
