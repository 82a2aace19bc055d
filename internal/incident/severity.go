package incident

import (
	"slices"
	"strings"
	"time"
)

// Severity ranks an incident: P0 is a complete outage, P3 a minor issue.
type Severity string

// The severities, most severe first.
const (
	P0 Severity = "P0" // complete outage
	P1 Severity = "P1" // partial or regional outage
	P2 Severity = "P2" // degradation
	P3 Severity = "P3" // minor
)

// Severities lists every severity, most severe first.
var Severities = []Severity{P0, P1, P2, P3}

// ParseSeverity accepts P0-P3 in either case. It returns EINVALID for anything else.
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToUpper(strings.TrimSpace(s)))
	for _, v := range Severities {
		if sev == v {
			return v, nil
		}
	}
	return "", Errorf(EINVALID, "%s is not a severity: use P0, P1, P2 or P3", Quote(s))
}

// Description says what the severity means, in the words of the BCDR plan.
func (s Severity) Description() string {
	switch s {
	case P0:
		return "complete outage"
	case P1:
		return "partial or regional outage"
	case P2:
		return "degradation"
	case P3:
		return "minor issue"
	}
	return "unknown"
}

// Status is where an incident stands.
type Status string

// The incident statuses, in the order an incident moves through them.
const (
	StatusInvestigating Status = "investigating"
	StatusMitigated     Status = "mitigated"
	StatusResolved      Status = "resolved"
)

// Tier is a service's recovery tier from the Business Impact Analysis: 1 is mission critical.
type Tier int

// Targets are a recovery time objective and a recovery point objective.
type Targets struct {
	RTO time.Duration
	RPO time.Duration
}

// TierTargets returns the seed's default RTO and RPO for a tier, and false for an unknown tier.
func TierTargets(t Tier) (Targets, bool) {
	switch t {
	case 1:
		return Targets{RTO: 15 * time.Minute, RPO: 30 * time.Second}, true
	case 2:
		return Targets{RTO: 45 * time.Minute, RPO: 5 * time.Minute}, true
	case 3:
		return Targets{RTO: 4 * time.Hour, RPO: 15 * time.Minute}, true
	}
	return Targets{}, false
}

// TierName is the seed's name for a tier.
func TierName(t Tier) string {
	switch t {
	case 1:
		return "Mission critical"
	case 2:
		return "Business critical"
	case 3:
		return "Important"
	}
	return "Unclassified"
}

// ServiceInfo is a service that incidents can affect, from configuration.
type ServiceInfo struct {
	Name         string
	Tier         Tier
	Targets      Targets // the tier's defaults unless overridden per service
	Confidential bool    // incidents on it are private
	PagerDuty    string  // the PagerDuty service ID, for pages and for incidents PagerDuty triggers
	// HourlyImpact is the revenue at risk per hour of a full outage, by customer segment; nil
	// for the plan's defaults.
	HourlyImpact map[string]float64
}

// Catalog finds services by name.
type Catalog map[string]ServiceInfo

// Lookup returns the named service or ENOTFOUND listing the known ones.
func (c Catalog) Lookup(name string) (ServiceInfo, error) {
	if s, ok := c[name]; ok {
		return s, nil
	}
	return ServiceInfo{}, Errorf(ENOTFOUND, "unknown service %s; known services: %s", Quote(name), strings.Join(c.Names(), ", "))
}

// Names returns the service names, sorted.
func (c Catalog) Names() []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
