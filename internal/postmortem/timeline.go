package postmortem

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// events are the timeline entries of evs, the bot's housekeeping left out.
func events(evs []incident.TimelineEvent, names words.Names) []eventView {
	var out []eventView
	for _, ev := range evs {
		if ev.Kind.Housekeeping() {
			continue
		}
		out = append(out, eventView{At: incident.FormatTime(ev.At), Actor: who(ev.Actor, names), Kind: string(ev.Kind), Text: EventMarkdown(ev, names)})
	}
	return out
}

// gapText says how many events a long timeline's review leaves out between the events it
// shows first and those it shows last, between which event numbers, and where the whole
// timeline can be read.
func gapText(inc *incident.Incident, first, last []incident.TimelineEvent, omitted int, names words.Names) string {
	from, to := "the start", "the end"
	if len(first) > 0 {
		from = fmt.Sprintf("#%d", first[len(first)-1].Seq)
	}
	if len(last) > 0 {
		to = fmt.Sprintf("#%d", last[0].Seq)
	}
	where := "in the incident's channel"
	if inc.ChannelID != "" && !inc.Private {
		where = "in #" + escape(words.ChannelName(inc.ChannelID, inc.ChannelName, names))
	}
	return fmt.Sprintf("_%d more events between %s and %s are left out to keep this issue within GitHub's limit. "+
		"The whole timeline: `/incident timeline page 1` %s, or `incidentbot timeline show %s` where the bot runs._",
		omitted, from, to, where, inc.Key())
}
