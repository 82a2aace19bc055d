package incident_test

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// A service's figure of 0 for a segment is a value, not "unset": only a segment a service
// does not name falls back to the plan's figure.
func TestImpactOfZeroIsAValue(t *testing.T) {
	cat := incident.Catalog{
		"ledger":    {Name: "ledger", Tier: 1, HourlyImpact: map[string]float64{incident.SegmentLargeEnterprise: 60000, incident.SegmentMidMarket: 0, incident.SegmentSmallBusiness: 0}},
		"free-tier": {Name: "free-tier", Tier: 3, HourlyImpact: map[string]float64{incident.SegmentLargeEnterprise: 0}},
		"docs":      {Name: "docs", Tier: 3},
	}
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	all := map[string]int{incident.SegmentLargeEnterprise: 100, incident.SegmentMidMarket: 100, incident.SegmentSmallBusiness: 100}
	for _, tc := range []struct {
		name     string
		services []string
		want     float64
	}{
		{"every segment set, two of them to 0", []string{"ledger"}, 60000},
		{"one segment set to 0, the others the plan's", []string{"free-tier"}, 45000 + 8500},
		{"nothing set: the plan's figures", []string{"docs"}, 125000 + 45000 + 8500},
		{"no service: the plan's figures", nil, 125000 + 45000 + 8500},
		{"the highest per segment among the services", []string{"ledger", "free-tier"}, 60000 + 45000 + 8500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inc := &incident.Incident{Services: tc.services, Impact: all, DeclaredAt: now}
			if got := inc.EstimateImpact(cat, now).Hourly; got != tc.want {
				t.Errorf("hourly %s, want %s", incident.FormatMoney(got), incident.FormatMoney(tc.want))
			}
		})
	}
}
