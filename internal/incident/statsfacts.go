package incident

import "time"

// StatsFact is what the KPIs need of one incident, and nothing more: its kind, tier,
// status, services and times (not its text, roles or timeline), the playbooks run in it,
// whether every step of them succeeded or was skipped, and its follow-ups.
type StatsFact struct {
	ID                                           int64
	Tier                                         Tier
	Status                                       Status
	Private, Drill                               bool
	Services                                     []string // in the order they were added
	DeclaredAt, AckedAt, MitigatedAt, ResolvedAt time.Time
	// RPOAchieved is the measured RPO where a step measured one (RPOMeasured), else the
	// window recorded with rpo; -1: neither.
	RPOAchieved time.Duration
	RPOMeasured bool
	// Playbooks are the playbooks of its runs, one per run, in the order they were started.
	Playbooks []string
	// StepsNotDone counts the steps of its runs that neither succeeded nor were skipped.
	StepsNotDone int
	// BreakGlass counts the approvals the commander gave alone in its runs (RunStep.BreakGlasses).
	BreakGlass int
	// Followups have IncidentID, CreatedAt, IssueURL, DoneAt and Outcome; their other
	// fields are zero.
	Followups []Followup
}

// StatsTx reads what the KPIs need. The Service keeps the facts of every incident in
// memory and, on each read, reads again only those of the incidents changed since the last
// one (a log the stores keep with triggers), so the KPIs cost no pass over the history.
type StatsTx interface {
	// StatsFacts returns the facts of the incidents declared at or after since (every
	// incident for the zero time), by ID ascending.
	StatsFacts(since time.Time) ([]StatsFact, error)
	// StatsFactsOf returns the facts of the incidents with these IDs that exist, by ID.
	StatsFactsOf(ids []int64) ([]StatsFact, error)
	// StatsChanges returns the incidents whose facts may have changed since the read that
	// returned position from (some changed before it may come again), and the position of
	// this read. With from 0 it returns only the position. The store forgets changes older
	// than a day: a caller whose position is older reads every fact again.
	StatsChanges(from int64) (ids []int64, next int64, err error)
}

// drillSucceeded reports whether a drill ran a playbook and every step of it succeeded or
// was skipped on purpose.
func (f *StatsFact) drillSucceeded() bool {
	return len(f.Playbooks) > 0 && f.StepsNotDone == 0
}

// RecoveredAt is when service was restored: the mitigation, else the resolution; zero
// while neither has happened.
func (f *StatsFact) RecoveredAt() time.Time {
	if !f.MitigatedAt.IsZero() {
		return f.MitigatedAt
	}
	return f.ResolvedAt
}
