package incident

import (
	"context"
	"fmt"
	"time"
)

// KPIInput is what one incident's KPIs are computed from, as ListTx.KPIInputs reads it:
// the incident with its services (not its roles), its runs with their playbook and the
// state of each step (nothing else of them), and its follow-ups.
type KPIInput struct {
	Incident  Incident
	Runs      []Run
	Followups []Followup
}

// StatsInBulk computes the same KPIs as Stats, from a few reads of the whole set of
// incidents declared since (ListTx.KPIInputs) instead of several reads per incident: what
// the dashboard shows on every load.
func (s *Service) StatsInBulk(ctx context.Context, since time.Time) (*Stats, error) {
	st := &Stats{Since: since, Until: s.clock.Now()}
	for _, g := range []*StatsGroup{&st.Real, &st.Drill} {
		g.ByTier, g.ByScenario = map[Tier]*KPIs{}, map[string]*KPIs{}
	}
	var inputs []KPIInput
	if err := s.store.View(ctx, func(tx Tx) (err error) { inputs, err = tx.KPIInputs(since); return err }); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	for i := range inputs {
		in := &inputs[i]
		inc := &in.Incident
		g := &st.Real
		if inc.Drill {
			g = &st.Drill
		}
		obj := inc.ComputeObjectives(s.settings.Catalog)
		add := func(k *KPIs) { k.add(inc, obj, in.Runs, in.Followups, st.Until) }
		add(&g.All)
		add(kpisOf(g.ByTier, inc.Tier))
		seen := map[string]bool{}
		for _, r := range in.Runs {
			if !seen[r.Playbook] && !inc.Private {
				seen[r.Playbook] = true
				add(kpisOf(g.ByScenario, r.Playbook))
			}
		}
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
