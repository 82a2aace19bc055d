package words

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Playbook runs and their steps.
func init() {
	phrases[incident.EventRunStarted] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		b := say(actor(e), fmt.Sprintf(" started the playbook %s (%s)", d.Title, d.Playbook))
		if d.Params != "" {
			b.add(" with " + d.Params)
		}
		return b.sentence()
	}
	phrases[incident.EventStepRequested] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		b := say(actor(e), " asked to run "+stepName(d.Step)+"; it needs the approval of "+incident.Approvers(d.Roles, d.Groups))
		if d.How == incident.StepTwoPerson {
			b.add(" (two-person rule: not the one who asked)")
		}
		return b.sentence()
	}
	phrases[incident.EventStepRefused] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		if d.How == incident.StepStalePlan {
			return say("Approval of "+stepName(d.Step)+" by ", actor(e), " waits for a fresh dry run: it "+d.Reason).sentence()
		}
		if d.How == incident.StepStaleCard {
			return say("Approval of "+stepName(d.Step)+" by ", actor(e), " refused: the card was out of date ("+d.Reason+")").sentence()
		}
		return say(actor(e), " may not "+d.How+" "+stepName(d.Step)+": "+d.Reason).sentence()
	}
	phrases[incident.EventStepRejected] = func(e incident.TimelineEvent) Sentence {
		return say(actor(e), " rejected "+stepName(e.Data.Step)).sentence()
	}
	phrases[incident.EventStepApproved] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		b := say(actor(e), " approved "+stepName(d.Step))
		if d.How == incident.StepBreakGlass {
			b.add(" alone, under break-glass")
		}
		if len(d.Users) > 0 {
			b.add(", asked by ", person(d.Users[0]))
		}
		if d.Digest != "" {
			b.add(", for plan " + d.Digest)
		}
		if d.How == incident.StepBreakGlass {
			b.add(": ", chat(d.Text))
		}
		return b.sentence()
	}
	notices[incident.EventStepApproved] = func(e incident.TimelineEvent, inc *incident.Incident) Sentence {
		d := e.Data
		if d.How != incident.StepBreakGlass { // only break-glass approvals are told
			return phrases[incident.EventStepApproved](e)
		}
		b := say(strong("Break-glass"), " in "+inc.Key()+": ", actor(e), " approved "+stepName(d.Step)+" alone, without a second person")
		if d.Digest != "" {
			b.add(" (plan " + d.Digest + ")")
		}
		return b.add(". Reason: ", chat(d.Text)).icon(IconAlert).sentence()
	}
	phrases[incident.EventStepVoided] = stepVoided
	notices[incident.EventStepVoided] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		return withIcon(stepVoided(e), IconWarning)
	}
	phrases[incident.EventStepSkipped] = func(e incident.TimelineEvent) Sentence {
		return say(actor(e), " skipped "+stepName(e.Data.Step)).sentence()
	}
	phrases[incident.EventStepDone] = func(e incident.TimelineEvent) Sentence {
		b := say(actor(e), " marked "+stepName(e.Data.Step)+" done")
		if e.Data.Was != "" {
			b.add(" (it was " + e.Data.Was + "; they verified it by hand)")
		}
		return b.sentence()
	}
	phrases[incident.EventStepReset] = func(e incident.TimelineEvent) Sentence {
		return say(actor(e), " reset "+stepName(e.Data.Step)+" (it was "+e.Data.Was+") to run again").sentence()
	}
	phrases[incident.EventStepRunning] = func(e incident.TimelineEvent) Sentence {
		return say(fmt.Sprintf("Running %q: ", e.Data.Step.Title), detail(e.Data.Detail)).sentence()
	}
	phrases[incident.EventStepPlanned] = func(e incident.TimelineEvent) Sentence {
		return say(fmt.Sprintf("Dry run of %q: ", e.Data.Step.Title), detail(e.Data.Detail)).sentence()
	}
	phrases[incident.EventStepUndo] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		b := say(actor(e), fmt.Sprintf(" asked to undo %s with a new step, %q: ", stepName(d.Step), d.Title), detail(d.Detail))
		if d.Reason != "" {
			b.add(". " + d.Reason)
		}
		return b.sentence()
	}
	phrases[incident.EventStepResult] = stepResult
	phrases[incident.EventStepUnknown] = stepResult
	notices[incident.EventStepUnknown] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		return withIcon(stepResult(e), IconWarning)
	}
}

// stepVoided says why an approval no longer counts, and that it is asked again.
func stepVoided(e incident.TimelineEvent) Sentence {
	d := e.Data
	b := say("The approval of " + stepName(d.Step))
	if len(d.Users) > 0 {
		b.add(" by ", person(d.Users[0]))
	}
	if d.How == incident.VoidLapsed {
		b.add(fmt.Sprintf(" lapsed: the step had not run within %s of it. Nothing ran; approve it again.", incident.FormatDuration(d.Duration)))
		return b.sentence()
	}
	b.add(fmt.Sprintf(" is void: the plan changed from %s to %s before the step ran. Nothing ran; read the new plan on its card and approve again. What changed: ", orNone(d.Was), orNone(d.Digest)))
	return b.add(block(d.Detail)).sentence()
}

func orNone(digest string) string {
	if digest == "" {
		return "(none)"
	}
	return digest
}

func stepResult(e incident.TimelineEvent) Sentence {
	d := e.Data
	if d.How == incident.StepInterrupted {
		return say(fmt.Sprintf("%q was running when the bot stopped; nobody knows whether it finished. Verify it by hand, then Retry, Skip or Mark done.", d.Step.Title)).sentence()
	}
	verb := map[string]string{string(incident.StepSucceeded): "succeeded", string(incident.StepFailed): "failed"}[d.Outcome]
	if verb == "" {
		verb = "is in an unknown state"
	}
	b := say(fmt.Sprintf("%q %s", d.Step.Title, verb))
	if d.Detail != "" {
		b.add(": ", detail(d.Detail))
	}
	return b.sentence()
}

// stepName is a step as events name it: "Fail DNS over" (dns-failover).
func stepName(s *incident.StepRef) string { return fmt.Sprintf("%q (%s)", s.Title, s.Key) }

// detail is what a service answered: preformatted when it has several lines.
func detail(s string) Part {
	if strings.Contains(s, "\n") {
		return block(s)
	}
	return Part{Kind: Plain, Value: s}
}
