package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Warnings lists what is valid but will not work at run time: roles that the plan's
// default paging pages (for severities paging does not set) but that name no PagerDuty
// target, while paging is on (their pages would fail on every such incident); REST paging
// targets without pagerduty.service; and a drill paging target without a PagerDuty token
// (drills would page nobody); a Statuspage page without its API key (nothing would be
// published).
func (c *Config) Warnings() []string {
	return append(c.pagingWarnings(), c.statuspageWarnings()...)
}

// pagingWarnings are Warnings' about paging.
func (c *Config) pagingWarnings() []string {
	if c.PagerDuty.Token == "" {
		if pagingTargets(c.Drills.Paging) > 0 {
			return []string{"drills.paging: set, but there is no PagerDuty token (PAGERDUTY_TOKEN), so drills page nobody"}
		}
		return nil
	}
	missing := map[incident.Role][]string{}
	for _, sev := range incident.Severities {
		if _, set := c.Paging[string(sev)]; set {
			continue // explicit paging is validated as an error
		}
		for _, r := range incident.DefaultPagingBySeverity()[sev] {
			if _, ok := c.Roles[string(r)]; !ok {
				missing[r] = append(missing[r], string(sev))
			}
		}
	}
	var out []string
	if c.PagerDuty.Service == "" && c.restPaging() {
		out = append(out, "pagerduty.service: not set, so pages through an escalation policy or schedule fail for incidents whose service names no pagerduty_service (and those with no service, such as most drills); set pagerduty.service")
	}
	for _, r := range incident.CrisisRoles {
		if sevs := missing[r]; len(sevs) > 0 {
			out = append(out, fmt.Sprintf("roles.%s: paged by default on %s incidents but names no PagerDuty target, so those pages will fail; set roles.%s, or paging.<severity> to the roles to page",
				r, strings.Join(sevs, ", "), r))
		}
	}
	return out
}

// restPaging reports whether any role or the drill target pages through the REST API (an
// escalation policy or a schedule), which needs a PagerDuty service to create incidents on.
func (c *Config) restPaging() bool {
	for _, r := range append([]Role{c.Drills.Paging}, slices.Collect(maps.Values(c.Roles))...) {
		if r.PagerDutyEscalationPolicy != "" || r.PagerDutySchedule != "" {
			return true
		}
	}
	return false
}
