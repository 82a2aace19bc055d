package app

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/config"
)

// The plan's default testing schedule names built-in playbooks; a schedule naming a missing
// one stops the bot at start-up.
func TestDrillReminderChecksItsPlaybooks(t *testing.T) {
	cfg := config.Default()
	library, err := LoadLibrary(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := drillReminder(cfg, library); err != nil || r != nil {
		t.Errorf("without drills.channel: %v, %v; want no reminder", r, err)
	}
	cfg.Drills.Channel = "C0DRILLS"
	if r, err := drillReminder(cfg, library); err != nil || r == nil || len(r.Schedule) != 5 {
		t.Fatalf("the default schedule: %+v, %v", r, err)
	}
	cfg.Drills.Schedule[2].Playbook = "moon-landing"
	if _, err := drillReminder(cfg, library); err == nil || !strings.Contains(err.Error(), `drills.schedule[2].playbook: there is no playbook "moon-landing"`) {
		t.Errorf("a missing playbook: %v", err)
	}
}
