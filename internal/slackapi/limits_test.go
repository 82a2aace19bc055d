package slackapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/slack-go/slack"
)

// The emulator refuses what Slack refuses, with Slack's error codes: this is what the guard
// must keep the bot from sending.
func TestEmulatorEnforcesSlacksLimits(t *testing.T) {
	chat, _ := newChat(t)
	ctx := context.Background()
	ch, err := chat.CreateChannel(ctx, "inc-1-limits", false)
	if err != nil {
		t.Fatal(err)
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	section := func(s string) slack.Block { return slack.NewSectionBlock(mrkdwnText(s), nil, nil) }
	button := func(text, value string) slack.BlockElement {
		return slack.NewButtonBlockElement("incident:x", value, slack.NewTextBlockObject(slack.PlainTextType, text, false, false))
	}
	var fields []*slack.TextBlockObject
	for range 11 {
		fields = append(fields, mrkdwnText("f"))
	}
	var buttons []slack.BlockElement
	for range 26 {
		buttons = append(buttons, button("b", "v"))
	}
	var many []slack.Block
	for range 51 {
		many = append(many, section("s"))
	}
	for _, c := range []struct {
		name   string
		blocks []slack.Block
		text   string
		reason string
	}{
		{"text over 40,000 characters", nil, long(40001), "msg_too_long"},
		{"51 blocks", many, "t", "invalid_blocks"},
		{"section text of 3,001", []slack.Block{section(long(3001))}, "t", "invalid_blocks"},
		{"11 fields", []slack.Block{slack.NewSectionBlock(nil, fields, nil)}, "t", "invalid_blocks"},
		{"header of 151", []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, long(151), false, false))}, "t", "invalid_blocks"},
		{"button text of 76", []slack.Block{slack.NewActionBlock("a", button(long(76), "v"))}, "t", "invalid_blocks"},
		{"button value of 2,001", []slack.Block{slack.NewActionBlock("a", button("b", long(2001)), button("b", "v"))}, "t", "invalid_blocks"},
		{"26 buttons", []slack.Block{slack.NewActionBlock("a", buttons...)}, "t", "invalid_blocks"},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := []slack.MsgOption{slack.MsgOptionText(c.text, false)}
			if c.blocks != nil {
				opts = append(opts, slack.MsgOptionBlocks(c.blocks...))
			}
			if _, _, err := chat.API.PostMessageContext(ctx, ch.ID, opts...); err == nil || !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("posted as it is: %v, want %s", err, c.reason)
			}
			blocks, text := slackapi.FitMessage(c.blocks, c.text)
			opts = []slack.MsgOption{slack.MsgOptionText(text, false)}
			if blocks != nil {
				opts = append(opts, slack.MsgOptionBlocks(blocks...))
			}
			if _, _, err := chat.API.PostMessageContext(ctx, ch.ID, opts...); err != nil {
				t.Errorf("posted through FitMessage: %v", err)
			}
		})
	}
}

// The largest inputs each view meets in practice post to the emulator: a card with every
// role, service and field at its longest, a run of 200 steps in 30 phases, step cards with
// the longest plan and output, the status and a timeline page of long notes, a notice of a
// long note, and a message far over every limit.
func TestLargestViewsPost(t *testing.T) {
	chat, emu := newChat(t)
	chat.StepCard, chat.RunCard = views.StepCard, views.RunCard
	ctx := context.Background()
	ch, err := chat.CreateChannel(ctx, "inc-1-largest", false)
	if err != nil {
		t.Fatal(err)
	}
	inc, run, now := largestIncident()
	note := testenv.LongNote()
	noteEvent := &incident.TimelineEvent{IncidentID: 1, Seq: 9999, Actor: "U0BOB", Kind: incident.EventNote, Format: incident.FormatData, Data: incident.EventData{Text: note}, At: now}
	var page []incident.TimelineEvent
	for i := range commands.TimelinePageSize {
		e := *noteEvent
		e.Seq = 5000 - commands.TimelinePageSize + 1 + i
		page = append(page, e)
	}
	messages := map[string]incident.Message{
		"card":         {Card: inc},
		"announcement": {Announcement: inc},
		"run card":     {Incident: inc, Run: run, Now: now},
		"status":       {Text: commands.StatusText(inc, nil, now)},
		"timeline":     {Text: commands.TimelinePage(inc, page, false, 5000/commands.TimelinePageSize, 5000, views.EventText)},
		"notice":       {Event: noteEvent, Incident: inc},
	}
	for i := range run.Steps {
		if i%40 == 0 || i == len(run.Steps)-1 {
			messages[fmt.Sprintf("step card %d", i+1)] = incident.Message{Incident: inc, Run: run, Step: &run.Steps[i], Now: now}
		}
	}
	for name, m := range messages {
		t.Run(name, func(t *testing.T) {
			m.Key = name
			ts, err := chat.Post(ctx, ch.ID, m)
			if err != nil {
				t.Fatalf("post: %v", err)
			}
			if err := chat.Update(ctx, ch.ID, ts, m); err != nil {
				t.Fatalf("update: %v", err)
			}
		})
	}
	if err := chat.UpdateCard(ctx, ch.ID, mustPost(t, chat, ch.ID, incident.Message{Key: "card-again", Card: inc}), inc); err != nil {
		t.Errorf("update card: %v", err)
	}
	if n := len(emu.Channel(ch.ID).Messages); n < len(messages)+1 {
		t.Errorf("the channel has %d messages, want %d", n, len(messages)+1)
	}
}

// largestIncident is an incident with everything at its longest: title, description and
// summary, every role unfilled with someone on call, the most playbook suggestions, and a
// run of 200 steps in 30 phases with the longest summary, plan, dry run and output.
func largestIncident() (*incident.Incident, *incident.Run, time.Time) {
	declared := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	now := declared.Add(30 * time.Hour)
	long := testenv.LongNote()
	inc := &incident.Incident{ID: 1, Number: 99999, Title: strings.Repeat("Intent API returning 500s — ", 10)[:incident.MaxTitleLen], Severity: incident.P0,
		Status: incident.StatusMitigated, Commander: "U0ALICE", DeclaredBy: "U0ALICE", DeclaredAt: declared, MitigatedAt: declared.Add(time.Hour),
		ChannelID: "C0INC1", Description: long, Summary: long, Service: "intent-processing", Tier: 1, Drill: true,
		PagerDutyURL: "https://acme.pagerduty.com/incidents/" + strings.Repeat("Q", 200), AckedAt: declared.Add(time.Minute), AckedBy: strings.Repeat("Dana ", 40),
		Roles: map[incident.Role]incident.RoleState{}, RPOAchieved: -1}
	for i := range 60 {
		inc.Services = append(inc.Services, fmt.Sprintf("service-%02d-%s", i, strings.Repeat("x", 40)))
	}
	for _, r := range incident.CrisisRoles {
		inc.Roles[r] = incident.RoleState{OnCall: "U0ONCALL" + strings.ToUpper(string(r[0]))}
	}
	for i := range 20 {
		inc.Suggestions = append(inc.Suggestions, fmt.Sprintf("playbook-%02d-%s", i, strings.Repeat("p", 60)))
	}
	inc.Objectives = incident.Objectives{RTO: 15 * time.Minute, RTOService: "intent-processing", RPO: 30 * time.Second, RPOService: "intent-processing"}
	inc.Estimate = incident.Estimate{Hourly: 125000, SoFar: 3750000}
	run := &incident.Run{ID: 7, IncidentID: 1, Playbook: strings.Repeat("p", 60), Title: strings.Repeat("Database recovery ", 10), StartedBy: "U0ALICE", StartedAt: declared,
		Params: map[string]string{}}
	for i := range 40 {
		run.Params[fmt.Sprintf("param_%02d", i)] = strings.Repeat("v", 60)
	}
	states := []incident.StepState{incident.StepPending, incident.StepAwaitingApproval, incident.StepFailed, incident.StepUnknown, incident.StepSucceeded, incident.StepRejected}
	for i := range 200 {
		phase := i / 7
		spec := incident.StepSpec{StepID: fmt.Sprintf("step-%03d", i), Title: strings.Repeat("Promote the standby ", 15), Owner: incident.RoleTechnicalLead,
			Action: incident.Action{Type: "kubernetes.exec"}, Summary: long, Plan: long, Mutating: true,
			ApprovalRoles: []incident.Role{incident.RoleCommander, incident.RoleTechnicalLead}, ApprovalGroups: []string{strings.Repeat("g", 80)}, TwoPerson: true}
		run.Steps = append(run.Steps, incident.RunStep{ID: int64(1000000 + i), RunID: 7, Seq: i + 1, Phase: phase, PhaseName: strings.Repeat("Failover ", 20),
			PhaseWithin: time.Duration(phase+1) * 15 * time.Minute, Spec: spec, State: states[i%len(states)], Plan: long, PlannedAt: declared,
			Output: strings.Repeat(long, 4), RequestedBy: "U0BOB", ApprovedBy: "U0ALICE", DecidedBy: "U0CAROL"})
	}
	return inc, run, now
}

func mustPost(t *testing.T, chat *slackapi.Chat, channel string, m incident.Message) string {
	t.Helper()
	ts, err := chat.Post(context.Background(), channel, m)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func mrkdwnText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
