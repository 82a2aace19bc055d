package incident

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"
	"unicode/utf8"
)

// MaxOutput is how much of a step's output is kept and shown (a Slack section holds 3000).
const MaxOutput = 2000

// runEffect delivers the effects of playbook runs.
func (o *Outbox) runEffect(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	var run *Run
	if err := o.Store.View(ctx, func(tx Tx) (err error) {
		if run, err = tx.Run(e.Payload.RunID); err != nil {
			return err
		}
		return numberRun(tx, run)
	}); err != nil {
		return result{}, StoreFailed(err)
	}
	step := findStep(run, e.Payload.StepID, e.Payload.Seq)
	now := o.Clock.Now()
	switch e.Kind {
	case EffectPostRunCard:
		ts, err := o.post(ctx, inc.ChannelID, e, Message{Key: e.Key, Run: run, Incident: inc, Now: now})
		if err != nil {
			return result{}, err
		}
		return result{
			store: func(tx Tx, _ time.Time) error { run.CardTS = ts; return tx.UpdateRun(run) },
			event: EventCardPosted,
			data:  EventData{How: CardRun, Playbook: run.Playbook},
			follow: []followUp{
				{kind: EffectPinCard, discriminator: "run-" + ts, payload: EffectPayload{TS: ts}},
				{kind: EffectPostStepCard, discriminator: fmt.Sprintf("%d-1", run.ID), payload: EffectPayload{RunID: run.ID, Seq: 1}},
				refreshBookmark(BookmarkRun, fmt.Sprint(run.ID)),
			},
		}, nil
	case EffectPostStepCard:
		if step == nil {
			return result{}, fmt.Errorf("run %d has no step %d", run.ID, e.Payload.Seq)
		}
		ts, err := o.post(ctx, inc.ChannelID, e, Message{Key: e.Key, Run: run, Step: step, Incident: inc, Now: now})
		if err != nil {
			return result{}, err
		}
		r := result{store: func(tx Tx, _ time.Time) error { return setStepCard(tx, run.ID, step.ID, ts) }}
		if next := step.Seq + 1; next <= len(run.Steps) {
			r.follow = []followUp{{kind: EffectPostStepCard, discriminator: fmt.Sprintf("%d-%d", run.ID, next), payload: EffectPayload{RunID: run.ID, Seq: next}}}
		}
		return r, nil
	case EffectUpdateStep:
		if step == nil || step.CardTS == "" {
			return result{}, Errorf(ENOTREADY, "the step's card is not posted yet")
		}
		if err := o.Chat.Update(ctx, inc.ChannelID, step.CardTS, Message{Run: run, Step: step, Incident: inc, Now: now}); err != nil {
			return result{}, err
		}
		return o.converge(ctx, run, e)
	case EffectUpdateRunCard:
		if run.CardTS == "" {
			return result{}, Errorf(ENOTREADY, "the run card is not posted yet")
		}
		if err := o.Chat.Update(ctx, inc.ChannelID, run.CardTS, Message{Run: run, Incident: inc, Now: now}); err != nil {
			return result{}, err
		}
		return o.converge(ctx, run, e)
	case EffectExecuteStep:
		return o.execute(ctx, inc, run, step, e)
	case EffectPlanStep:
		return o.plan(ctx, inc, run, step)
	}
	return result{}, fmt.Errorf("unknown run effect %s", e.Kind)
}

// converge makes card updates, which run in parallel and may finish out of order, end on
// the latest state: after an update lands, the run is read again, and if it changed since
// the update was rendered, one more update of the same card is queued. It is keyed by the
// update that landed, so every stale landing gets its own re-update (a key by the state to
// show would be taken already when a stale update lands after that state was shown once),
// and a retried delivery of the same update queues it once.
func (o *Outbox) converge(ctx context.Context, rendered *Run, e *Effect) (result, error) {
	var fresh *Run
	if err := o.Store.View(ctx, func(tx Tx) (err error) { fresh, err = tx.Run(rendered.ID); return err }); err != nil {
		return result{}, nil // the card was updated; a later change refreshes it again
	}
	if runVersion(fresh) == runVersion(rendered) {
		return result{}, nil
	}
	return result{follow: []followUp{{kind: e.Kind, discriminator: fmt.Sprintf("converge-after-%d", e.ID), payload: e.Payload}}}, nil
}

// runVersion identifies what a run's cards show: each step's state and when it changed.
func runVersion(run *Run) string {
	h := fnv.New64a()
	for _, st := range run.Steps {
		fmt.Fprintf(h, "%d:%s:%d:%d;", st.ID, st.State, st.UpdatedAt.UnixNano(), len(st.Plan))
	}
	return fmt.Sprintf("%x", h.Sum64())
}

func findStep(run *Run, id int64, seq int) *RunStep {
	for i := range run.Steps {
		if (id != 0 && run.Steps[i].ID == id) || (id == 0 && run.Steps[i].Seq == seq) {
			return &run.Steps[i]
		}
	}
	return nil
}

func setStepCard(tx Tx, runID, stepID int64, ts string) error {
	run, err := tx.Run(runID)
	if err != nil {
		return err
	}
	if s := findStep(run, stepID, 0); s != nil {
		s.CardTS = ts
		return tx.UpdateRunStep(s)
	}
	return nil
}

// execute runs a step once. It never asks the outbox to retry: a delivery that finds the
// step already attempted (the bot stopped during it) marks it unknown instead of running
// it again, and every failure is the step's result for a person to act on.
func (o *Outbox) execute(ctx context.Context, inc *Incident, run *Run, step *RunStep, e *Effect) (result, error) {
	if step == nil || step.State != StepRunning {
		return result{}, nil // decided otherwise meanwhile (the crash rule made it unknown, say)
	}
	if e.Attempts > 0 {
		return o.finishStep(run, step, StepUnknown, "The bot stopped while this step was running; nobody knows whether it finished. Verify, then Retry, Skip or Mark done."), nil
	}
	fresh, void := o.confirmApproval(ctx, inc, run, step)
	if void != nil {
		return *void, nil // nothing ran: the step awaits a new approval
	}
	var (
		state    = StepSucceeded
		output   string
		measured *MeasuredRPO
		prior    *Prior
	)
	switch {
	case inc.Drill && step.Spec.Action.Type != "notify" && !step.Spec.DrillLive:
		// A drill changes nothing real: a dry run where one exists, else nothing at all.
		output = "DRILL: not run for real"
		if fresh != "" {
			output = "DRILL: dry run only: " + fresh
		} else if o.Planner != nil && step.Spec.NeedsDryRun() {
			if plan, err := o.Planner.Plan(ctx, inc, step); err == nil {
				output = "DRILL: dry run only: " + plan
			} else {
				state, output = StepFailed, "DRILL: the dry run failed: "+err.Error()
			}
		} else if step.Spec.Plan != "" {
			output += "; it would have sent:\n" + step.Spec.Plan
		}
	case step.Spec.Action.Type == "notify":
		channel := step.Spec.Action.Channel
		if channel == "" || inc.Drill {
			channel = inc.ChannelID // a drill announces nothing outside its own channel
		}
		_, err := o.Chat.Post(ctx, channel, Message{Key: e.Key, Text: inc.DrillMark() + step.Spec.Action.Text})
		switch {
		case throttled(err) != nil:
			// Held back by the rate budget before any call: nothing was posted, and the
			// outbox delivers the step again later without counting an attempt.
			return result{}, err
		case err != nil:
			state, output = StepFailed, "could not post: "+err.Error()
		default:
			output = "posted"
		}
	case o.Executor == nil:
		state, output = StepFailed, "this bot has no executor for "+step.Spec.Action.Type+" actions"
	default:
		mark := ChangeMark{Incident: inc.Key(), Step: step.Ref(run) + " " + step.Spec.StepID, Claim: e.Claim}
		res, err := o.Executor.Execute(WithChangeMark(ctx, mark), inc, step)
		switch {
		case err != nil:
			state, output = StepFailed, "could not run: "+err.Error()
		case !res.OK:
			state, output, prior = StepFailed, res.Output, res.Prior
		default:
			output, measured, prior = res.Output, res.RPO, res.Prior
		}
	}
	r := o.finishStepWith(run, step, state, output, prior)
	if measured != nil {
		r = o.withMeasuredRPO(r, run, step, *measured)
	}
	return r, nil
}

// withMeasuredRPO adds to a step's result the data loss it measured: the incident's measured
// RPO and its timeline event, in the same transaction, if the result is recorded (the step
// was still running).
func (o *Outbox) withMeasuredRPO(r result, run *Run, step *RunStep, m MeasuredRPO) result {
	m.Step = step.Ref(run) + " " + step.Spec.StepID
	store, recorded := r.store, false
	r.store = func(tx Tx, now time.Time) error {
		fresh, err := tx.Run(run.ID)
		if err != nil {
			return err
		}
		if s := findStep(fresh, step.ID, 0); s != nil && s.State == StepRunning {
			recorded = true
		}
		return store(tx, now)
	}
	r.more = func(c *change) error {
		if !recorded {
			return nil
		}
		return c.recordMeasuredRPO(o.Settings.Catalog, m, step.ref())
	}
	return r
}

// finishStep records a step's result, if the step is still running when it commits.
func (o *Outbox) finishStep(run *Run, step *RunStep, state StepState, output string) result {
	return o.finishStepWith(run, step, state, output, nil)
}

// finishStepWith is finishStep with the prior state the execution recorded, for Undo.
func (o *Outbox) finishStepWith(run *Run, step *RunStep, state StepState, output string, prior *Prior) result {
	output = cut(output, MaxOutput)
	kind := EventStepResult
	if state == StepUnknown {
		kind = EventStepUnknown
	}
	follow := []followUp{
		{kind: EffectUpdateStep, discriminator: fmt.Sprintf("result-%d-%d", step.ID, step.Attempts), payload: EffectPayload{StepID: step.ID, RunID: run.ID}},
		{kind: EffectUpdateRunCard, discriminator: fmt.Sprintf("result-%d-%d", step.ID, step.Attempts), payload: EffectPayload{RunID: run.ID}},
	}
	return result{
		store: func(tx Tx, now time.Time) error {
			fresh, err := tx.Run(run.ID)
			if err != nil {
				return err
			}
			s := findStep(fresh, step.ID, 0)
			if s == nil || s.State != StepRunning {
				return nil
			}
			s.State, s.Output, s.UpdatedAt, s.Prior = state, output, now.UTC().Truncate(time.Millisecond), MergePrior(s.Prior, prior)
			return tx.UpdateRunStep(s)
		},
		event:  kind,
		data:   EventData{Step: step.ref(), Outcome: string(state), Detail: output},
		follow: follow,
	}
}

// plan dry-runs a step that has not run yet and records the plan on the step, its card and
// the timeline (evidence of what the approver saw).
func (o *Outbox) plan(ctx context.Context, inc *Incident, run *Run, step *RunStep) (result, error) {
	if o.Planner == nil || step == nil || (step.State != StepPending && step.State != StepAwaitingApproval) {
		return result{}, nil
	}
	text, err := o.Planner.Plan(ctx, inc, step)
	if err != nil {
		text = "No plan: " + err.Error()
	}
	text = cut(text, MaxOutput)
	return result{
		store: func(tx Tx, now time.Time) error {
			fresh, err := tx.Run(run.ID)
			if err != nil {
				return err
			}
			s := findStep(fresh, step.ID, 0)
			if s == nil {
				return nil
			}
			s.Plan, s.PlannedAt = text, now.UTC().Truncate(time.Millisecond)
			return tx.UpdateRunStep(s)
		},
		event:  EventStepPlanned,
		data:   EventData{Step: step.ref(), Detail: text},
		follow: []followUp{{kind: EffectUpdateStep, discriminator: fmt.Sprintf("plan-%d-%d", step.ID, time.Now().UnixNano()), payload: EffectPayload{StepID: step.ID, RunID: run.ID}}},
	}, nil
}

// cut shortens s to n characters, marking the cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
