package incident

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// KPIs are the BCDR plan's key performance indicators over a set of incidents: how many,
// how fast they were acknowledged and recovered, and how often the recovery objectives
// were met. Rates are over the incidents where the measure applies (Of); a rate with
// Of == 0 is not known.
type KPIs struct {
	Count    int
	Resolved int
	// MTTA is the mean time from declaration to the first PagerDuty acknowledgement, over
	// Acked incidents; MTTR the mean time from declaration to recovery (mitigation, else
	// resolution), over Recovered incidents.
	MTTA, MTTR        time.Duration
	Acked, Recovered  int
	RTOMet, RTOOf     int // recovered within the tightest RTO of their services
	RPOMet, RPOOf     int // data loss (measured at a switchover, else recorded with rpo) within the RPO
	RPOMeasured       int // of RPOOf, the data loss measured at a switchover
	Succeeded, Tested int // drills: resolved with every playbook step succeeded or skipped
	FollowupsFiled    int // follow-ups filed in the tracker, of Followups
	Followups         int
	// FollowupsOnTime of FollowupsDue: the plan's "Improvement Implementation within 30
	// days". Due are the follow-ups done, and those still open after ImplementationWindow;
	// on time, those done within it. Follow-ups closed as not planned count in neither.
	FollowupsOnTime, FollowupsDue int
	// BreakGlass counts the approvals the incident commander gave alone, under break-glass,
	// and BreakGlassIncidents the incidents that had any.
	BreakGlass, BreakGlassIncidents int

	ackSum, recoverSum time.Duration
}

// Stats are the KPIs of the incidents declared since Since, real incidents and drills
// apart, each overall and per tier and per scenario (the playbooks run in them). Private
// incidents count overall and in their tier but under no scenario, which would tell what
// they were about.
type Stats struct {
	Since, Until time.Time
	Real, Drill  StatsGroup
}

// StatsGroup is the KPIs of one kind of incident (real or drill).
type StatsGroup struct {
	All        KPIs
	ByTier     map[Tier]*KPIs   // tier 0: no service named
	ByScenario map[string]*KPIs // playbook name -> KPIs of the incidents it ran in
}

// Stats computes the KPIs of the incidents declared at or after since.
func (s *Service) Stats(ctx context.Context, since time.Time) (*Stats, error) {
	st := &Stats{Since: since, Until: s.clock.Now()}
	for _, g := range []*StatsGroup{&st.Real, &st.Drill} {
		g.ByTier, g.ByScenario = map[Tier]*KPIs{}, map[string]*KPIs{}
	}
	var entries []*statsEntry
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	err := s.store.View(ctx, func(tx Tx) (err error) {
		entries, err = s.stats.update(tx, s.settings.Catalog, since, st.Until)
		return err
	})
	if err != nil {
		// What was read may be half brought up to date: read it all next time.
		s.stats.facts = nil
	}
	for _, e := range entries {
		g := &st.Real
		if e.Drill {
			g = &st.Drill
		}
		add := func(k *KPIs) { k.add(e, st.Until) }
		add(&g.All)
		add(kpisOf(g.ByTier, e.Tier))
		for i, p := range e.Playbooks {
			if !e.Private && !slices.Contains(e.Playbooks[:i], p) { // each scenario once
				add(kpisOf(g.ByScenario, p))
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	for _, g := range []*StatsGroup{&st.Real, &st.Drill} {
		g.All.finish()
		for _, k := range g.ByTier {
			k.finish()
		}
		for _, k := range g.ByScenario {
			k.finish()
		}
	}
	return st, nil
}

func kpisOf[K comparable](m map[K]*KPIs, key K) *KPIs {
	if m[key] == nil {
		m[key] = &KPIs{}
	}
	return m[key]
}

// add counts one incident.
func (k *KPIs) add(e *statsEntry, now time.Time) {
	inc, obj, followups := e, e.obj, e.Followups
	k.Count++
	if !inc.AckedAt.IsZero() {
		k.Acked++
		k.ackSum += inc.AckedAt.Sub(inc.DeclaredAt)
	}
	if recovered := inc.RecoveredAt(); !recovered.IsZero() {
		took := recovered.Sub(inc.DeclaredAt)
		k.Recovered++
		k.recoverSum += took
		if obj.RTO > 0 {
			k.RTOOf++
			if took <= obj.RTO {
				k.RTOMet++
			}
		}
	}
	if obj.RPO > 0 && inc.RPOAchieved >= 0 {
		k.RPOOf++
		if inc.RPOMeasured {
			k.RPOMeasured++
		}
		if inc.RPOAchieved <= obj.RPO {
			k.RPOMet++
		}
	}
	if inc.Status == StatusResolved {
		k.Resolved++
		if inc.Drill {
			k.Tested++
			if e.drillSucceeded() {
				k.Succeeded++
			}
		}
	}
	if e.BreakGlass > 0 {
		k.BreakGlass += e.BreakGlass
		k.BreakGlassIncidents++
	}
	k.Followups += len(followups)
	for _, f := range followups {
		if f.IssueURL != "" {
			k.FollowupsFiled++
		}
		switch {
		case f.Outcome == FollowupDone:
			k.FollowupsDue++
			if f.DoneAt.Sub(f.CreatedAt) <= ImplementationWindow {
				k.FollowupsOnTime++
			}
		case !f.Done() && now.Sub(f.CreatedAt) > ImplementationWindow:
			k.FollowupsDue++
		}
	}
}

func (k *KPIs) finish() {
	if k.Acked > 0 {
		k.MTTA = (k.ackSum / time.Duration(k.Acked)).Round(time.Second)
	}
	if k.Recovered > 0 {
		k.MTTR = (k.recoverSum / time.Duration(k.Recovered)).Round(time.Second)
	}
}

// RecoveredAt is when service was restored: the mitigation, else the resolution; zero
// while neither has happened.
func (inc *Incident) RecoveredAt() time.Time {
	if !inc.MitigatedAt.IsZero() {
		return inc.MitigatedAt
	}
	return inc.ResolvedAt
}

// Tiers returns the tiers the group has incidents in, in order (0, no service, first).
func (g *StatsGroup) Tiers() []Tier {
	tiers := make([]Tier, 0, len(g.ByTier))
	for t := range g.ByTier {
		tiers = append(tiers, t)
	}
	slices.Sort(tiers)
	return tiers
}

// Scenarios returns the playbooks run in the group's incidents, by name.
func (g *StatsGroup) Scenarios() []string {
	names := make([]string, 0, len(g.ByScenario))
	for n := range g.ByScenario {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Mean formats a mean over n incidents, or "n/a" when there were none.
func Mean(d time.Duration, n int) string {
	if n == 0 {
		return "n/a"
	}
	return FormatDuration(d)
}

// Rate formats met of of as a percentage, or "n/a" when nothing was measured.
func Rate(met, of int) string {
	if of == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%% (%d/%d)", 100*float64(met)/float64(of), met, of)
}
