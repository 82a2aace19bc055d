package incident

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// StartRun starts a rendered playbook in the incident of channelID: the run card and the
// step cards are posted, in order, after the commit. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) StartRun(ctx context.Context, actor, channelID string, spec RunSpec) (*Run, error) {
	inc, err := s.ByChannel(ctx, channelID)
	if err != nil {
		return nil, err
	}
	return s.StartRunIn(ctx, actor, inc.ID, spec)
}

// StartRunIn is StartRun for an incident found by its ID (a drill starts its run before its
// channel exists).
func (s *Service) StartRunIn(ctx context.Context, actor string, incidentID int64, spec RunSpec) (*Run, error) {
	if len(spec.Phases) == 0 {
		return nil, Errorf(EINVALID, "The playbook %s has no phases.", spec.Playbook)
	}
	var run *Run
	_, err := s.changeByID(ctx, incidentID, func(c *change) error {
		if err := c.requireOpen(); err != nil {
			return err
		}
		runs, err := c.tx.Runs(c.inc.ID)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Playbook == spec.Playbook && !r.Finished() {
				return Errorf(ECONFLICT, "The playbook %s is already running in %s; finish or skip its steps first.", spec.Playbook, c.inc.Key())
			}
		}
		now := c.stamp()
		run = &Run{IncidentID: c.inc.ID, Playbook: spec.Playbook, Title: spec.Title, Params: spec.Params, StartedBy: actor, StartedAt: now}
		seq := 0
		for i, ph := range spec.Phases {
			for _, st := range ph.Steps {
				seq++
				run.Steps = append(run.Steps, RunStep{Seq: seq, Phase: i, PhaseName: ph.Name, PhaseAfter: ph.After,
					PhaseWithin: ph.Within, Spec: st, State: StepPending, UpdatedAt: now})
			}
		}
		if err := c.tx.CreateRun(run); err != nil {
			return err
		}
		if err := c.event(actor, EventRunStarted, EventData{Title: spec.Title, Playbook: spec.Playbook, Params: formatParams(spec.Params)}); err != nil {
			return err
		}
		// The run card first, then each step's card in order (each post queues the next).
		if err := c.enqueue(EffectPostRunCard, fmt.Sprint(run.ID), EffectPayload{RunID: run.ID}); err != nil {
			return err
		}
		// Dry runs of the steps that change a cluster, so a broken step shows before anyone approves it.
		if s.settings.PlanMaxAge > 0 {
			for _, st := range run.Steps {
				if st.Spec.NeedsDryRun() {
					if err := c.enqueue(EffectPlanStep, fmt.Sprintf("%d-start", st.ID), EffectPayload{StepID: st.ID, RunID: run.ID}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return run, err
}

// Finished reports whether every step of the run is done or skipped.
func (r *Run) Finished() bool {
	for _, s := range r.Steps {
		if !s.State.Finished() {
			return false
		}
	}
	return true
}

func formatParams(p map[string]string) string {
	var parts []string
	for k, v := range p {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Step verbs, as buttons and `/incident step <id> <verb>` carry them.
const (
	StepVerbRun     = "run"
	StepVerbApprove = "approve"
	StepVerbReject  = "reject"
	StepVerbSkip    = "skip"
	StepVerbDone    = "done"
	StepVerbRetry   = "retry"
)

// StepOutcome is the answer to a step action: what happened, or why it was refused.
type StepOutcome struct {
	Step    RunStep
	Text    string
	Refused bool // the actor may not do this; the refusal is on the timeline
}

// ActOnStep applies verb to a step of a run in the incident of channelID. Each transition
// is checked against the step's current state inside the write transaction, so ten
// concurrent clicks move it once. A refused approval is recorded, not an error. Errors:
// ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) ActOnStep(ctx context.Context, actor, channelID string, stepID int64, verb string) (StepOutcome, error) {
	return s.ActOnStepWith(ctx, actor, channelID, stepID, StepAction{Verb: verb})
}

// ActOnStepWith is ActOnStep with what an approval binds to: the plan digest a card's
// button carries, or the commander's break-glass reason. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) ActOnStepWith(ctx context.Context, actor, channelID string, stepID int64, act StepAction) (StepOutcome, error) {
	return s.actOnStepFound(ctx, inChannel(channelID), actor, act, func(*change) (int64, error) { return stepID, nil })
}

// ActOnStepByID is ActOnStep for an incident found by its ID (from the web console).
func (s *Service) ActOnStepByID(ctx context.Context, actor string, incidentID, stepID int64, verb string) (StepOutcome, error) {
	return s.actOnStepFound(ctx, byID(incidentID), actor, StepAction{Verb: verb}, func(*change) (int64, error) { return stepID, nil })
}

// ActOnStepRef is ActOnStep for a step given as its card numbers it: the seq-th step of the
// incident's runNumber-th run (Run.Number, RunStep.Ref), or of its only run when runNumber
// is 0. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) ActOnStepRef(ctx context.Context, actor, channelID string, runNumber, seq int, verb string) (StepOutcome, error) {
	return s.ActOnStepRefWith(ctx, actor, channelID, runNumber, seq, StepAction{Verb: verb})
}

// ActOnStepRefWith is ActOnStepRef with what an approval binds to (ActOnStepWith).
// Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) ActOnStepRefWith(ctx context.Context, actor, channelID string, runNumber, seq int, act StepAction) (StepOutcome, error) {
	verb := act.Verb
	find := func(c *change) (int64, error) {
		runs, err := c.tx.Runs(c.inc.ID)
		if err != nil {
			return 0, err
		}
		verb := Prefix(verb, QuoteLen) // it is echoed back
		example := fmt.Sprintf("such as /incident step 1.1 %s", verb)
		switch {
		case len(runs) == 0:
			return 0, Errorf(ENOTFOUND, "%s has no playbook run; start one with /incident playbook <name>.", c.inc.Key())
		case runNumber == 0 && len(runs) > 1:
			return 0, Errorf(EINVALID, "%s has %d playbook runs; type the step as its card shows it, such as /incident step %d.%d %s.",
				c.inc.Key(), len(runs), len(runs), max(seq, 1), verb)
		case runNumber == 0:
			runNumber = 1
		case runNumber < 1 || runNumber > len(runs):
			return 0, Errorf(ENOTFOUND, "%s has %s; its steps are numbered as on their cards, %s.", c.inc.Key(), plural(len(runs), "playbook run"), example)
		}
		run := runs[runNumber-1]
		if seq < 1 || seq > len(run.Steps) {
			return 0, Errorf(ENOTFOUND, "Run %d of %s (%s) has %s; its steps are numbered %d.1 to %d.%d.",
				runNumber, c.inc.Key(), run.Title, plural(len(run.Steps), "step"), runNumber, runNumber, len(run.Steps))
		}
		return run.Steps[seq-1].ID, nil
	}
	return s.actOnStepFound(ctx, inChannel(channelID), actor, act, find)
}

// plural writes n things: "1 step", "2 steps".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// numberRun sets run.Number from the incident's runs.
func numberRun(tx RunTx, run *Run) error {
	runs, err := tx.Runs(run.IncidentID)
	if err != nil {
		return err
	}
	for i := range runs {
		if runs[i].ID == run.ID {
			run.Number = i + 1
		}
	}
	return nil
}

func (s *Service) actOnStepFound(ctx context.Context, load loader, actor string, act StepAction, find func(*change) (int64, error)) (StepOutcome, error) {
	verb := act.Verb
	var out StepOutcome
	_, err := s.changeWith(ctx, load, func(c *change) error {
		stepID, err := find(c)
		if err != nil {
			return err
		}
		runID, err := c.tx.RunStepRef(stepID)
		if err != nil {
			return err
		}
		run, err := c.tx.Run(runID)
		if err != nil {
			return err
		}
		if run.IncidentID != c.inc.ID {
			return Errorf(ENOTFOUND, "That step belongs to another incident. Type the number its card shows, such as /incident step 1.1 %s.", verb)
		}
		var step *RunStep
		for i := range run.Steps {
			if run.Steps[i].ID == stepID {
				step = &run.Steps[i]
			}
		}
		out, err = s.transition(c, run, step, actor, act)
		if err != nil {
			return err
		}
		if step.State != StepAwaitingApproval {
			step.Voided, step.PlanChange = "", "" // a voided approval's note is for the next approval only
		}
		step.UpdatedAt = c.stamp()
		if err := c.tx.UpdateRunStep(step); err != nil {
			return err
		}
		out.Step = *step
		return c.refreshStep(run, step)
	})
	return out, err
}

// stateNow says where a step stands: "has succeeded", "is awaiting approval".
func stateNow(st StepState) string {
	words := strings.ReplaceAll(string(st), "_", " ")
	if st == StepSucceeded || st == StepFailed {
		return "has " + words
	}
	return "is " + words
}

// transition moves step by verb, recording events and queueing execution.
func (s *Service) transition(c *change, run *Run, step *RunStep, actor string, act StepAction) (StepOutcome, error) {
	verb := act.Verb
	name := fmt.Sprintf("%q (%s)", step.Spec.Title, step.Spec.StepID)
	ref := step.ref()
	conflict := func() (StepOutcome, error) {
		return StepOutcome{}, Errorf(ECONFLICT, "Step %s %s; it cannot be %s now.", name, stateNow(step.State), pastTense(verb))
	}
	if !c.inc.Open() && verb != StepVerbSkip && verb != StepVerbDone {
		return StepOutcome{}, Errorf(ECONFLICT, "%s is resolved; its playbook steps can only be skipped or marked done.", c.inc.Key())
	}
	switch verb {
	case StepVerbRun:
		if step.State != StepPending {
			return conflict()
		}
		if step.Spec.Manual() && !step.Spec.NeedsApproval() {
			return StepOutcome{}, Errorf(EINVALID, "Step %s is done by a person: do it, then press Mark done.", name)
		}
		step.RequestedBy = actor
		step.ApprovedBy, step.ApprovedAt, step.ApprovedPlan = "", time.Time{}, ""
		if step.Spec.NeedsApproval() {
			step.State = StepAwaitingApproval
			who := Approvers(step.Spec.ApprovalRoles, step.Spec.ApprovalGroups)
			d := EventData{Step: ref, Roles: step.Spec.ApprovalRoles, Groups: step.Spec.ApprovalGroups}
			if step.Spec.TwoPerson {
				d.How = StepTwoPerson
			}
			return StepOutcome{Text: fmt.Sprintf("Asked for approval of %s by %s.", name, who)}, c.event(actor, EventStepRequested, d)
		}
		return StepOutcome{Text: fmt.Sprintf("Running %s.", name)}, s.startExecution(c, step, actor)
	case StepVerbApprove, StepVerbReject:
		if step.State != StepAwaitingApproval {
			return conflict()
		}
		if verb == StepVerbApprove {
			return s.approve(c, run, step, actor, act, name)
		}
		if act.BreakGlass != "" {
			return StepOutcome{}, Errorf(EINVALID, "Break-glass is for approving alone; a rejection needs none.")
		}
		if reason := s.mayApprove(c.inc, step.Spec, actor, step.RequestedBy); reason != "" {
			return StepOutcome{Text: "You may not " + verb + " this step: " + reason + ".", Refused: true},
				c.event(actor, EventStepRefused, EventData{Step: ref, How: verb, Reason: reason})
		}
		step.State, step.DecidedBy = StepRejected, actor
		return StepOutcome{Text: fmt.Sprintf("Rejected %s.", name)}, c.event(actor, EventStepRejected, EventData{Step: ref})
	case StepVerbSkip:
		// An approved manual step runs nothing: it may still be skipped.
		if step.State == StepRunning || step.State.Finished() || step.State == StepApproved && !step.Spec.Manual() {
			return conflict()
		}
		step.State, step.DecidedBy = StepSkipped, actor
		return StepOutcome{Text: fmt.Sprintf("Skipped %s.", name)}, c.event(actor, EventStepSkipped, EventData{Step: ref})
	case StepVerbDone:
		switch {
		case step.State == StepPending && step.Spec.Manual() && step.Spec.NeedsApproval():
			return StepOutcome{}, Errorf(EINVALID, "Step %s needs the approval of %s before anyone does it: press Request approval (/incident step %s run).",
				name, Approvers(step.Spec.ApprovalRoles, step.Spec.ApprovalGroups), step.Ref(run))
		case step.State == StepPending && step.Spec.Manual(), step.State == StepApproved && step.Spec.Manual(),
			step.State == StepFailed, step.State == StepUnknown:
		default:
			return conflict()
		}
		was := step.State
		step.State, step.DecidedBy = StepSucceeded, actor
		d := EventData{Step: ref}
		if was != StepPending {
			d.Was = string(was)
		}
		return StepOutcome{Text: fmt.Sprintf("Marked %s done.", name)}, c.event(actor, EventStepDone, d)
	case StepVerbRetry:
		if step.State != StepFailed && step.State != StepUnknown && step.State != StepRejected {
			return conflict()
		}
		was := step.State
		step.State, step.RequestedBy, step.ApprovedBy, step.DecidedBy = StepPending, "", "", ""
		step.ApprovedAt, step.ApprovedPlan = time.Time{}, ""
		return StepOutcome{Text: fmt.Sprintf("%s is pending again; press Run.", name)},
			c.event(actor, EventStepReset, EventData{Step: ref, Was: string(was)})
	case StepVerbUndo:
		return s.undo(c, run, step, actor)
	}
	return StepOutcome{}, Errorf(EINVALID, "Unknown step action %s: use run, approve, reject, skip, done, retry or undo.", Quote(verb))
}

func pastTense(verb string) string {
	switch verb {
	case StepVerbRun:
		return "run"
	case StepVerbDone:
		return "marked done"
	case StepVerbRetry:
		return "retried"
	case StepVerbSkip:
		return "skipped"
	}
	return verb + "d"
}

// startExecution moves a step to running and queues exactly one execution of it.
func (s *Service) startExecution(c *change, step *RunStep, actor string) error {
	step.State = StepRunning
	step.Attempts++
	if err := c.event(actor, EventStepRunning, EventData{Step: step.ref(), Detail: step.Spec.Summary}); err != nil {
		return err
	}
	return c.enqueue(EffectExecuteStep, fmt.Sprintf("%d-%d", step.ID, step.Attempts), EffectPayload{StepID: step.ID, RunID: step.RunID})
}

// mayApprove returns why actor may not approve spec, or "".
func (s *Service) mayApprove(inc *Incident, spec StepSpec, actor, requester string) string {
	if spec.TwoPerson && actor == requester {
		return "the two-person rule forbids approving a step you asked to run"
	}
	for _, r := range spec.ApprovalRoles {
		if inc.Holder(r) == actor {
			return ""
		}
	}
	for _, g := range spec.ApprovalGroups {
		if slices.Contains(s.settings.ApproverGroups[g], actor) {
			return ""
		}
	}
	return "it needs " + Approvers(spec.ApprovalRoles, spec.ApprovalGroups)
}

// Approvers says who may approve a step: "the Incident commander or a member of sre-leads".
func Approvers(roles []Role, groups []string) string {
	var who []string
	for _, r := range roles {
		who = append(who, "the "+r.Title())
	}
	for _, g := range groups {
		who = append(who, "a member of "+g)
	}
	return strings.Join(who, " or ")
}

// refreshStep queues updates of the step's card and the run card, keyed by the latest event.
func (c *change) refreshStep(run *Run, step *RunStep) error {
	seq := fmt.Sprint(c.last.Seq)
	if err := c.enqueue(EffectUpdateStep, seq, EffectPayload{StepID: step.ID, RunID: run.ID}); err != nil {
		return err
	}
	return c.enqueue(EffectUpdateRunCard, seq, EffectPayload{RunID: run.ID})
}

// RecoverSteps runs at start-up: a step found running was interrupted, and is never run
// again on its own. It becomes unknown, and its card asks a person to verify, retry or skip.
func (s *Service) RecoverSteps(ctx context.Context) (int, error) {
	n := 0
	err := s.store.Update(ctx, func(tx Tx) error {
		n = 0 // the store may run this again (a retried transaction)
		steps, err := tx.StepsInState(StepRunning)
		if err != nil {
			return err
		}
		for i := range steps {
			step := &steps[i]
			run, err := tx.Run(step.RunID)
			if err != nil {
				return err
			}
			inc, err := tx.Incident(run.IncidentID)
			if err != nil {
				return err
			}
			c := &change{tx: tx, inc: inc, now: s.clock.Now()}
			step.State, step.UpdatedAt = StepUnknown, c.stamp()
			if err := c.event(BotActor, EventStepUnknown, EventData{Step: step.ref(), How: StepInterrupted}); err != nil {
				return err
			}
			if err := tx.UpdateRunStep(step); err != nil {
				return err
			}
			if err := c.refreshStep(run, step); err != nil {
				return err
			}
			if err := c.tell(); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if n > 0 {
		s.notify()
	}
	return n, err
}

// RunsOf returns the incident's runs, numbered.
func (s *Service) RunsOf(ctx context.Context, incidentID int64) ([]Run, error) {
	var runs []Run
	err := s.store.View(ctx, func(tx Tx) (err error) { runs, err = tx.Runs(incidentID); return err })
	for i := range runs {
		runs[i].Number = i + 1
	}
	return runs, err
}
