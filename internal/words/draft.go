package words

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/textcut"
)

// DraftWords is a drafted update (incident.Draft) in sentences: the lines that describe the
// incident, the heading of what changed since the audience's previous update (or the line
// that says nothing did), the changes, oldest first, and the closing line. Sentence joins
// them into the update's text; a surface that must keep it short keeps fewer changes.
type DraftWords struct {
	Head    []Sentence
	Since   Sentence // no parts: no such line
	Changes []Sentence
	Earlier bool // older changes exist that are not among Changes
	Foot    []Sentence
	Public  bool
}

// Draft says d. Its words depend on d alone: the same draft always reads the same.
func Draft(d incident.Draft) DraftWords {
	w := DraftWords{Public: d.Public, Earlier: d.Earlier}
	if d.Public {
		w.Head = publicHead(d)
	} else {
		w.Head = internalHead(d)
	}
	for _, e := range d.Changes {
		if s, ok := draftChange(d, e); ok {
			w.Changes = append(w.Changes, s)
		}
	}
	w.Since = sinceLine(d, len(w.Changes) > 0)
	w.Foot = []Sentence{nextLine(d)}
	return w
}

// Sentence joins the draft's lines, with the newest keep of its changes (all of them when
// keep is larger); the others are counted as earlier changes for the company's people, and
// left out for the public.
func (w DraftWords) Sentence(keep int) Sentence {
	keep = max(0, min(keep, len(w.Changes)))
	b := say()
	line := func(s Sentence) {
		if len(b.s.Parts) > 0 {
			b.add(lineBreak)
		}
		b.add(s.Parts)
	}
	for _, s := range w.Head {
		line(s)
	}
	if len(w.Since.Parts) > 0 {
		line(w.Since)
	}
	left := len(w.Changes) - keep
	if !w.Public && (left > 0 || w.Earlier) {
		more := "• Earlier changes are on the timeline ("
		if left > 0 {
			more = fmt.Sprintf("• %d earlier %s on the timeline (", left, plural(left, "change is", "changes are"))
		}
		line(say(more, code("/incident timeline"), ").").sentence())
	}
	for _, s := range w.Changes[left:] {
		line(say("• ", s.Parts).sentence())
	}
	for _, s := range w.Foot {
		line(s)
	}
	return b.sentence()
}

// Fit renders the draft with render, keeping as many of the newest changes as fit in limit
// characters; a draft whose other lines alone are too long is cut.
func (w DraftWords) Fit(render func(Sentence) string, limit int) string {
	for keep := len(w.Changes); ; keep-- {
		text := render(w.Sentence(keep))
		if utf8.RuneCountInString(text) <= limit {
			return text
		}
		if keep == 0 {
			return textcut.Cut(text, limit)
		}
	}
}

// PublicState is a severity as a status page says it: the worst state of a service.
func PublicState(sev incident.Severity) string {
	switch sev {
	case incident.P0:
		return "Major outage"
	case incident.P1:
		return "Partial outage"
	}
	return "Degraded performance"
}

func publicHead(d incident.Draft) []Sentence {
	b := say(drillMark(d) + PublicState(d.Severity))
	if names := serviceNames(d.Services); names != "" {
		b.add(": " + names + " " + plural(len(d.Services), "is", "are") + " affected.")
	} else {
		b.add(" of our services.")
	}
	status := say("We are investigating and will keep you updated.")
	if d.Mitigated {
		status = say("A fix is in place and we are monitoring the recovery.")
	}
	return []Sentence{b.sentence(), status.sentence()}
}

func internalHead(d incident.Draft) []Sentence {
	head := say(drillMark(d), strong(d.Key), fmt.Sprintf(" %s (%s): ", d.Severity, d.Severity.Description()), chat(d.Title),
		". Status: ", strong(string(d.Status)), ".")
	if d.Private {
		head.add(" Private incident: keep it inside this audience.")
	}
	lines := []Sentence{head.sentence()}
	if len(d.Services) > 0 {
		var parts []string
		for _, s := range d.Services {
			p := fmt.Sprintf("%s (tier %d", s.Name, s.Tier)
			if s.RTO > 0 {
				p += ", RTO " + incident.FormatDuration(s.RTO)
			}
			parts = append(parts, p+")")
		}
		lines = append(lines, say("Affected: "+strings.Join(parts, ", ")+".").sentence())
	}
	if o := d.Objectives; o.RTO > 0 {
		lines = append(lines, say(rtoClock(d)).sentence())
	}
	return append(lines, impactLine(d))
}

// rtoClock says where the RTO clock stands at the draft's moment, or how it ended.
func rtoClock(d incident.Draft) string {
	o, elapsed := d.Objectives, incident.FormatDuration(d.Elapsed)
	rto := incident.FormatDuration(o.RTO)
	deadline := clock(d.DeclaredAt.Add(o.RTO))
	switch {
	case d.Mitigated && d.Elapsed <= o.RTO:
		return fmt.Sprintf("RTO: recovered after %s, within the %s objective (%s).", elapsed, rto, o.RTOService)
	case d.Mitigated:
		return fmt.Sprintf("RTO: recovered after %s, %s over the %s objective (%s).", elapsed, incident.FormatDuration(d.Elapsed-o.RTO), rto, o.RTOService)
	case d.Elapsed < o.RTO:
		return fmt.Sprintf("RTO clock: %s of %s (%s); the deadline is %s.", elapsed, rto, o.RTOService, deadline)
	}
	return fmt.Sprintf("RTO clock: %s, past the %s objective (%s) since %s.", elapsed, rto, o.RTOService, deadline)
}

func impactLine(d incident.Draft) Sentence {
	if len(d.Shares) == 0 {
		return say("Impact: not estimated yet (", code("/incident impact <percent> [segment]"), ").").sentence()
	}
	var shares []string
	for _, s := range d.Shares {
		shares = append(shares, fmt.Sprintf("%s %d%%", strings.ReplaceAll(s.Segment, "_", " "), s.Percent))
	}
	return say(fmt.Sprintf("Impact: %s of customers affected; about %s per hour, %s so far.", strings.Join(shares, ", "),
		incident.FormatMoney(d.Estimate.Hourly), incident.FormatMoney(d.Estimate.SoFar))).sentence()
}

// sinceLine heads the changes, or says that nothing changed since the previous update.
func sinceLine(d incident.Draft, changes bool) Sentence {
	if d.Public && d.Private {
		return Sentence{} // a private incident's public word is its services' state alone
	}
	prev := "the previous " + incident.UpdateName(d.Audience) + " at " + clock(d.Ref.Since)
	if d.Public {
		prev = "our previous update at " + clock(d.Ref.Since)
	}
	switch {
	case d.Ref.Since.IsZero() && !changes:
		return Sentence{}
	case d.Ref.Since.IsZero() && d.Public:
		return say("Since the incident began at " + clock(d.DeclaredAt) + ":").sentence()
	case d.Ref.Since.IsZero():
		return say("Since the declaration at " + clock(d.DeclaredAt) + ":").sentence()
	case !changes && d.Public:
		return say("Nothing has changed since " + prev + ".").sentence()
	case !changes:
		return say("No change since " + prev + ".").sentence()
	}
	return say("Since " + prev + ":").sentence()
}

func nextLine(d incident.Draft) Sentence {
	switch {
	case d.Public && d.Next.IsZero():
		return say("We will post a final update once the incident is resolved.").sentence()
	case d.Public:
		return say("Our next update will follow by " + clock(d.Next) + ".").sentence()
	case d.Next.IsZero():
		return say("No further " + incident.UpdateName(d.Audience) + " is scheduled: the outage cadence has stopped.").sentence()
	}
	return say("Next " + incident.UpdateName(d.Audience) + " due by " + clock(d.Next) + ".").sentence()
}

// draftChange says one change for the draft's audience: the public in words of the
// services' state, the company's people in the timeline's words (shorter for steps and
// other audiences' updates). ok is false for a change the audience would not notice.
func draftChange(d incident.Draft, e incident.TimelineEvent) (Sentence, bool) {
	data := e.Data
	if d.Public {
		switch e.Kind {
		case incident.EventSeverityChanged:
			from, to := PublicState(data.From), PublicState(data.Severity)
			if from == to {
				return Sentence{}, false
			}
			verb := "eased"
			if data.Severity < data.From {
				verb = "grew"
			}
			return say(fmt.Sprintf("The impact %s from %s to %s.", verb, article(from), article(to))).sentence(), true
		case incident.EventServiceAdded:
			return say(data.Service + " is affected too.").sentence(), true
		case incident.EventMitigated:
			return say("A fix is in place; we are monitoring the recovery.").sentence(), true
		}
		return Sentence{}, false
	}
	switch e.Kind {
	case incident.EventStepResult, incident.EventStepUnknown:
		outcome := map[string]string{string(incident.StepSucceeded): "succeeded", string(incident.StepFailed): "failed"}[data.Outcome]
		if outcome == "" {
			outcome = "is in an unknown state"
		}
		return say(fmt.Sprintf("Step %q %s.", data.Step.Title, outcome)).sentence(), true
	case incident.EventStatusUpdate:
		if len(data.Audiences) == 0 {
			return say(actor(e), " posted a team update.").sentence(), true
		}
		return say(actor(e), " posted an update for "+incident.Recipients(data.Audiences)+".").sentence(), true
	case incident.EventNote:
		return say(actor(e), " noted: ", chat(data.Text)).sentence(), true
	}
	return finish(Event(e), IconNone), true
}

func drillMark(d incident.Draft) string {
	if d.Drill {
		return "[DRILL] "
	}
	return ""
}

// serviceNames joins names as "a, b and c".
func serviceNames(svcs []incident.DraftService) string {
	names := make([]string, len(svcs))
	for i, s := range svcs {
		names[i] = s.Name
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// article is a state as a phrase: "a major outage", "degraded performance".
func article(state string) string {
	s := strings.ToLower(state)
	if strings.HasSuffix(s, "outage") {
		return "a " + s
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// clock is a time of day as drafts say it: the draft's text is the same for every reader
// and every surface it reaches (the status page shows it as posted).
func clock(t time.Time) string { return t.UTC().Format("15:04 UTC") }
