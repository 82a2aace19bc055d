package incident

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// An approval is for the plan that was shown. The Approve button of a step's card carries
// the PlanDigest of the dry run on that card; a click whose digest is not the step's
// current plan (an old card) is refused. The approval records the digest, and just before
// the step runs the outbox dry-runs it again (confirmApproval): a different plan (the
// cluster drifted, someone else changed the object) or an approval older than
// Settings.ApprovalTTL voids the approval. Nothing runs; the step awaits approval again,
// its card showing the new plan and what changed. The incident commander alone may approve
// a step nobody else can (break-glass), with a reason, told in the channel and the
// announce channel and counted by the review and the KPIs; the plan rule still holds.

// What a voided approval's Voided (and its step_voided event's How) says.
const (
	VoidPlanChanged = "plan_changed" // a fresh dry run differs from the plan approved
	VoidLapsed      = "lapsed"       // it was not run within Settings.ApprovalTTL
)

// What the How of step events says of approvals.
const (
	StepStaleCard  = "stale_card"  // step_refused: the click carried the digest of a plan no longer current
	StepBreakGlass = "break_glass" // step_approved: the commander approved alone (Text: the reason)
)

// DefaultApprovalTTL is how long an approval counts before it runs, unless configured.
const DefaultApprovalTTL = 30 * time.Minute

// StepAction is a step verb with what an approval binds to.
type StepAction struct {
	Verb string
	// Card says a card's button carried it; Plan is then the digest of the plan that card
	// showed ("" on a card made before approvals were bound to plans, refused when the step
	// has a plan). Typed, an empty Plan approves the plan the step's card shows now.
	Card bool
	Plan string
	// BreakGlass is the reason the incident commander gives for approving alone; "" for an
	// ordinary approval.
	BreakGlass string
}

// digestLen is how many hex digits of the SHA-256 a digest keeps: 64 bits.
const digestLen = 16

// planNoise is what changes in a plan's text between two dry runs of the same state, and
// so is left out of its digest: the restartedAt stamp a rollout restart would write (the
// time of the dry run), the observedGeneration a controller catches up on by itself, and a
// switchover's replica lag.
var planNoise = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(restartedAt=)[0-9][0-9T:.Z+-]*`), "${1}<time>"},
	{regexp.MustCompile(`(observedGeneration )[0-9]+`), "${1}<n>"},
	// A Patroni switchover's replica lag moves with every write to the leader: the approval
	// is for the leader and the candidate; the lag is read again, and measured, when it runs.
	{regexp.MustCompile(`(\), lag )[^\n]*`), "${1}<lag>"},
}

// PlanDigest identifies a dry-run plan: the first 16 hex digits of the SHA-256 of its text,
// with what differs between two plans of the same state (planNoise) left out. "" for no plan.
func PlanDigest(plan string) string {
	if plan == "" {
		return ""
	}
	for _, n := range planNoise {
		plan = n.re.ReplaceAllString(plan, n.with)
	}
	sum := sha256.Sum256([]byte(plan))
	return hex.EncodeToString(sum[:])[:digestLen]
}

// maxChangeLines caps PlanChange.
const maxChangeLines = 20

// PlanChange is a short line diff of the plan was against the plan now: each line only in
// was as "- line", each only in now as "+ line", in plan order, at most 20 of them.
func PlanChange(was, now string) string {
	a, b := strings.Split(was, "\n"), strings.Split(now, "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var lines []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, "- "+a[i])
			i++
		default:
			lines = append(lines, "+ "+b[j])
			j++
		}
	}
	if len(lines) == 0 {
		return "(only what the digest leaves out changed)"
	}
	if len(lines) > maxChangeLines {
		lines = append(lines[:maxChangeLines], fmt.Sprintf("... and %d more changed lines", len(lines)-maxChangeLines))
	}
	return strings.Join(lines, "\n")
}

// approve decides an approval of a step awaiting one: by a person who may, or by the
// commander alone under break-glass; of the plan the card showed, made recently enough.
// Refusals are on the timeline; bad input is an error and changes nothing.
func (s *Service) approve(c *change, run *Run, step *RunStep, actor string, act StepAction, name string) (StepOutcome, error) {
	ref := step.ref()
	reason := s.mayApprove(c.inc, step.Spec, actor, step.RequestedBy)
	breakGlass := act.BreakGlass != ""
	if breakGlass {
		why, err := checkText("A break-glass reason", act.BreakGlass)
		if err != nil {
			return StepOutcome{}, Errorf(EINVALID, "%s Give it in quotes: /incident step %s approve --break-glass \"<reason>\".", ErrorMessage(err), step.Ref(run))
		}
		act.BreakGlass = why
		if ic := c.inc.Holder(RoleCommander); ic == "" || ic != actor {
			reason := "only the " + RoleCommander.Title() + " may approve alone (break-glass)"
			return StepOutcome{Text: "You may not approve this step: " + reason + ".", Refused: true},
				c.event(actor, EventStepRefused, EventData{Step: ref, How: StepVerbApprove, Reason: reason})
		}
		if reason == "" {
			return StepOutcome{}, Errorf(EINVALID, "You may approve step %s as usual: /incident step %s approve. Break-glass is only for a step nobody else can approve.", name, step.Ref(run))
		}
	} else if reason != "" {
		return StepOutcome{Text: "You may not approve this step: " + reason + ".", Refused: true},
			c.event(actor, EventStepRefused, EventData{Step: ref, How: StepVerbApprove, Reason: reason})
	}
	current := PlanDigest(step.Plan)
	if (act.Card || act.Plan != "") && act.Plan != current {
		// The refusal refreshes the card (actOnStepFound), so it shows the current plan.
		why := fmt.Sprintf("the card showed plan %s, and the plan now is %s", orNone(act.Plan), orNone(current))
		return StepOutcome{Text: fmt.Sprintf("That card is out of date: %s. Read the current plan of %s on its card and approve again.", why, name), Refused: true},
			c.event(actor, EventStepRefused, EventData{Step: ref, How: StepStaleCard, Reason: why, Digest: act.Plan})
	}
	if age := s.settings.PlanMaxAge; age > 0 && step.Spec.NeedsDryRun() && (step.PlannedAt.IsZero() || c.now.Sub(step.PlannedAt) > age) {
		why := "has no dry-run plan yet"
		if !step.PlannedAt.IsZero() {
			why = fmt.Sprintf("has a dry-run plan %s old", FormatDuration(c.now.Sub(step.PlannedAt)))
		}
		if err := c.enqueue(EffectPlanStep, fmt.Sprintf("%d-%d", step.ID, c.now.UnixNano()), EffectPayload{StepID: step.ID, RunID: run.ID}); err != nil {
			return StepOutcome{}, err
		}
		return StepOutcome{Text: fmt.Sprintf("Step %s %s; I am making a fresh one. Read it on the card, then press Approve again.", name, why), Refused: true},
			c.event(actor, EventStepRefused, EventData{Step: ref, How: StepStalePlan, Reason: why})
	}
	step.ApprovedBy, step.ApprovedAt, step.ApprovedPlan = actor, c.stamp(), current
	d := EventData{Step: ref, Users: nonEmpty(step.RequestedBy), Digest: current}
	text := fmt.Sprintf("Approved; running %s.", name)
	if breakGlass {
		step.BreakGlass, step.BreakGlasses = act.BreakGlass, step.BreakGlasses+1
		d.How, d.Text = StepBreakGlass, act.BreakGlass
		text = fmt.Sprintf("Approved alone under break-glass; running %s. The channel is told.", name)
	}
	if err := c.event(actor, EventStepApproved, d); err != nil {
		return StepOutcome{}, err
	}
	if breakGlass {
		if err := c.tell(); err != nil {
			return StepOutcome{}, err
		}
		// A drill announces nothing outside its channel; a private incident is not announced.
		if a := s.settings.AnnounceChannel; a != "" && !c.inc.Private && !c.inc.Drill {
			if err := c.enqueue(EffectPost, fmt.Sprintf("break-glass-%d", c.last.Seq), EffectPayload{Seq: c.last.Seq, Channel: a}); err != nil {
				return StepOutcome{}, err
			}
			text = fmt.Sprintf("Approved alone under break-glass; running %s. The channel and the announce channel are told.", name)
		}
	}
	if step.Spec.Manual() {
		// A person does it: the approval lets them, and they mark it done. It never lapses
		// (Settings.ApprovalTTL): the work may take longer, and it is done by then.
		step.State = StepApproved
		return StepOutcome{Text: strings.Replace(text, "running "+name, name+" may be done now: do it, then press Mark done", 1)}, nil
	}
	return StepOutcome{Text: text}, s.startExecution(c, step, actor)
}

func orNone(digest string) string {
	if digest == "" {
		return "(none)"
	}
	return digest
}

// confirmApproval checks, just before an approved step runs, that its approval still
// counts: it is not older than Settings.ApprovalTTL, and a fresh dry run has the digest of
// the plan approved. It returns that fresh plan ("" when none was made or it failed), or
// the result that voids the approval instead of running the step.
func (o *Outbox) confirmApproval(ctx context.Context, inc *Incident, run *Run, step *RunStep) (string, *result) {
	if step.ApprovedBy == "" || step.ApprovedAt.IsZero() {
		return "", nil // run without an approval, or approved by an older release
	}
	if ttl := o.Settings.ApprovalTTL; ttl > 0 && o.Clock.Now().Sub(step.ApprovedAt) > ttl {
		return "", o.voidApproval(run, step, VoidLapsed, "")
	}
	if step.ApprovedPlan == "" || o.Planner == nil {
		return "", nil
	}
	fresh, err := o.Planner.Plan(ctx, inc, step)
	if err != nil {
		fresh = "No plan: " + err.Error() // as plan records it
	}
	fresh = cut(fresh, MaxOutput)
	if PlanDigest(fresh) != step.ApprovedPlan {
		return "", o.voidApproval(run, step, VoidPlanChanged, fresh)
	}
	if err != nil {
		return "", nil // the plan approved was a failure too: the step meets it again
	}
	return fresh, nil
}

// voidApproval is the result that puts a running step back to awaiting approval, if it is
// still running that attempt when it commits: nobody's approval counts any more, and the
// card and the channel say why (for a changed plan, with the new plan and what changed).
func (o *Outbox) voidApproval(run *Run, step *RunStep, why, plan string) *result {
	ttl := o.Settings.ApprovalTTL
	return &result{more: func(c *change) error {
		fresh, err := c.tx.Run(run.ID)
		if err != nil {
			return err
		}
		s := findStep(fresh, step.ID, 0)
		if s == nil || s.State != StepRunning || s.Attempts != step.Attempts {
			return nil // decided otherwise meanwhile
		}
		d := EventData{Step: s.ref(), How: why, Users: nonEmpty(s.ApprovedBy), Was: s.ApprovedPlan}
		s.State, s.Voided, s.UpdatedAt = StepAwaitingApproval, why, c.stamp()
		s.ApprovedBy, s.ApprovedAt, s.ApprovedPlan = "", time.Time{}, ""
		if why == VoidLapsed {
			d.Duration = ttl
		} else {
			s.PlanChange = PlanChange(s.Plan, plan)
			s.Plan, s.PlannedAt = plan, c.stamp()
			d.Digest, d.Detail = PlanDigest(plan), s.PlanChange
			if err := c.event(BotActor, EventStepPlanned, EventData{Step: s.ref(), Detail: plan}); err != nil {
				return err
			}
		}
		if err := c.tx.UpdateRunStep(s); err != nil {
			return err
		}
		if err := c.event(BotActor, EventStepVoided, d); err != nil {
			return err
		}
		if err := c.tell(); err != nil {
			return err
		}
		return c.refreshStep(fresh, s)
	}}
}
