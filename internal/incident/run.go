package incident

import (
	"context"
	"fmt"
	"time"
)

// StepState is where a playbook step stands. Every change is a compare-and-set inside one
// write transaction, so concurrent clicks move a step once.
type StepState string

// The step states: pending -> awaiting_approval -> approved -> running -> succeeded | failed |
// unknown, or skipped and rejected on the way.
const (
	StepPending          StepState = "pending"
	StepAwaitingApproval StepState = "awaiting_approval"
	StepApproved         StepState = "approved"
	StepRunning          StepState = "running"
	StepSucceeded        StepState = "succeeded"
	StepFailed           StepState = "failed"
	StepUnknown          StepState = "unknown" // it was running when the bot stopped: a person must verify
	StepSkipped          StepState = "skipped"
	StepRejected         StepState = "rejected"
)

// Finished reports whether a step needs nothing more.
func (s StepState) Finished() bool {
	return s == StepSucceeded || s == StepSkipped
}

// RunSpec is a rendered playbook, ready to start: every template already filled in.
type RunSpec struct {
	Playbook string
	Title    string
	Params   map[string]string
	Phases   []PhaseSpec
}

// PhaseSpec is a phase of a run with its window from the start of the run.
type PhaseSpec struct {
	Name          string
	After, Within time.Duration
	Steps         []StepSpec
}

// StepSpec is a rendered step.
type StepSpec struct {
	StepID         string   `json:"step_id"`
	Title          string   `json:"title"`
	Owner          Role     `json:"owner"`
	Action         Action   `json:"action"`  // what the step does, for the executors
	Summary        string   `json:"summary"` // the action on one line, for people
	Plan           string   `json:"plan,omitempty"`
	Mutating       bool     `json:"mutating"`
	ApprovalRoles  []Role   `json:"approval_roles,omitempty"`
	ApprovalGroups []string `json:"approval_groups,omitempty"`
	TwoPerson      bool     `json:"two_person,omitempty"`
	// DrillLive marks a drill's step that acts on a drill cluster (drills.clusters) and so
	// runs for real; a drill's other steps are dry runs at most.
	DrillLive bool `json:"drill_live,omitempty"`
}

// NeedsApproval reports whether someone must approve the step before it runs.
func (s StepSpec) NeedsApproval() bool { return len(s.ApprovalRoles) > 0 || len(s.ApprovalGroups) > 0 }

// Manual reports whether a person does the step and marks it done.
func (s StepSpec) Manual() bool { return s.Action.Type == "manual" }

// Run is a playbook being run in an incident.
type Run struct {
	ID         int64
	IncidentID int64
	Playbook   string
	Title      string
	Params     map[string]string
	StartedBy  string
	StartedAt  time.Time
	CardTS     string // the pinned run card
	Steps      []RunStep
	// Number is the run's place among its incident's runs, from 1: the first half of its
	// steps' numbers (Ref). Not stored; numberRun and RunsOf fill it in, 0 until then.
	Number int
}

// Ref is the step's number as its card shows it and a person types it: <run>.<step>,
// such as 1.3, counted within the incident (r is the step's run).
func (s *RunStep) Ref(r *Run) string {
	n := r.Number
	if n == 0 {
		n = 1
	}
	return fmt.Sprintf("%d.%d", n, s.Seq)
}

// RunStep is one step of a run and its state.
type RunStep struct {
	ID          int64
	RunID       int64
	Seq         int // order in the run, from 1
	Phase       int // index of the phase, from 0
	PhaseName   string
	PhaseAfter  time.Duration
	PhaseWithin time.Duration
	Spec        StepSpec
	State       StepState
	RequestedBy string // who asked to run it
	ApprovedBy  string
	DecidedBy   string // who finished, skipped, rejected or marked it
	Attempts    int    // executions started
	Output      string // the last result, cut to Slack's limits
	CardTS      string
	UpdatedAt   time.Time
	Plan        string    // the latest server-side dry run: what would change, or why it would be refused
	PlannedAt   time.Time // zero until planned
	// ApprovedAt is when ApprovedBy approved (zero while nobody has), and ApprovedPlan the
	// PlanDigest of the plan they approved ("" for a step without a dry run): the execution
	// runs only if a fresh dry run has that digest, and not after Settings.ApprovalTTL.
	ApprovedAt   time.Time
	ApprovedPlan string
	// BreakGlass is the reason the incident commander gave for the step's latest approval
	// alone (kept after it ran or was voided, for the review); BreakGlasses counts them.
	BreakGlass   string
	BreakGlasses int
	// Voided says why the step's last approval no longer counts (VoidPlanChanged,
	// VoidLapsed) while it awaits a new one; PlanChange is then what changed in the plan
	// (PlanChange's line diff). Both are cleared when the step leaves awaiting approval.
	Voided     string
	PlanChange string
	// Prior is what the step's last successful execution changed, as it was before, for
	// Undo; nil when it recorded nothing (not a Kubernetes change, or it failed).
	Prior *Prior
}

// NeedsDryRun reports whether a step is planned against its cluster before approval: a
// Kubernetes step, or a Patroni switchover (whose plan names the leader, the candidate and
// its lag).
func (s StepSpec) NeedsDryRun() bool {
	return s.Mutating && (s.Action.Kubernetes() || s.Action.Type == "patroni.switchover")
}

// Deadline is when the step's phase window closes.
func (s *RunStep) Deadline(r *Run) time.Time { return r.StartedAt.Add(s.PhaseWithin) }

// StepResult is what an execution produced.
type StepResult struct {
	OK     bool
	Output string // status and the start of the answer, for the timeline and the card
	// RPO is the data loss the step measured (a database switchover reads its candidate's
	// lag): recorded as the incident's measured RPO when the step succeeds; nil for none.
	RPO *MeasuredRPO
	// Prior is what a successful mutating Kubernetes action changed, as it was before (nil
	// for the other actions): stored with the step, it is what Undo reverts to.
	Prior *Prior
}

// Planner dry-runs a step against the outside world (a server-side dry run for Kubernetes)
// and says what would change, or what would be refused, changing nothing.
type Planner interface {
	Plan(ctx context.Context, inc *Incident, step *RunStep) (string, error)
}

// Executor runs the steps that act on the outside world (http, kubernetes.*), each by its
// typed Action. Manual and notify steps never reach it. An error means the step could not
// be run at all. cmd wires playbook.Dispatcher, which hands kubernetes.* steps to kube.Actions.
type Executor interface {
	Execute(ctx context.Context, inc *Incident, step *RunStep) (StepResult, error)
}

// ChangeMark says who is changing production: the incident, the step and the claim token
// of the delivery that runs it. Executors write it on what they change (the Kubernetes
// adapter as an annotation), so people can see what changed an object and why.
type ChangeMark struct {
	Incident string // INC-42
	Step     string // as its card numbers it: 1.3, and its playbook ID
	Claim    int64  // the fencing token of the delivery
}

// String is the mark as written on objects: "INC-42 step 1.3 promote-db, claim 7".
func (m ChangeMark) String() string {
	return fmt.Sprintf("%s step %s, claim %d", m.Incident, m.Step, m.Claim)
}

type changeMarkKey struct{}

// WithChangeMark returns ctx carrying m, for the executor of a step.
func WithChangeMark(ctx context.Context, m ChangeMark) context.Context {
	return context.WithValue(ctx, changeMarkKey{}, m)
}

// ChangeMarkFrom returns the mark ctx carries; ok is false outside a step's execution.
func ChangeMarkFrom(ctx context.Context) (m ChangeMark, ok bool) {
	m, ok = ctx.Value(changeMarkKey{}).(ChangeMark)
	return m, ok
}
