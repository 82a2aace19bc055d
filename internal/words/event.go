package words

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// phrase says an event in a sentence: a line of the timeline.
type phrase func(e incident.TimelineEvent) Sentence

// phrases and notices are filled by the files of this package, one per area of the domain.
// A notice is what the channel is told when the event happens; kinds without one are not
// posted.
var (
	phrases = map[incident.EventKind]phrase{}
	notices = map[incident.EventKind]func(e incident.TimelineEvent, inc *incident.Incident) Sentence{}
)

// Event says what e records, as a line of the timeline. An event written by an older
// release (FormatText) says what it stored; a kind this release does not know says its
// kind and data, so nothing on a timeline is ever hidden.
func Event(e incident.TimelineEvent) Sentence {
	if e.Format == incident.FormatText {
		return Sentence{Parts: []Part{chat(e.Text)}}
	}
	if p, ok := phrases[e.Kind]; ok {
		return p(e)
	}
	return say(string(e.Kind), ": ", e.DataJSON).sentence()
}

// Notice says e to the people in the incident's channel, as the bot posts it when e
// happens; ok is false for kinds the bot does not post.
func Notice(e incident.TimelineEvent, inc *incident.Incident) (s Sentence, ok bool) {
	n, ok := notices[e.Kind]
	if !ok || e.Format == incident.FormatText {
		return Sentence{}, false
	}
	return n(e, inc), true
}

// Posted reports whether events of kind k have a notice in the channel.
func Posted(k incident.EventKind) bool { _, ok := notices[k]; return ok }

// actor is the event's actor as a part: a person, or the bot.
func actor(e incident.TimelineEvent) Part {
	if e.Actor == incident.BotActor || e.Actor == "" {
		return Part{Kind: Plain, Value: incident.BotActor}
	}
	return person(e.Actor)
}

func init() {
	phrases[incident.EventDeclared] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		if d.How == incident.DeclaredByPager && d.Pager != nil {
			p := d.Pager
			return say(fmt.Sprintf("PagerDuty incident #%d triggered on %s: ", p.Number, d.Service), chat(d.Title),
				fmt.Sprintf(" (%s, from priority %q urgency %q) ", d.Severity, p.Priority, p.Urgency), link(p.URL, "")).sentence()
		}
		b := say()
		if d.Drill {
			b.add("[DRILL] ")
		}
		b.add(actor(e), fmt.Sprintf(" declared %s (%s): ", d.Severity, d.Severity.Description()), chat(d.Title))
		if d.Service != "" {
			b.add(fmt.Sprintf(" [service %s, tier %d]", d.Service, d.Tier))
		}
		if d.Private {
			b.add(" (private)")
		}
		return b.sentence()
	}
	phrases[incident.EventNote] = func(e incident.TimelineEvent) Sentence { return say(chat(e.Data.Text)).sentence() }
	phrases[incident.EventStatusUpdate] = func(e incident.TimelineEvent) Sentence {
		label := "team"
		if len(e.Data.Audiences) > 0 {
			label = strings.Join(e.Data.Audiences, ", ")
		}
		return say("["+label+"] ", chat(e.Data.Text)).sentence()
	}
	notices[incident.EventStatusUpdate] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		heading := "Update"
		if len(e.Data.Audiences) > 0 {
			heading = "Update for " + incident.Recipients(e.Data.Audiences)
		}
		return say(strong(heading), " from ", actor(e), fmt.Sprintf(" (%s, %s)", e.Data.Severity, e.Data.Status), lineBreak, chat(e.Data.Text)).
			icon(IconSpeaker).sentence()
	}
	phrases[incident.EventSeverityChanged] = func(e incident.TimelineEvent) Sentence {
		return say(actor(e), fmt.Sprintf(" %s severity from %s to %s", severityVerb(e.Data), e.Data.From, e.Data.Severity)).sentence()
	}
	notices[incident.EventSeverityChanged] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		d := e.Data
		return say(actor(e), fmt.Sprintf(" %s the severity from %s to ", severityVerb(d), d.From), strong(string(d.Severity)),
			fmt.Sprintf(" (%s).", d.Severity.Description())).icon(IconAlert).sentence()
	}
	phrases[incident.EventMitigated] = func(e incident.TimelineEvent) Sentence {
		return say(actor(e), " marked the incident mitigated").sentence()
	}
	notices[incident.EventMitigated] = func(e incident.TimelineEvent, inc *incident.Incident) Sentence {
		return say(actor(e), " marked "+inc.Key()+" ", strong("mitigated"), ".").icon(IconMitigated).sentence()
	}
	phrases[incident.EventResolved] = func(e incident.TimelineEvent) Sentence {
		b := say(actor(e), " resolved the incident")
		if e.Data.Text != "" {
			b.add(": ", chat(e.Data.Text))
		}
		return b.sentence()
	}
	notices[incident.EventResolved] = func(e incident.TimelineEvent, inc *incident.Incident) Sentence {
		b := say(actor(e), fmt.Sprintf(" resolved %s after %s.", inc.Key(), incident.FormatDuration(e.Data.Duration)))
		if e.Data.Text != "" {
			b.add(lineBreak, chat(e.Data.Text))
		}
		return b.icon(IconResolved).sentence()
	}
}

// severityVerb says which way a severity changed: P0 is the most severe.
func severityVerb(d incident.EventData) string {
	if d.Severity < d.From {
		return "raised"
	}
	return "lowered"
}
