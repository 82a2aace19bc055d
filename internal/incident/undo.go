package incident

import (
	"fmt"
	"time"
)

// StepVerbUndo asks for the inverse of a step that succeeded: a new step of the same run
// (ActionUndo) that reverts what the step's Prior recorded, with its own dry run and the
// approval rules of the step it undoes.
const StepVerbUndo = "undo"

// ActionUndo is the action type of an undo step. The Kubernetes adapter computes the
// inverse from Action.Undo when it plans or runs it, and records the prior state of what
// the undo changes in turn, so an undo can be undone too (it redoes the change).
const ActionUndo = "kubernetes.undo"

// UndoPhase is the phase name of the steps Undo adds to a run.
const UndoPhase = "Undo"

// UndoWindow is how long an undo step's phase window is when the step it undoes had none.
const UndoWindow = 15 * time.Minute

// UndoneBy returns the undo step of step in run (the latest one not skipped), or nil. A
// step has at most one such undo: a rejected one can be asked for again (Retry) or skipped,
// after which the step can be undone anew.
func UndoneBy(run *Run, step *RunStep) *RunStep {
	var found *RunStep
	for i := range run.Steps {
		u := &run.Steps[i]
		if u.Spec.Action.Type == ActionUndo && u.Spec.Action.UndoOf == step.ID && u.State != StepSkipped {
			found = u
		}
	}
	return found
}

// UndoRefusal says why step cannot be undone, or "" when it can (ignoring an undo already
// asked for: see UndoneBy).
func UndoRefusal(step *RunStep) string {
	switch p := step.Prior; {
	case step.State == StepFailed && p.Undoable():
		return "" // what it changed before it failed
	case step.State != StepSucceeded:
		return "only a step that succeeded, or failed after changing something, can be undone"
	case p == nil:
		return "it recorded nothing to revert to: only a change the bot made in Kubernetes (scale, patch, apply, cordon, drain, an undo) can be undone"
	case p.NoInverse != "":
		return p.NoInverse
	case !p.Undoable():
		return "it changed nothing"
	}
	return ""
}

// undo adds the inverse of step to run: a step in the run's Undo phase that reverts what
// the step's Prior recorded. It is asked for at once (awaiting approval by the approvers of
// step, the undoer counting as the one who asked) or, when step needed no approval, left
// pending for a person to read its dry run and press Run. Its dry run is queued with its card.
func (s *Service) undo(c *change, run *Run, step *RunStep, actor string) (StepOutcome, error) {
	if err := numberRun(c.tx, run); err != nil {
		return StepOutcome{}, err
	}
	ref := step.Ref(run)
	name := fmt.Sprintf("%s %q (%s)", ref, step.Spec.Title, step.Spec.StepID)
	if why := UndoRefusal(step); why != "" {
		code := EINVALID
		if step.State != StepSucceeded {
			code = ECONFLICT
		}
		return StepOutcome{}, Errorf(code, "Step %s cannot be undone: %s.", name, why)
	}
	if u := UndoneBy(run, step); u != nil {
		return StepOutcome{}, Errorf(ECONFLICT, "Step %s has its undo already: step %s, which %s (skip it to ask for another).", name, u.Ref(run), stateNow(u.State))
	}
	p := step.Prior
	last := run.Steps[len(run.Steps)-1]
	phase := last.Phase
	if last.PhaseName != UndoPhase {
		phase++
	}
	window := step.PhaseWithin - step.PhaseAfter
	if window <= 0 {
		window = UndoWindow
	}
	after := c.now.Sub(run.StartedAt).Truncate(time.Second)
	u := &RunStep{RunID: run.ID, Seq: len(run.Steps) + 1, Phase: phase, PhaseName: UndoPhase, PhaseAfter: after, PhaseWithin: after + window,
		State: StepPending, UpdatedAt: c.stamp(), Spec: StepSpec{
			StepID:  step.Spec.StepID + "-undo",
			Title:   fmt.Sprintf("Undo step %s: %s", ref, step.Spec.Title),
			Owner:   step.Spec.Owner,
			Action:  Action{Type: ActionUndo, Cluster: p.Cluster, Undo: p, UndoOf: step.ID},
			Summary: fmt.Sprintf("undo of step %s:\n%s", ref, p.Summary()),
			// The same rules as the step it undoes: who approves, the two-person rule, and
			// for a drill whether it acts on a drill cluster.
			Mutating: true, ApprovalRoles: step.Spec.ApprovalRoles, ApprovalGroups: step.Spec.ApprovalGroups,
			TwoPerson: step.Spec.TwoPerson, DrillLive: step.Spec.DrillLive,
		}}
	if u.Spec.NeedsApproval() {
		u.State, u.RequestedBy = StepAwaitingApproval, actor
	}
	if err := c.tx.AddRunStep(u); err != nil {
		return StepOutcome{}, err
	}
	uref := u.Ref(run)
	if err := c.event(actor, EventStepUndo, EventData{Step: step.ref(), Number: u.Seq, Title: u.Spec.Title, Detail: p.Summary(), Reason: p.Note}); err != nil {
		return StepOutcome{}, err
	}
	text := fmt.Sprintf("Step %s undoes step %s:\n%s\n", uref, ref, p.Summary())
	if p.Note != "" {
		text += p.Note + "\n"
	}
	if u.State == StepAwaitingApproval {
		d := EventData{Step: u.ref(), Roles: u.Spec.ApprovalRoles, Groups: u.Spec.ApprovalGroups}
		if u.Spec.TwoPerson {
			d.How = StepTwoPerson
		}
		if err := c.event(actor, EventStepRequested, d); err != nil {
			return StepOutcome{}, err
		}
		text += fmt.Sprintf("Its dry run will be on its card; it needs the approval of %s.", Approvers(u.Spec.ApprovalRoles, u.Spec.ApprovalGroups))
	} else {
		text += "Read its dry run on its card, then press Run."
	}
	if err := c.enqueue(EffectPostStepCard, fmt.Sprintf("%d-%d", run.ID, u.Seq), EffectPayload{RunID: run.ID, Seq: u.Seq}); err != nil {
		return StepOutcome{}, err
	}
	if err := c.enqueue(EffectPlanStep, fmt.Sprintf("%d-undo", u.ID), EffectPayload{StepID: u.ID, RunID: run.ID}); err != nil {
		return StepOutcome{}, err
	}
	return StepOutcome{Text: text}, nil
}
