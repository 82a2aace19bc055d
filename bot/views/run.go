package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/slack-go/slack"
)

var stepIcons = map[incident.StepState]string{
	incident.StepPending:          ":white_circle:",
	incident.StepAwaitingApproval: ":hourglass_flowing_sand:",
	incident.StepApproved:         ":large_blue_circle:",
	incident.StepRunning:          ":arrows_counterclockwise:",
	incident.StepSucceeded:        ":white_check_mark:",
	incident.StepFailed:           ":x:",
	incident.StepUnknown:          ":warning:",
	incident.StepSkipped:          ":fast_forward:",
	incident.StepRejected:         ":no_entry:",
}

// StepCard renders one step of a run: phase header (for a phase's first step), owner,
// deadline, state, the rendered action and its plan, who asked, approved and decided, the
// output, and the buttons its state allows.
func StepCard(inc *incident.Incident, run *incident.Run, step *incident.RunStep, now time.Time) ([]slack.Block, string) {
	var blocks []slack.Block
	id := fmt.Sprintf("step-%d", step.ID)
	if step.Seq == 1 || run.Steps[step.Seq-2].Phase != step.Phase {
		header := fmt.Sprintf("*Phase %d: %s*  window %s to %s, deadline %s", step.Phase+1, step.PhaseName,
			shortDuration(step.PhaseAfter), shortDuration(step.PhaseWithin), DateToken(step.Deadline(run)))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(header), nil, nil, slack.SectionBlockOptionBlockID(id+"-phase")))
	}
	state := strings.ReplaceAll(string(step.State), "_", " ")
	fields := []*slack.TextBlockObject{
		mrkdwn("*Owner*\n" + ownerText(inc, step.Spec.Owner)),
		mrkdwn(fmt.Sprintf("*State*\n%s %s", stepIcons[step.State], state)),
		mrkdwn("*Deadline*\n" + deadlineText(run, step, now)),
	}
	if step.Spec.NeedsApproval() {
		who := approvers(step.Spec)
		if step.Spec.TwoPerson {
			who += " (two-person: not the one who asked)"
		}
		fields = append(fields, mrkdwn("*Approval*\n"+who))
	}
	title := fmt.Sprintf("%s *Step %s: %s*", stepIcons[step.State], step.Ref(run), step.Spec.Title)
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(title, maxSectionText)), fields, nil, slack.SectionBlockOptionBlockID(id)))
	action := "```" + truncate(step.Spec.Summary, 2900) + "```"
	if step.Spec.Plan != "" {
		action += "\n*Plan*\n```" + truncate(step.Spec.Plan, 2000) + "```"
	}
	if step.Plan != "" {
		action += fmt.Sprintf("\n*Dry run* (%s, plan `%s`)\n```%s```", DateToken(step.PlannedAt), incident.PlanDigest(step.Plan), truncate(step.Plan, 2000))
	} else if step.Spec.NeedsDryRun() && !step.State.Finished() && step.State != incident.StepRunning {
		action += "\n_Dry run pending._"
	}
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(action, maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID(id+"-action")))
	if note := voidedText(step); note != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(note, maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID(id+"-voided")))
	}
	if who := peopleText(step); who != "" {
		blocks = append(blocks, slack.NewContextBlock(id+"-people", mrkdwn(who)))
	}
	if step.Output != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate("*Result*\n```"+step.Output+"```", maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID(id+"-output")))
	}
	if step.State == incident.StepUnknown {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(":warning: This step was running when the bot stopped. It will not run again on its own: check by hand whether it happened, then Retry, Mark done or Skip."),
			nil, nil, slack.SectionBlockOptionBlockID(id+"-unknown")))
	}
	if note := undoNote(run, step); note != "" {
		blocks = append(blocks, slack.NewContextBlock(id+"-undo", mrkdwn(note)))
	}
	buttons := stepButtons(step)
	if undo := undoButton(run, step); undo != nil {
		buttons = append(buttons, undo)
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock(id+"-actions", buttons...))
	}
	return blocks, fmt.Sprintf("%s step %s: %s (%s)", inc.Key(), step.Ref(run), step.Spec.Title, state)
}

// shortDuration writes a phase boundary as the playbook does: 5m, 1h, 1h30m, 90s.
func shortDuration(d time.Duration) string {
	h, m := d/time.Hour, (d%time.Hour)/time.Minute
	switch {
	case d == 0:
		return "start"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", h)
	case d%time.Minute == 0 && h > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", m)
	}
	return d.String()
}

func ownerText(inc *incident.Incident, owner incident.Role) string {
	if owner == "" {
		owner = incident.RoleCommander
	}
	if h := inc.Holder(owner); h != "" {
		return fmt.Sprintf("%s (<@%s>)", owner.Title(), h)
	}
	return owner.Title() + " (unfilled)"
}

func deadlineText(run *incident.Run, step *incident.RunStep, now time.Time) string {
	dl := step.Deadline(run)
	text := DateToken(dl)
	if !step.State.Finished() && now.After(dl) {
		text += fmt.Sprintf("\n:rotating_light: overdue by %s", incident.FormatDuration(now.Sub(dl)))
	}
	return text
}

func approvers(spec incident.StepSpec) string {
	var who []string
	for _, r := range spec.ApprovalRoles {
		who = append(who, r.Title())
	}
	for _, g := range spec.ApprovalGroups {
		who = append(who, "group "+g)
	}
	return strings.Join(who, " or ")
}

// voidedText says why the step's last approval no longer counts, while it awaits a new one.
func voidedText(step *incident.RunStep) string {
	if step.State != incident.StepAwaitingApproval {
		return ""
	}
	switch step.Voided {
	case incident.VoidLapsed:
		return ":warning: *The approval lapsed*: the step had not run in time, and nothing ran. Approve it again."
	case incident.VoidPlanChanged:
		return ":warning: *The plan changed* since it was approved (the cluster drifted, or someone else changed the object), so that approval no longer counts and nothing ran. " +
			"Read the new dry run above and approve again.\n*What changed*\n```" + truncate(step.PlanChange, 2000) + "```"
	}
	return ""
}

func peopleText(step *incident.RunStep) string {
	var parts []string
	if step.RequestedBy != "" {
		parts = append(parts, fmt.Sprintf("asked by <@%s>", step.RequestedBy))
	}
	if step.ApprovedBy != "" {
		parts = append(parts, fmt.Sprintf("approved by <@%s>", step.ApprovedBy))
	}
	if step.BreakGlasses > 0 {
		parts = append(parts, fmt.Sprintf(":rotating_light: break-glass (%d): %s", step.BreakGlasses, step.BreakGlass))
	}
	if step.DecidedBy != "" && step.DecidedBy != incident.BotActor {
		parts = append(parts, fmt.Sprintf("%s by <@%s>", strings.ReplaceAll(string(step.State), "_", " "), step.DecidedBy))
	}
	return strings.Join(parts, " · ")
}

// stepButtons offers what the step's state allows; each button runs `step <id> <verb>` with
// the step's ID, which never changes meaning (a person types the card's number instead).
func stepButtons(step *incident.RunStep) []slack.BlockElement {
	b := func(verb, text, style string) *slack.ButtonBlockElement {
		btn := button(fmt.Sprintf("step %d %s", step.ID, verb), text, style)
		btn.ActionID = fmt.Sprintf("%sstep-%s-%d", ActionPrefix, verb, step.ID)
		return btn
	}
	var out []slack.BlockElement
	switch step.State {
	case incident.StepPending:
		if step.Spec.Manual() && step.Spec.NeedsApproval() {
			out = append(out, b(incident.StepVerbRun, "Request approval", "primary"))
		} else if step.Spec.Manual() {
			out = append(out, b(incident.StepVerbDone, "Mark done", "primary"))
		} else {
			run := b(incident.StepVerbRun, "Run", "primary")
			if step.Spec.NeedsApproval() {
				run.Text = plain("Request approval")
			} else if step.Spec.Mutating {
				run.Confirm = confirm("Run this step?", "It changes production:\n```"+truncate(step.Spec.Summary, 250)+"```", "Run")
			}
			out = append(out, run)
		}
		out = append(out, b(incident.StepVerbSkip, "Skip", ""))
	case incident.StepAwaitingApproval:
		approve := b(incident.StepVerbApprove, "Approve", "primary")
		if d := incident.PlanDigest(step.Plan); d != "" {
			// The approval is for this card's plan: a click on it once the plan changed is refused.
			approve.Value += " --plan " + d
		}
		approve.Confirm = confirm("Approve and run?", "It runs as soon as you approve:\n```"+truncate(step.Spec.Summary, 250)+"```", "Approve")
		if step.Spec.Manual() {
			approve.Confirm = confirm("Approve?", "A person does it by hand once you approve:\n```"+truncate(step.Spec.Summary, 250)+"```", "Approve")
		}
		out = append(out, approve, b(incident.StepVerbReject, "Reject", "danger"), b(incident.StepVerbSkip, "Skip", ""))
	case incident.StepApproved:
		if step.Spec.Manual() { // approved for a person to do: they mark it done
			out = append(out, b(incident.StepVerbDone, "Mark done", "primary"), b(incident.StepVerbSkip, "Skip", ""))
		}
	case incident.StepFailed, incident.StepUnknown:
		out = append(out, b(incident.StepVerbRetry, "Retry", ""), b(incident.StepVerbDone, "Mark done", ""), b(incident.StepVerbSkip, "Skip", ""))
	case incident.StepRejected:
		out = append(out, b(incident.StepVerbRetry, "Ask again", ""), b(incident.StepVerbSkip, "Skip", ""))
	}
	return out
}

// RunCard renders a run's progress against its phase deadlines.
func RunCard(inc *incident.Incident, run *incident.Run, now time.Time) ([]slack.Block, string) {
	head := fmt.Sprintf(":clipboard: *Playbook: %s* (`%s`)\nStarted by <@%s> %s", run.Title, run.Playbook, run.StartedBy, DateToken(run.StartedAt))
	if len(run.Params) > 0 {
		var ps []string
		for _, k := range sortedKeys(run.Params) {
			ps = append(ps, fmt.Sprintf("%s=%s", k, run.Params[k]))
		}
		head += "\nParams: " + strings.Join(ps, " ")
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(head, maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("run-%d", run.ID)))}
	var lines []string
	done, total := 0, len(run.Steps)
	for i := 0; i < len(run.Steps); {
		phase := run.Steps[i].Phase
		j, finished, attention := i, 0, ""
		for ; j < len(run.Steps) && run.Steps[j].Phase == phase; j++ {
			s := run.Steps[j]
			if s.State.Finished() {
				finished++
			}
			if s.State == incident.StepAwaitingApproval || s.State == incident.StepFailed || s.State == incident.StepUnknown {
				attention = fmt.Sprintf(" · step %s %s", s.Ref(run), strings.ReplaceAll(string(s.State), "_", " "))
			}
		}
		done += finished
		first := run.Steps[i]
		icon := ":white_circle:"
		dl := first.Deadline(run)
		switch {
		case finished == j-i:
			icon = ":white_check_mark:"
		case now.After(dl):
			icon = ":rotating_light:"
		case finished > 0 || now.After(run.StartedAt.Add(first.PhaseAfter)):
			icon = ":arrows_counterclockwise:"
		}
		line := fmt.Sprintf("%s *%d. %s*  %d/%d  deadline %s%s", icon, phase+1, first.PhaseName, finished, j-i, DateToken(dl), attention)
		if finished < j-i && now.After(dl) {
			line += fmt.Sprintf(" · *overdue by %s*", incident.FormatDuration(now.Sub(dl)))
		}
		lines = append(lines, line)
		i = j
	}
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(strings.Join(lines, "\n"), maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("run-%d-phases", run.ID))))
	blocks = append(blocks, slack.NewContextBlock(fmt.Sprintf("run-%d-progress", run.ID),
		mrkdwn(fmt.Sprintf("%d of %d steps done. Each step below has its own card and buttons.", done, total))))
	return blocks, fmt.Sprintf("%s playbook %s: %d/%d steps done", inc.Key(), run.Title, done, total)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
