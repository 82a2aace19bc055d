package words

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Services, objectives, impact and the communication cadence.
func init() {
	phrases[incident.EventServiceAdded] = serviceAdded
	notices[incident.EventServiceAdded] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		return finish(serviceAdded(e), IconLink)
	}
	phrases[incident.EventImpactSet] = impactSet
	notices[incident.EventImpactSet] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		return finish(impactSet(e), IconChart)
	}
	phrases[incident.EventBoardReminder] = func(e incident.TimelineEvent) Sentence {
		return say(boardImpact(e.Data, "")).sentence()
	}
	notices[incident.EventBoardReminder] = func(e incident.TimelineEvent, inc *incident.Incident) Sentence {
		b := say(boardImpact(e.Data, " of "+inc.Key())+". ", owner(e.Data))
		return b.add(", notify the board and record it with ", code("/incident update --board <text>"), ".").icon(IconBoard).sentence()
	}
	phrases[incident.EventRTOWarning] = rtoWarning
	notices[incident.EventRTOWarning] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		icon := IconClock
		if e.Data.Percent >= 80 {
			icon = IconAlert
		}
		return finish(rtoWarning(e), icon)
	}
	phrases[incident.EventCadence] = cadence
	notices[incident.EventCadence] = cadenceNotice
}

func cadence(e incident.TimelineEvent) Sentence {
	d := e.Data
	if report(d) {
		due := d.Due.UTC().Format("2006-01-02 15:04 UTC")
		switch d.How {
		case incident.CadenceDue:
			return say("Due: the post-incident report at " + due + " (Incident commander); without a tracker the bot cannot tell whether it was written").sentence()
		case incident.CadenceMet:
			return say("Met: the post-incident report due at " + due + ", filed at " + d.When.UTC().Format("2006-01-02 15:04 UTC")).sentence()
		}
		return say("Missed: the post-incident report due at " + due + " (Incident commander)").sentence()
	}
	what := fmt.Sprintf("the %s due at %s (%s)", incident.UpdateName(audience(d)), d.Due.UTC().Format("15:04 UTC"), d.Role.Title())
	if d.How == incident.CadenceMet {
		return say("Met: " + what + ", posted at " + d.When.UTC().Format("15:04:05 UTC")).sentence()
	}
	return say("Missed: " + what).sentence()
}

// cadenceNotice reminds the role that owes an update or the review; a cadence that was met
// is not posted (its notice is the timeline's line).
func cadenceNotice(e incident.TimelineEvent, inc *incident.Incident) Sentence {
	d := e.Data
	if d.How == incident.CadenceMet {
		return cadence(e)
	}
	due := d.Due.UTC().Format("15:04 UTC")
	if report(d) {
		if d.How == incident.CadenceDue {
			return say(fmt.Sprintf("The post-incident report of %s was due at %s, 24 hours after the resolution. ", inc.Key(), due), owner(d),
				", if it is not written yet, write it and put its link on the timeline with ", code("/incident note <link>"),
				" (this bot files reviews only when a GitHub repository is configured).").icon(IconBell).sentence()
		}
		return say(fmt.Sprintf("The post-incident report of %s was due at %s. ", inc.Key(), due), owner(d), ", run ", code("/incident postmortem"), ".").
			icon(IconBell).sentence()
	}
	command := strings.TrimSpace("/incident update " + d.Reason)
	b := say(fmt.Sprintf("The %s was due at %s and is missing. ", incident.UpdateName(audience(d)), due), owner(d),
		", post it with ", code(command+" <text>"), ".")
	if d.Was != "" {
		b.add(" Escalating to the incident commander ", person(d.Was), ".")
	}
	return b.icon(IconBell).sentence()
}

func serviceAdded(e incident.TimelineEvent) Sentence {
	d := e.Data
	b := say(actor(e), fmt.Sprintf(" added the affected service %s (tier %d, %s)", d.Service, d.Tier, incident.TierName(d.Tier)))
	if d.Objective > 0 {
		b.add(fmt.Sprintf("; the RTO is now %s, from %s", incident.FormatDuration(d.Objective), d.ObjectiveOf))
	}
	return b.sentence()
}

func impactSet(e incident.TimelineEvent) Sentence {
	d := e.Data
	if d.How == incident.ImpactDataLossMeasured {
		// Measured by the bot at a switchover, unlike the window a person types.
		b := say("Measured RPO: a data loss window of " + incident.FormatDuration(d.Duration))
		if d.Step != nil {
			b.add(" at the switchover of step " + stepName(d.Step))
		}
		if d.Detail != "" {
			b.add(" (" + d.Detail + ")")
		}
		if d.Objective > 0 {
			verdict := "met"
			if d.Duration > d.Objective {
				verdict = "missed"
			}
			b.add(fmt.Sprintf("; RPO %s (%s): %s", incident.FormatDuration(d.Objective), d.ObjectiveOf, verdict))
		}
		return b.sentence()
	}
	if d.How == incident.ImpactDataLoss {
		b := say(actor(e), " recorded a data loss window of "+incident.FormatDuration(d.Duration))
		if d.Objective > 0 {
			verdict := "met"
			if d.Duration > d.Objective {
				verdict = "missed"
			}
			b.add(fmt.Sprintf(" (RPO %s: %s)", incident.FormatDuration(d.Objective), verdict))
		}
		return b.sentence()
	}
	var shares []string
	for _, s := range d.Shares {
		shares = append(shares, fmt.Sprintf("%s %d%%", s.Segment, s.Percent))
	}
	return say(actor(e), fmt.Sprintf(" set the customers affected: %s; estimated impact %s per hour, %s so far",
		strings.Join(shares, ", "), money(d.Money, 0), money(d.Money, 1))).sentence()
}

func rtoWarning(e incident.TimelineEvent) Sentence {
	d := e.Data
	elapsed, rto := incident.FormatDuration(d.Duration), incident.FormatDuration(d.Objective)
	if d.Percent >= 100 {
		return say(fmt.Sprintf("RTO missed: %s since the declaration, over the %s objective (%s)", elapsed, rto, d.ObjectiveOf)).sentence()
	}
	return say(fmt.Sprintf("RTO %d%%: %s of the %s recovery time objective (%s) has passed; the deadline is %s",
		d.Percent, elapsed, rto, d.ObjectiveOf, d.Due.UTC().Format("15:04 UTC"))).sentence()
}

// boardImpact says that the estimate passed the board's threshold; of names the incident.
func boardImpact(d incident.EventData, of string) string {
	return fmt.Sprintf("The estimated impact%s is %s, past %s: the board must be notified", of, money(d.Money, 0), money(d.Money, 1))
}

// owner is the role that owes something, with its holder when there is one.
func owner(d incident.EventData) []Part {
	parts := []Part{{Kind: Plain, Value: d.Role.Title()}}
	if len(d.Users) > 0 {
		parts = append(parts, Part{Kind: Plain, Value: " "}, person(d.Users[0]))
	}
	return parts
}

func audience(d incident.EventData) string {
	if len(d.Audiences) == 0 {
		return ""
	}
	return d.Audiences[0]
}

func report(d incident.EventData) bool { return audience(d) == incident.AudienceReport }

func money(m []incident.Money, i int) string {
	if i >= len(m) {
		return "?"
	}
	return incident.FormatMoney(float64(m[i]))
}
