package words

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

// What the bot published on the hosted status page.
func init() {
	phrases[incident.EventStatusPagePublished] = statusPagePublished
	notices[incident.EventStatusPagePublished] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		return withIcon(statusPagePublished(e), IconSpeaker)
	}
}

func statusPagePublished(e incident.TimelineEvent) Sentence {
	d := e.Data
	status := incident.PublicStatus(d.Outcome).Words()
	var b *builder
	switch d.How {
	case incident.StatusPageCreated:
		b = say(fmt.Sprintf("Published on the status page (%s, from event #%d): ", status, d.Number))
	case incident.StatusPageAdopted:
		b = say(fmt.Sprintf("Published on the status page (%s, from event #%d), on the page incident an attempt that died had made: ", status, d.Number))
	case incident.StatusPageUnchanged:
		b = say(fmt.Sprintf("The status page already showed event #%d (%s): ", d.Number, status))
	default:
		b = say(fmt.Sprintf("Status page updated (%s, from event #%d): ", status, d.Number))
	}
	if d.URL == "" {
		return b.add("no link given").sentence()
	}
	return b.add(link(d.URL, "")).sentence()
}
