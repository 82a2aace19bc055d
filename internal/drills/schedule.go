// Package drills reminds the team of the disaster recovery tests the BCDR plan schedules:
// one reminder per schedule entry and period, posted once even across restarts.
package drills

import (
	"fmt"
	"time"
)

// Entry is one kind of recovery test and how often it is due.
type Entry struct {
	Name     string `yaml:"name"` // unique, such as regional-failover
	Title    string `yaml:"title"`
	Every    string `yaml:"every"`    // weekly, monthly, quarterly or semiannual
	Playbook string `yaml:"playbook"` // the playbook to drill, offered in the reminder
	Scope    string `yaml:"scope"`
	Duration string `yaml:"duration"`
	Criteria string `yaml:"criteria"` // the success criteria
}

// Frequencies are the values Entry.Every may take.
var Frequencies = []string{"weekly", "monthly", "quarterly", "semiannual"}

// DefaultSchedule is the plan's Disaster Recovery Testing Schedule.
func DefaultSchedule() []Entry {
	return []Entry{
		{Name: "backup-restoration", Title: "Backup restoration test", Every: "weekly", Playbook: "database-corruption",
			Scope: "Individual service backups", Duration: "2 hours", Criteria: "100% data integrity, <15 minute RTO"},
		{Name: "service-failover", Title: "Service failover test", Every: "monthly", Playbook: "application-service-failure",
			Scope: "Individual service failover", Duration: "1 hour", Criteria: "<2 minute failover, no data loss"},
		{Name: "regional-failover", Title: "Regional failover test", Every: "quarterly", Playbook: "regional-outage",
			Scope: "Complete regional infrastructure", Duration: "4 hours", Criteria: "<45 minute RTO, <5 minute RPO"},
		{Name: "full-recovery", Title: "Full disaster recovery test", Every: "semiannual", Playbook: "multi-region-cloud-outage",
			Scope: "Complete system recovery", Duration: "8 hours", Criteria: "<8 hour RTO, <1 hour RPO"},
		{Name: "crisis-management", Title: "Crisis management exercise", Every: "quarterly", Playbook: "cyber-security-incident",
			Scope: "Crisis team coordination and communication", Duration: "2 hours", Criteria: "Effective coordination and communication"},
	}
}

// Period names the period of the given frequency that t (in UTC) falls in: 2026-W48,
// 2026-11, 2026-Q4 or 2026-H2.
func Period(every string, t time.Time) (string, error) {
	t = t.UTC()
	switch every {
	case "weekly":
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w), nil
	case "monthly":
		return t.Format("2006-01"), nil
	case "quarterly":
		return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1), nil
	case "semiannual":
		return fmt.Sprintf("%d-H%d", t.Year(), (int(t.Month())-1)/6+1), nil
	}
	return "", fmt.Errorf("%q is not a frequency: use weekly, monthly, quarterly or semiannual", every)
}
