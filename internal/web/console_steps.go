package web

import "github.com/nephoran/incidentbot/internal/incident"

// consoleVerbs are the step actions the console offers for step of run, as its Slack card
// does: a manual step is marked done (once approved, when it needs an approval), a step
// that recorded what it changed can be undone until its undo is asked for.
func consoleVerbs(run *incident.Run, step *incident.RunStep) []string {
	var verbs []string
	manual := step.Spec.Manual()
	switch step.State {
	case incident.StepPending:
		if manual && !step.Spec.NeedsApproval() {
			verbs = []string{incident.StepVerbDone, incident.StepVerbSkip}
		} else {
			verbs = []string{incident.StepVerbRun, incident.StepVerbSkip}
		}
	case incident.StepAwaitingApproval:
		verbs = []string{incident.StepVerbApprove, incident.StepVerbReject, incident.StepVerbSkip}
	case incident.StepApproved:
		if manual {
			verbs = []string{incident.StepVerbDone, incident.StepVerbSkip}
		}
	case incident.StepFailed, incident.StepUnknown:
		verbs = []string{incident.StepVerbRetry, incident.StepVerbDone, incident.StepVerbSkip}
	case incident.StepRejected:
		verbs = []string{incident.StepVerbRetry, incident.StepVerbSkip}
	}
	if incident.UndoRefusal(step) == "" && incident.UndoneBy(run, step) == nil {
		verbs = append(verbs, incident.StepVerbUndo)
	}
	return verbs
}
