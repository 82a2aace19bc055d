package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func measuredRPOCases() []testCase {
	return []testCase{
		{"RoundTrips", measuredRPORoundTrips},
		{"StatsFactsUseIt", statsFactsUseTheMeasuredRPO},
		{"ChangeIsAStatsChange", measuredRPOChangeIsAStatsChange},
	}
}

// An incident's measured RPO reads back as stored (a window of zero is a measurement, not
// none; milliseconds are kept), beside the typed one; none reads back as nil.
func measuredRPORoundTrips(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	if got := readIncident(t, s, inc.ID); got.RPOMeasured != nil {
		t.Fatalf("a new incident has a measured RPO: %+v", got.RPOMeasured)
	}
	for _, m := range []incident.MeasuredRPO{
		{Window: 0, LagBytes: 9000, Basis: "n2 was the synchronous standby", Step: "1.3 promote-db"},
		{Window: 42*time.Second + 7*time.Millisecond, LagBytes: 1 << 40, Basis: `n2 was behind; "quoted" <text>`, Step: "2.1 switchover"},
	} {
		inc.RPOMeasured, inc.RPOAchieved = &m, 10*time.Second
		update(t, s, func(tx incident.Tx) error { return tx.UpdateIncident(inc) })
		got := readIncident(t, s, inc.ID)
		if got.RPOMeasured == nil || *got.RPOMeasured != m || got.RPOAchieved != 10*time.Second {
			t.Errorf("measured %+v (typed %s) reads back as %+v (typed %s)", m, inc.RPOAchieved, got.RPOMeasured, got.RPOAchieved)
		}
	}
	created := minimalIncident(2)
	created.RPOMeasured = &incident.MeasuredRPO{Window: time.Second, Basis: "b", Step: "1.1 s"}
	created = createIncident(t, s, created)
	if got := readIncident(t, s, created.ID).RPOMeasured; got == nil || *got != *created.RPOMeasured {
		t.Errorf("a created incident's measured RPO reads back as %+v", got)
	}
}

// The KPIs' facts carry the measured RPO where there is one (marked measured), else the
// typed one.
func statsFactsUseTheMeasuredRPO(t *testing.T, s incident.Store) {
	typed := minimalIncident(1)
	typed.RPOAchieved = 20 * time.Second
	typed = createIncident(t, s, typed)
	both := minimalIncident(2)
	both.RPOAchieved, both.RPOMeasured = 10*time.Second, &incident.MeasuredRPO{Window: 45 * time.Second, Basis: "b", Step: "1.1 s"}
	both = createIncident(t, s, both)
	none := createIncident(t, s, minimalIncident(3))
	var facts []incident.StatsFact
	view(t, s, func(tx incident.Tx) (err error) { facts, err = tx.StatsFacts(time.Time{}); return err })
	want := map[int64]struct {
		rpo      time.Duration
		measured bool
	}{typed.ID: {20 * time.Second, false}, both.ID: {45 * time.Second, true}, none.ID: {-1, false}}
	if len(facts) != 3 {
		t.Fatalf("%d facts, want 3", len(facts))
	}
	for _, f := range facts {
		if w := want[f.ID]; f.RPOAchieved != w.rpo || f.RPOMeasured != w.measured {
			t.Errorf("incident %d: RPO %s measured %v, want %s %v", f.ID, f.RPOAchieved, f.RPOMeasured, w.rpo, w.measured)
		}
	}
	view(t, s, func(tx incident.Tx) (err error) { facts, err = tx.StatsFactsOf([]int64{both.ID}); return err })
	if len(facts) != 1 || facts[0].RPOAchieved != 45*time.Second || !facts[0].RPOMeasured {
		t.Errorf("StatsFactsOf: %+v", facts)
	}
}

// Recording a measured RPO, and nothing else, names the incident among the stats changes.
func measuredRPOChangeIsAStatsChange(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	var position int64
	view(t, s, func(tx incident.Tx) (err error) { _, position, err = tx.StatsChanges(0); return err })
	inc.RPOMeasured = &incident.MeasuredRPO{Window: 0, Basis: "b", Step: "1.1 s"}
	update(t, s, func(tx incident.Tx) error { return tx.UpdateIncident(inc) })
	var ids []int64
	view(t, s, func(tx incident.Tx) (err error) { ids, _, err = tx.StatsChanges(position); return err })
	if !slices.Contains(ids, inc.ID) {
		t.Errorf("StatsChanges after a measured RPO = %v, want %d among them", ids, inc.ID)
	}
}
