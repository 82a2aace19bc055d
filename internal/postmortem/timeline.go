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

// privateTitle stands for a private incident's title in its review, which keeps the title
// out as every surface outside its channel does.
const privateTitle = "(private incident)"

// withoutTitle is a private incident's timeline with its title left out of the events that
// name it (its declaration, its channel topic), in copies: the events themselves stay as
// they are stored and hashed.
func withoutTitle(evs []incident.TimelineEvent) []incident.TimelineEvent {
	out := make([]incident.TimelineEvent, len(evs))
	for i, ev := range evs {
		if ev.Kind == incident.EventDeclared || ev.Kind == incident.EventTopicSet {
			ev.Data.Title = privateTitle
		}
		out[i] = ev
	}
	return out
}

// gapText says which of a long timeline's events its review leaves out (those between
// the events it shows first and those it shows last) and where the whole timeline can be
// read.
func gapText(inc *incident.Incident, first, last []incident.TimelineEvent, names words.Names) string {
	left := "Its events are"
	switch {
	case len(first) > 0 && len(last) > 0:
		from, to := first[len(first)-1].Seq+1, last[0].Seq-1
		left = fmt.Sprintf("Events #%d to #%d (%d, the bot's housekeeping among them) are", from, to, to-from+1)
	case len(first) > 0:
		left = fmt.Sprintf("The events after #%d are", first[len(first)-1].Seq)
	case len(last) > 0:
		left = fmt.Sprintf("The events before #%d are", last[0].Seq)
	}
	where := "in the incident's channel"
	if inc.ChannelID != "" && !inc.Private {
		where = "in #" + escape(words.ChannelName(inc.ChannelID, inc.ChannelName, names))
	}
	return fmt.Sprintf("_%s left out here to keep this issue within GitHub's limit. "+
		"The whole timeline: `/incident timeline page 1` %s, or `incidentbot timeline show %s` where the bot runs._", left, where, inc.Key())
}
