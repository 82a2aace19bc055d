package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// Drill is the scripted regional-outage drill. It acts only as people and PagerDuty would
// (signed slash commands, clicks on the step cards' buttons, signed webhooks) and reads
// the bot's state only to know when the bot has done what was asked.
type Drill struct {
	World   *World
	Service *incident.Service
	BotURL  string    // the bot's HTTP server, such as http://127.0.0.1:8080
	Out     io.Writer // the narration
	// Wait bounds each wait for the bot (default 30 s).
	Wait time.Duration

	bot   *testenv.SlackSender
	start time.Time
	inc   *incident.Incident
}

// Run plays the drill from declaration to the filed review and returns the incident.
func (d *Drill) Run(ctx context.Context) (*incident.Incident, error) {
	d.bot = &testenv.SlackSender{BaseURL: d.BotURL, Secret: testenv.SlackSigningSecret}
	d.start = time.Now()
	if d.Wait == 0 {
		d.Wait = 30 * time.Second
	}
	w := d.World

	d.narrate("Alice runs the quarterly regional failover drill from #general.")
	if err := d.command(Alice, w.General, "drill regional-outage target_region="+Region+" patroni_url="+w.PatroniURL); err != nil {
		return nil, err
	}
	var channel string
	if err := d.until(ctx, "the drill's channel", func() bool {
		for _, ch := range w.Slack.Channels() {
			if strings.HasPrefix(ch.Name, "inc-1-drill") && len(ch.Pins) > 0 {
				channel = ch.ID
				return true
			}
		}
		return false
	}); err != nil {
		return nil, err
	}
	inc, err := d.Service.ByChannel(ctx, channel)
	if err != nil {
		return nil, err
	}
	d.inc = inc
	d.narrate("The bot opened #%s, pinned the card and paged the crisis roles through the drill policy %s.", w.Slack.Channel(channel).Name, DrillPolicy)

	if err := d.acknowledgePages(ctx); err != nil {
		return nil, err
	}
	for _, c := range []struct {
		who  Person
		text string
	}{
		{Alice, "role tl " + mention(Bob)},
		{Alice, "role comms " + mention(Carol)},
		{Alice, "role bc " + mention(Dave)},
		{Alice, "service add intent-processing"},
		{Alice, "impact 60 large_enterprise"},
	} {
		if err := d.command(c.who, channel, c.text); err != nil {
			return nil, err
		}
	}

	if err := d.runPlaybook(ctx, channel); err != nil {
		return nil, err
	}

	for _, c := range []struct {
		who  Person
		text string
	}{
		{Carol, "update --status-page --customers Service is running from " + Region + " while we rehearse a regional failover. No action is needed."},
		{Dave, "update --execs --stakeholders Regional failover drill: traffic on " + Region + " within the 45-minute RTO; no customer impact."},
		{Alice, "followup Automate the certificate and secret sync check for " + Region + " " + mention(Bob)},
		{Alice, "mitigate"},
		{Alice, "resolve Failed over to " + Region + " within the RTO; the primary region's recovery is planned."},
	} {
		if err := d.command(c.who, channel, c.text); err != nil {
			return nil, err
		}
	}
	if err := d.until(ctx, "the post-incident review on GitHub", func() bool {
		inc, err := d.Service.ByChannel(ctx, channel)
		if err == nil {
			d.inc = inc
		}
		return err == nil && inc.ReviewNumber != 0
	}); err != nil {
		return nil, err
	}
	d.narrate("The bot filed the post-incident review as GitHub issue %s#%d and resolved every page.", Repo, d.inc.ReviewNumber)

	d.narrate("Later, bob finishes his follow-up; the bot closes its GitHub issue and ticks it off in the review.")
	if err := d.until(ctx, "the follow-up filed as an issue", func() bool {
		fs, err := d.Service.Followups(ctx, d.inc.ID)
		return err == nil && len(fs) > 0 && fs[0].IssueNumber != 0
	}); err != nil {
		return nil, err
	}
	if err := d.command(Bob, channel, "followup done 1"); err != nil {
		return nil, err
	}
	if err := d.until(ctx, "the follow-up's issue closed", func() bool {
		fs, err := d.Service.Followups(ctx, d.inc.ID)
		if err != nil || len(fs) == 0 || fs[0].IssueNumber == 0 {
			return false
		}
		for _, is := range w.GitHub.Issues() {
			if is.Number == fs[0].IssueNumber && is.State == "closed" {
				return strings.Contains(w.GitHub.Issues()[d.inc.ReviewNumber-1].Body, "- [x] ")
			}
		}
		return false
	}); err != nil {
		return nil, err
	}
	return d.inc, nil
}

// acknowledgePages waits for the drill's pages and has the on-call person acknowledge
// each, as PagerDuty's webhook tells the bot.
func (d *Drill) acknowledgePages(ctx context.Context) error {
	want := len(incident.CrisisRoles) // a P0 pages every crisis role
	var pages []testenv.PDIncident
	if err := d.until(ctx, fmt.Sprintf("%d pages in PagerDuty", want), func() bool {
		pages = d.World.PD.Incidents()
		return len(pages) >= want
	}); err != nil {
		return err
	}
	for i, p := range pages {
		body := testenv.WebhookBodyAt(fmt.Sprintf("EVACK%02d", i), "incident.acknowledged",
			testenv.PDUser{ID: Bob.PagerDutyID, Name: Bob.Name, Email: Bob.Email}, p, "", time.Now())
		status, err := testenv.SendWebhook(nil, d.BotURL+"/pagerduty/webhook", testenv.PagerDutyWebhookSecret, fmt.Sprintf("DELIVERY-ACK-%02d", i), body)
		if err != nil {
			return err
		}
		if status != 202 {
			return fmt.Errorf("the bot answered the acknowledgement webhook with %d", status)
		}
		d.line("pagerduty", fmt.Sprintf("%s acknowledged %s %q", Bob.Name, p.ID, p.Title))
	}
	return d.until(ctx, "the acknowledgements on the timeline", func() bool {
		return d.count(ctx, incident.EventAcknowledged) >= want
	})
}

// runPlaybook takes every step of the drill's run in order, as its owner would: Mark done
// for manual steps, Run for the others, and the commander's Approve where the step needs
// it. It clicks the buttons on the step cards.
func (d *Drill) runPlaybook(ctx context.Context, channel string) error {
	runs, err := d.Service.RunsOf(ctx, d.inc.ID)
	if err != nil {
		return err
	}
	if len(runs) != 1 {
		return fmt.Errorf("the drill has %d playbook runs, want 1", len(runs))
	}
	for i := range runs[0].Steps {
		stepID := runs[0].Steps[i].ID
		step, err := d.step(ctx, stepID, "its card", func(s *incident.RunStep) bool { return s.CardTS != "" })
		if err != nil {
			return err
		}
		owner := d.person(ctx, step.Spec.Owner)
		switch {
		case step.Spec.Manual():
			err = d.click(ctx, owner, channel, step, incident.StepVerbDone)
		case step.Spec.NeedsApproval():
			if err = d.click(ctx, owner, channel, step, incident.StepVerbRun); err != nil {
				return err
			}
			if step, err = d.step(ctx, stepID, "the approval request", func(s *incident.RunStep) bool {
				return s.State == incident.StepAwaitingApproval && strings.Contains(d.cardBlocks(channel, s.CardTS), "step-approve")
			}); err != nil {
				return err
			}
			err = d.approve(ctx, channel, step)
		default:
			err = d.click(ctx, owner, channel, step, incident.StepVerbRun)
		}
		if err != nil {
			return err
		}
		step, err = d.step(ctx, stepID, "the step to finish", ended)
		if err != nil {
			return err
		}
		if step.State != incident.StepSucceeded {
			return fmt.Errorf("step %s ended %s: %s", step.Spec.StepID, step.State, step.Output)
		}
		if out := summary(step.Output); out != "" {
			d.line("bot", fmt.Sprintf("%s: %s", step.Spec.StepID, out))
		}
	}
	return nil
}

// approve clicks Approve as Alice. An approval voided before the step ran (its plan changed,
// or it lapsed) is shown and given again, on the card as it is then, at most twice more.
func (d *Drill) approve(ctx context.Context, channel string, step *incident.RunStep) error {
	for try := 0; ; try++ {
		before := step.Attempts // each approval starts an execution; a void keeps its count
		if err := d.click(ctx, Alice, channel, step, incident.StepVerbApprove); err != nil {
			return err
		}
		var err error
		if step, err = d.step(ctx, step.ID, "the step to run or its approval to be voided", func(s *incident.RunStep) bool {
			return ended(s) || (s.State == incident.StepAwaitingApproval && s.Voided != "" && s.Attempts > before &&
				strings.Contains(d.cardBlocks(channel, s.CardTS), "-voided"))
		}); err != nil {
			return err
		}
		if step.State != incident.StepAwaitingApproval || try == 2 {
			return nil
		}
		d.line("bot", fmt.Sprintf("%s: the approval no longer counts (%s); asking again", step.Spec.StepID, strings.ReplaceAll(step.Voided, "_", " ")))
	}
}

// ended reports whether a step has come to rest: done, or failed in some way.
func ended(s *incident.RunStep) bool {
	switch s.State {
	case incident.StepSucceeded, incident.StepFailed, incident.StepUnknown, incident.StepSkipped, incident.StepRejected:
		return true
	}
	return false
}

// step re-reads a step of the drill's run until cond holds.
func (d *Drill) step(ctx context.Context, id int64, what string, cond func(*incident.RunStep) bool) (*incident.RunStep, error) {
	var found *incident.RunStep
	err := d.until(ctx, what, func() bool {
		runs, err := d.Service.RunsOf(ctx, d.inc.ID)
		if err != nil || len(runs) == 0 {
			return false
		}
		for i := range runs[0].Steps {
			if s := &runs[0].Steps[i]; s.ID == id && cond(s) {
				found = s
				return true
			}
		}
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("step %d: %w", id, err)
	}
	return found, nil
}

// click presses the button for verb on the step's card, as who.
func (d *Drill) click(ctx context.Context, who Person, channel string, step *incident.RunStep, verb string) error {
	var actionID, value string
	if err := d.until(ctx, fmt.Sprintf("the %s button of step %s", verb, step.Spec.StepID), func() bool {
		actionID, value = findButton(d.cardBlocks(channel, step.CardTS), fmt.Sprintf("step %d %s", step.ID, verb))
		return actionID != ""
	}); err != nil {
		return err
	}
	d.line(who.Name, fmt.Sprintf("clicks %s on %q", buttonLabel(verb, step), step.Spec.Title))
	resp, err := d.bot.Interaction(d.World.Slack.BlockAction(who.SlackID, channel, actionID, value))
	if err != nil {
		return err
	}
	if resp.Status != 200 {
		return fmt.Errorf("the bot answered a click with %d: %s", resp.Status, resp.Body)
	}
	return nil
}

func buttonLabel(verb string, step *incident.RunStep) string {
	switch {
	case verb == incident.StepVerbDone:
		return "Mark done"
	case verb == incident.StepVerbRun && step.Spec.NeedsApproval():
		return "Request approval"
	}
	return strings.ToUpper(verb[:1]) + verb[1:]
}

// cardBlocks returns the blocks of the message at ts in channel, as JSON.
func (d *Drill) cardBlocks(channel, ts string) string {
	ch := d.World.Slack.Channel(channel)
	if ch == nil {
		return ""
	}
	for _, m := range ch.Messages {
		if m.TS == ts {
			return string(m.Blocks)
		}
	}
	return ""
}

// findButton finds the button whose value is value in a message's blocks.
func findButton(blocks, value string) (actionID, val string) {
	var bs []struct {
		Elements []struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if json.Unmarshal([]byte(blocks), &bs) != nil {
		return "", ""
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			// An Approve button carries the digest of the plan on its card after the verb.
			if e.Type == "button" && (e.Value == value || strings.HasPrefix(e.Value, value+" --plan ")) {
				return e.ActionID, e.Value
			}
		}
	}
	return "", ""
}

// command sends /incident text as who in channel and prints the bot's answer.
func (d *Drill) command(who Person, channel, text string) error {
	d.line(who.Name, "/incident "+d.World.plain(text))
	resp, err := d.bot.Command(who.SlackID, channel, text, d.World.Slack.NewTriggerID())
	if err != nil {
		return err
	}
	var body struct {
		Text string `json:"text"`
	}
	if resp.Status != 200 || (len(resp.Body) > 0 && resp.JSON(&body) != nil) {
		return fmt.Errorf("/incident %s: the bot answered %d: %s", text, resp.Status, resp.Body)
	}
	if body.Text != "" {
		d.line("bot", d.World.plain(firstLine(body.Text)))
	}
	return nil
}

// person is who holds role in the drill (the commander when nobody does).
func (d *Drill) person(ctx context.Context, role incident.Role) Person {
	inc, err := d.Service.ByChannel(ctx, d.inc.ChannelID)
	if err == nil {
		holder := inc.Holder(role)
		for _, p := range Team {
			if p.SlackID == holder {
				return p
			}
		}
	}
	return Alice
}

// count counts the drill's timeline events of a kind.
func (d *Drill) count(ctx context.Context, kind incident.EventKind) int {
	evs, err := d.Service.Timeline(ctx, d.inc.ID)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// until polls cond every 20 ms until it holds, ctx ends or the wait runs out.
func (d *Drill) until(ctx context.Context, what string, cond func() bool) error {
	deadline := time.Now().Add(d.Wait)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("the bot did not get to %s within %s", what, d.Wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

func (d *Drill) narrate(format string, args ...any) {
	fmt.Fprintf(d.Out, "\n%s\n", fmt.Sprintf(format, args...))
}

func (d *Drill) line(who, text string) {
	fmt.Fprintf(d.Out, "  %6.2fs  %-9s %s\n", time.Since(d.start).Seconds(), who, text)
}

func mention(p Person) string { return fmt.Sprintf("<@%s|%s>", p.SlackID, p.Name) }

// summary is a step's output on one line: its first three lines that say something (not
// stream headers or table borders).
func summary(output string) string {
	var keep []string
	for _, l := range strings.Split(output, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l == "stdout:" || l == "stderr:" || strings.HasPrefix(l, "+") || strings.HasPrefix(l, "|") {
			continue
		}
		if keep = append(keep, l); len(keep) == 3 {
			break
		}
	}
	return strings.Join(keep, " | ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
