package words

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The bot's housekeeping in the channel: the channel, its topic, cards and posts.
func init() {
	phrases[incident.EventChannelCreated] = func(e incident.TimelineEvent) Sentence {
		if e.Data.How == incident.ChannelAdopted {
			return say("Channel ", channelPart(e.Data), " found after a retry").sentence()
		}
		return say("Channel ", channelPart(e.Data), " created").sentence()
	}
	phrases[incident.EventTopicSet] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		b := say(fmt.Sprintf("Topic set: %s | %s | IC ", d.Severity, d.Status))
		if len(d.Users) > 0 {
			b.add(person(d.Users[0]))
		} else {
			b.add("unfilled")
		}
		return b.add(" | ", chat(d.Title)).sentence()
	}
	phrases[incident.EventInvited] = func(e incident.TimelineEvent) Sentence {
		return say("Invited ", people(e.Data.Users)).sentence()
	}
	phrases[incident.EventCardPosted] = func(e incident.TimelineEvent) Sentence {
		if e.Data.How == incident.CardRun {
			return say("Playbook " + e.Data.Playbook + " run card posted").sentence()
		}
		return say("Incident card posted").sentence()
	}
	phrases[incident.EventCardPinned] = func(e incident.TimelineEvent) Sentence {
		if e.Data.How == incident.CardRun {
			return say("Playbook run card pinned").sentence()
		}
		return say("Incident card pinned").sentence()
	}
	phrases[incident.EventCardUpdated] = func(e incident.TimelineEvent) Sentence {
		return say(fmt.Sprintf("Incident card updated (%s, %s)", e.Data.Severity, e.Data.Status)).sentence()
	}
	phrases[incident.EventAnnounced] = func(e incident.TimelineEvent) Sentence {
		return say("Announced in ", channel(e.Data.Channel)).sentence()
	}
	phrases[incident.EventMessagePosted] = func(e incident.TimelineEvent) Sentence {
		if e.Data.Number > 0 && e.Data.Channel != "" {
			return say(fmt.Sprintf("Posted event #%d in ", e.Data.Number), channel(e.Data.Channel), fmt.Sprintf(" (message %s)", e.Data.URL)).sentence()
		}
		if e.Data.Number > 0 {
			return say(fmt.Sprintf("Posted event #%d (message %s)", e.Data.Number, e.Data.URL)).sentence()
		}
		return say("Posted message " + e.Data.URL).sentence()
	}
	failing := func(e incident.TimelineEvent) Sentence {
		d := e.Data
		return say(fmt.Sprintf("I keep failing to %s (%d attempts: %s). I am still retrying.", d.Effect.Describe(), d.Count, d.Detail)).
			icon(IconWarning).sentence()
	}
	failed := func(e incident.TimelineEvent) Sentence {
		return say(fmt.Sprintf("I could not %s: %s. Retrying will not help; someone needs to do it by hand.", e.Data.Effect.Describe(), e.Data.Detail)).
			icon(IconFailure).sentence()
	}
	phrases[incident.EventEffectFailing] = failing
	phrases[incident.EventEffectFailed] = failed
	notices[incident.EventEffectFailing] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence { return failing(e) }
	notices[incident.EventEffectFailed] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence { return failed(e) }
}

// channelPart is the channel an event names, with the name it was created with.
func channelPart(d incident.EventData) Part {
	return Part{Kind: Channel, Value: d.Channel, Label: d.Title}
}
