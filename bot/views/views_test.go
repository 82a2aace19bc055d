package views

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/slack-go/slack"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares v, as indented JSON, with testdata/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./bot/views -update and review the diff.\ngot:\n%s", name, got)
	}
}

func sampleIncident() *incident.Incident {
	declared := time.Date(2026, 11, 26, 3, 4, 5, 0, time.UTC)
	return &incident.Incident{
		ID: 1, Number: 42, Title: "Intent API returning 500s", Description: "Since 03:00 UTC, 40% of intents fail.",
		Severity: incident.P1, Service: "intent-processing", Tier: 1, Status: incident.StatusInvestigating,
		DeclaredBy: "U0ALICE", Commander: "U0ALICE", ChannelID: "C0000042", DeclaredAt: declared,
		Services:   []string{"intent-processing"},
		Objectives: incident.Objectives{RTO: 15 * time.Minute, RPO: 30 * time.Second, RTOService: "intent-processing", RPOService: "intent-processing"},
	}
}

func TestCardGolden(t *testing.T) {
	inc := sampleIncident()
	blocks, text := Card(inc)
	golden(t, "card-investigating", map[string]any{"text": text, "blocks": blocks})

	inc.Status, inc.MitigatedAt = incident.StatusMitigated, inc.DeclaredAt.Add(9*time.Minute)
	blocks, text = Card(inc)
	golden(t, "card-mitigated", map[string]any{"text": text, "blocks": blocks})

	inc.Status, inc.ResolvedAt, inc.Summary = incident.StatusResolved, inc.DeclaredAt.Add(14*time.Minute), "Failed over to us-west-2."
	blocks, text = Card(inc)
	golden(t, "card-resolved", map[string]any{"text": text, "blocks": blocks})
}

// With web.public_url the card links to the incident's page on the dashboard; a private
// incident's card does not (the dashboard hides it).
func TestCardLinksToTheDashboard(t *testing.T) {
	inc := sampleIncident()
	blocks, text := CardLinking("https://incidents.example.com")(inc)
	golden(t, "card-dashboard-link", map[string]any{"text": text, "blocks": blocks})
	inc.Private = true
	private, _ := CardLinking("https://incidents.example.com")(inc)
	plain, _ := Card(inc)
	if !reflect.DeepEqual(private, plain) {
		t.Errorf("a private incident's card links to the dashboard:\n%+v", private)
	}
}

func TestCardFromPagerDutyGolden(t *testing.T) {
	inc := sampleIncident()
	inc.DeclaredBy, inc.Commander = incident.BotActor, ""
	inc.PagerDutyID, inc.PagerDutyURL = "Q1ABC", "https://acme.pagerduty.com/incidents/Q1ABC"
	inc.AckedAt, inc.AckedBy = inc.DeclaredAt.Add(2*time.Minute), "Bob"
	inc.Roles = map[incident.Role]incident.RoleState{incident.RoleTechnicalLead: {OnCall: "U0BOB"}, incident.RoleCommander: {OnCall: "U0CAROL"}}
	blocks, text := Card(inc)
	golden(t, "card-pagerduty", map[string]any{"text": text, "blocks": blocks})
}

func TestAnnouncementGolden(t *testing.T) {
	blocks, text := Announcement(sampleIncident())
	golden(t, "announcement", map[string]any{"text": text, "blocks": blocks})
}

func TestDeclareModalGolden(t *testing.T) {
	cat := incident.Catalog{"intent-processing": {Name: "intent-processing", Tier: 1}, "analytics": {Name: "analytics", Tier: 3}}
	golden(t, "declare-modal", DeclareModal(cat, "C0GENERAL"))
}

func TestCardRespectsBlockKitLimits(t *testing.T) {
	inc := sampleIncident()
	inc.Title = strings.Repeat("é", incident.MaxTitleLen)
	inc.Description = strings.Repeat("d", incident.MaxTextLen)
	inc.Summary = strings.Repeat("s", incident.MaxTextLen)
	blocks, _ := Card(inc)
	if len(blocks) > 50 {
		t.Errorf("%d blocks", len(blocks))
	}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if n := utf8.RuneCountInString(b.Text.Text); n > maxHeaderText {
				t.Errorf("header of %d characters", n)
			}
		case *slack.SectionBlock:
			if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > maxSectionText {
				t.Errorf("section of %d characters", utf8.RuneCountInString(b.Text.Text))
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok && (len(btn.ActionID) > 255 || len(btn.Value) > 2000) {
					t.Errorf("button %q out of limits", btn.ActionID)
				}
			}
		}
	}
}

func TestDateToken(t *testing.T) {
	got := DateToken(time.Date(2026, 11, 26, 3, 4, 5, 0, time.UTC))
	if want := "<!date^1795662245^{date_short_pretty} {time}|2026-11-26T03:04:05.000Z>"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func sampleRun() (*incident.Run, time.Time) {
	start := time.Date(2026, 11, 26, 3, 10, 0, 0, time.UTC)
	run := &incident.Run{ID: 7, IncidentID: 1, Playbook: "database-primary-failure", Title: "Database recovery: primary failure",
		Params: map[string]string{"candidate": "postgresql-replica-0", "cluster": "us-east-1"}, StartedBy: "U0ALICE", StartedAt: start}
	specs := []incident.StepSpec{
		{StepID: "switchover", Title: "Promote postgresql-replica-0 to primary", Owner: incident.RoleTechnicalLead, Action: incident.Action{Type: "kubernetes.exec"},
			Summary:  "kubernetes.exec cluster=us-east-1 namespace=nephoran-system pod=postgresql-replica-0 command=[patronictl switchover --force]",
			Mutating: true, ApprovalRoles: []incident.Role{incident.RoleCommander}, TwoPerson: true},
		{StepID: "dns", Title: "Point DNS at the new primary", Owner: incident.RoleTechnicalLead, Action: incident.Action{Type: "http"},
			Summary: "http url=https://dns-failover.internal/v1/database", Plan: "POST https://dns-failover.internal/v1/database\nAuthorization: <from $DNS_FAILOVER_TOKEN>\n\n{\"region\": \"us-west-2\"}",
			Mutating: true, ApprovalRoles: []incident.Role{incident.RoleCommander}},
		{StepID: "validate", Title: "Validate", Owner: incident.RoleTechnicalLead, Action: incident.Action{Type: "manual"}, Summary: "manual"},
	}
	states := []incident.StepState{incident.StepSucceeded, incident.StepAwaitingApproval, incident.StepPending}
	for i, sp := range specs {
		phase, within := 0, 5*time.Minute
		if i > 0 {
			phase, within = 1, 15*time.Minute
		}
		run.Steps = append(run.Steps, incident.RunStep{ID: int64(i + 1), RunID: 7, Seq: i + 1, Phase: phase,
			PhaseName: []string{"Promote", "Repoint"}[phase], PhaseWithin: within, Spec: sp, State: states[i]})
	}
	run.Steps[0].RequestedBy, run.Steps[0].ApprovedBy, run.Steps[0].Output = "U0BOB", "U0ALICE", "Switchover completed"
	run.Steps[1].RequestedBy = "U0BOB"
	return run, start.Add(7 * time.Minute) // phase 1 done, phase 2 open
}

func TestStepCardsGolden(t *testing.T) {
	inc := sampleIncident()
	inc.Roles = map[incident.Role]incident.RoleState{incident.RoleTechnicalLead: {Holder: "U0BOB"}}
	run, now := sampleRun()
	for i := range run.Steps {
		blocks, text := StepCard(inc, run, &run.Steps[i], now)
		golden(t, fmt.Sprintf("step-%d-%s", i+1, run.Steps[i].State), map[string]any{"text": text, "blocks": blocks})
	}
	run.Steps[2].State = incident.StepUnknown
	blocks, _ := StepCard(inc, run, &run.Steps[2], now.Add(20*time.Minute))
	golden(t, "step-3-unknown-overdue", blocks)

	// The switchover, voided by a changed plan after a break-glass approval: the card shows
	// the new dry run, what changed, and an Approve button bound to the new plan's digest.
	st := run.Steps[0]
	st.State, st.ApprovedBy, st.Output = incident.StepAwaitingApproval, "", ""
	st.Plan, st.PlannedAt = "runs patronictl switchover --force in pod nephoran-system/postgresql-replica-1 (an exec cannot be dry-run)", now
	st.Voided, st.PlanChange = incident.VoidPlanChanged, "- runs patronictl switchover in pod nephoran-system/postgresql-replica-0\n+ runs patronictl switchover in pod nephoran-system/postgresql-replica-1"
	st.BreakGlass, st.BreakGlasses = "the DBA is unreachable", 1
	blocks, _ = StepCard(inc, run, &st, now)
	golden(t, "step-1-voided", blocks)
	st.Voided, st.PlanChange = incident.VoidLapsed, ""
	blocks, _ = StepCard(inc, run, &st, now)
	golden(t, "step-1-lapsed", blocks)
}

func TestRunCardGolden(t *testing.T) {
	run, now := sampleRun()
	blocks, text := RunCard(sampleIncident(), run, now)
	golden(t, "run-card", map[string]any{"text": text, "blocks": blocks})
	blocks, text = RunCard(sampleIncident(), run, now.Add(20*time.Minute))
	golden(t, "run-card-overdue", map[string]any{"text": text, "blocks": blocks})
}

// The App Home tab holds at most 100 blocks however many incidents are open.
func TestHomeRespectsTheBlockLimit(t *testing.T) {
	incs := make([]incident.Incident, 200)
	for i := range incs {
		incs[i] = *sampleIncident()
		incs[i].Number = i + 1
	}
	incs[150].Commander = "U0BOB"
	home := Home(incs, len(incs), "U0BOB")
	blocks := home.Blocks.BlockSet
	if len(blocks) > 100 {
		t.Fatalf("%d blocks", len(blocks))
	}
	b, _ := json.Marshal(blocks)
	if s := string(b); !strings.Contains(s, "Open incidents: 200") || !strings.Contains(s, "110 more not shown") || !strings.Contains(s, "*INC-151*") {
		t.Errorf("home for 200 incidents: %s", s)
	}
	if first, ok := blocks[2].(*slack.SectionBlock); !ok || !strings.Contains(first.Text.Text, "*INC-151*") {
		t.Errorf("the viewer's incident is not first: %+v", blocks[2])
	}
}

// Phase windows read as the playbook wrote them (30m once read "3": a suffix trim).
func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "start", 10 * time.Second: "10s", 90 * time.Second: "1m30s", 5 * time.Minute: "5m", 30 * time.Minute: "30m",
		time.Hour: "1h", 90 * time.Minute: "1h30m", 10 * time.Hour: "10h", 20 * time.Minute: "20m",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
