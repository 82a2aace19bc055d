package views

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/slack-go/slack"
)

// undoNote says, on a succeeded step's card, which step is its undo (not how that step
// stands: its own card shows that, and this card is not updated when it changes), or why
// the step has no undo.
func undoNote(run *incident.Run, step *incident.RunStep) string {
	if step.State == incident.StepFailed && step.Prior.Undoable() {
		if u := incident.UndoneBy(run, step); u != nil {
			return fmt.Sprintf(":leftwards_arrow_with_hook: Its undo is step %s; see that step's card.", u.Ref(run))
		}
		return ":leftwards_arrow_with_hook: It changed this before it failed; Undo reverts it:\n" + step.Prior.Summary()
	}
	if step.State != incident.StepSucceeded || step.Prior == nil {
		return ""
	}
	if u := incident.UndoneBy(run, step); u != nil {
		return fmt.Sprintf(":leftwards_arrow_with_hook: Its undo is step %s; see that step's card.", u.Ref(run))
	}
	if why := incident.UndoRefusal(step); why != "" {
		return "No undo: " + why + "."
	}
	return ""
}

// undoButton is the Undo of a step that succeeded (or failed partway) and recorded what it changed, until its
// undo is asked for: it adds the inverse step to the run, which is planned and approved
// like any other.
func undoButton(run *incident.Run, step *incident.RunStep) *slack.ButtonBlockElement {
	if incident.UndoRefusal(step) != "" || incident.UndoneBy(run, step) != nil {
		return nil
	}
	btn := button(fmt.Sprintf("step %d %s", step.ID, incident.StepVerbUndo), "Undo", "")
	btn.ActionID = fmt.Sprintf("%sstep-%s-%d", ActionPrefix, incident.StepVerbUndo, step.ID)
	btn.Confirm = confirm("Undo this step?", "This adds a step that reverts it, with its own dry run and approval:\n```"+
		truncate(step.Prior.Summary(), 250)+"```", "Add the undo step")
	return btn
}
