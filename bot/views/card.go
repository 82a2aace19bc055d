// Package views renders incidentbot's Slack surfaces as Block Kit: the incident card, the
// announcement and the declaration modal. Renderings are checked against golden files.
package views

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
	"github.com/slack-go/slack"
)

// Slack's Block Kit limits that these views must respect.
const (
	maxHeaderText  = 150
	maxSectionText = 3000
	maxButtonText  = 75
)

// ActionPrefix starts the action_id of every button whose value is a command.
const ActionPrefix = "incident:"

// CardLinking renders the incident card as Card does, its help line linking to the
// incident's page on the dashboard at publicURL (web.public_url; "" for no link). A
// private incident's card never links there: the dashboard does not show it.
func CardLinking(publicURL string) func(*incident.Incident) ([]slack.Block, string) {
	return func(inc *incident.Incident) ([]slack.Block, string) {
		blocks, text := Card(inc)
		url := incident.DashboardURL(publicURL, inc)
		if url == "" {
			return blocks, text
		}
		for i, b := range blocks {
			if c, ok := b.(*slack.ContextBlock); ok && c.BlockID == "card-help" {
				blocks[i] = slack.NewContextBlock("card-help", mrkdwn(cardHelp+" <"+url+"|This incident on the dashboard>"))
			}
		}
		return blocks, text
	}
}

// cardHelp is the card's last line.
const cardHelp = "Type `/incident help` here for every command. Times show in your time zone."

// Card renders the incident card and its notification fallback text.
func Card(inc *incident.Incident) ([]slack.Block, string) {
	icon := map[incident.Status]string{
		incident.StatusInvestigating: ":red_circle:",
		incident.StatusMitigated:     ":large_yellow_circle:",
		incident.StatusResolved:      ":white_check_mark:",
	}[inc.Status]
	if inc.Drill {
		icon = ":test_tube: DRILL " + icon
	}
	header := truncate(fmt.Sprintf("%s %s %s: %s", icon, inc.Key(), inc.Severity, inc.Title), maxHeaderText)
	fields := []*slack.TextBlockObject{
		mrkdwn(fmt.Sprintf("*Severity*\n%s, %s", inc.Severity, inc.Severity.Description())),
		mrkdwn(fmt.Sprintf("*Status*\n%s", inc.Status)),
		mrkdwn("*Commander*\n" + Mrkdwn(words.Commander(inc))),
		mrkdwn(fmt.Sprintf("*Declared*\n%s", DateToken(inc.DeclaredAt))),
	}
	if inc.Service != "" {
		fields = append(fields, mrkdwn(fmt.Sprintf("*Service*\n%s (tier %d, %s)", inc.Service, inc.Tier, incident.TierName(inc.Tier))))
	}
	if !inc.MitigatedAt.IsZero() && inc.MitigatedAt != inc.ResolvedAt {
		fields = append(fields, mrkdwn(fmt.Sprintf("*Mitigated*\n%s", DateToken(inc.MitigatedAt))))
	}
	if o := inc.Objectives; o.RTO > 0 {
		text := fmt.Sprintf("*RTO* %s (%s)\nby %s", incident.FormatDuration(o.RTO), o.RTOService, DateToken(inc.RTODeadline()))
		if !inc.MitigatedAt.IsZero() {
			met := "met"
			if inc.MitigatedAt.After(inc.RTODeadline()) {
				met = "missed"
			}
			text = fmt.Sprintf("*RTO* %s (%s)\n%s: recovered after %s", incident.FormatDuration(o.RTO), o.RTOService, met,
				incident.FormatDuration(inc.MitigatedAt.Sub(inc.DeclaredAt)))
		}
		fields = append(fields, mrkdwn(text))
	}
	if o := inc.Objectives; o.RPO > 0 {
		fields = append(fields, mrkdwn(fmt.Sprintf("*RPO*\n%s (%s)", incident.FormatDuration(o.RPO), o.RPOService)))
	}
	if e := inc.Estimate; e.Hourly > 0 {
		fields = append(fields, mrkdwn(fmt.Sprintf("*Impact*\n~%s so far (%s/h)", incident.FormatMoney(e.SoFar), incident.FormatMoney(e.Hourly))))
	}
	if inc.PagerDutyURL != "" {
		fields = append(fields, mrkdwn(fmt.Sprintf("*PagerDuty*\n<%s|triggered by PagerDuty>", inc.PagerDutyURL)))
	}
	if !inc.AckedAt.IsZero() {
		fields = append(fields, mrkdwn(fmt.Sprintf("*Acknowledged*\n%s by %s", DateToken(inc.AckedAt), inc.AckedBy)))
	}
	if !inc.ResolvedAt.IsZero() {
		fields = append(fields, mrkdwn(fmt.Sprintf("*Resolved*\n%s (after %s)", DateToken(inc.ResolvedAt),
			incident.FormatDuration(inc.ResolvedAt.Sub(inc.DeclaredAt)))))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, header, true, false), slack.HeaderBlockOptionBlockID("card-header")),
		slack.NewSectionBlock(nil, fields, nil, slack.SectionBlockOptionBlockID("card-fields")),
	}
	if inc.Description != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(inc.Description, maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID("card-description")))
	}
	if inc.Summary != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate("*Resolution:* "+inc.Summary, maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID("card-summary")))
	}
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn(rolesLine(inc)), nil, nil, slack.SectionBlockOptionBlockID("card-roles")))
	if take := takeRoleButtons(inc); len(take) > 0 {
		blocks = append(blocks, slack.NewActionBlock("card-take-roles", take...))
	}
	if runs := playbookButtons(inc); len(runs) > 0 {
		blocks = append(blocks,
			slack.NewContextBlock("card-playbooks-help", mrkdwn("Playbooks that fit this incident (`/incident playbooks` lists all):")),
			slack.NewActionBlock("card-playbooks", runs...))
	}
	blocks = append(blocks,
		slack.NewActionBlock("card-actions", cardButtons(inc)...),
		slack.NewContextBlock("card-help", mrkdwn(cardHelp)),
	)
	return blocks, fmt.Sprintf("%s%s %s: %s (%s)", inc.DrillMark(), inc.Key(), inc.Severity, inc.Title, inc.Status)
}

func cardButtons(inc *incident.Incident) []slack.BlockElement {
	buttons := []slack.BlockElement{
		button("status", "Status", ""),
		button("timeline", "Timeline", ""),
	}
	if inc.Status == incident.StatusInvestigating {
		b := button("mitigate", "Mitigated", "primary")
		b.Confirm = confirm("Mark mitigated?", fmt.Sprintf("The impact of %s is mitigated; the incident stays open until resolved.", inc.Key()), "Mitigated")
		buttons = append(buttons, b)
	}
	if inc.Open() {
		b := button("resolve", "Resolve", "danger")
		b.Confirm = confirm("Resolve the incident?", fmt.Sprintf("%s will be resolved. Use `/incident resolve <summary>` to add a summary.", inc.Key()), "Resolve")
		buttons = append(buttons, b)
	}
	return buttons
}

// rolesLine lists the crisis roles compactly: holder, or unfilled with the on-call person.
func rolesLine(inc *incident.Incident) string {
	parts := make([]string, 0, len(incident.CrisisRoles))
	for _, r := range incident.CrisisRoles {
		switch h, oncall := inc.Holder(r), inc.Roles[r].OnCall; {
		case h != "":
			parts = append(parts, fmt.Sprintf("%s <@%s>", r.Short(), h))
		case oncall != "":
			parts = append(parts, fmt.Sprintf("%s _unfilled, on call <@%s>_", r.Short(), oncall))
		default:
			parts = append(parts, fmt.Sprintf("%s _unfilled_", r.Short()))
		}
	}
	return "*Roles*  " + strings.Join(parts, " · ")
}

// takeRoleButtons offers each unfilled role to whoever clicks, while the incident is open.
func takeRoleButtons(inc *incident.Incident) []slack.BlockElement {
	if !inc.Open() {
		return nil
	}
	var buttons []slack.BlockElement
	for _, r := range incident.CrisisRoles {
		if inc.Holder(r) == "" {
			b := button("role "+string(r)+" me", "Take "+r.Short(), "")
			b.ActionID = ActionPrefix + "take-" + string(r)
			buttons = append(buttons, b)
		}
	}
	return buttons
}

// maxSuggestions bounds the playbook buttons on a card.
const maxSuggestions = 5

// playbookButtons offers the playbooks that fit the incident.
func playbookButtons(inc *incident.Incident) []slack.BlockElement {
	if !inc.Open() {
		return nil
	}
	var out []slack.BlockElement
	for _, name := range inc.Suggestions[:min(len(inc.Suggestions), maxSuggestions)] {
		b := button("playbook "+name, "Run "+name, "")
		b.ActionID = ActionPrefix + "playbook-" + name
		b.Confirm = confirm("Start this playbook?", fmt.Sprintf("Starts `%s` with its default params; steps that change production still wait for their Run and approval.", name), "Start")
		out = append(out, b)
	}
	return out
}

// button makes a button whose value is the command it runs.
func button(command, text, style string) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(ActionPrefix+command, command, plain(truncate(text, maxButtonText)))
	b.Style = slack.Style(style)
	return b
}

func confirm(title, text, yes string) *slack.ConfirmationBlockObject {
	return slack.NewConfirmationBlockObject(plain(title), mrkdwn(text), plain(yes), plain("Cancel"))
}

// Announcement renders the message that tells the announce channel about a new incident.
func Announcement(inc *incident.Incident) ([]slack.Block, string) {
	text := fmt.Sprintf(":rotating_light: %s*%s* %s (%s) declared by <@%s>: %s", inc.DrillMark(), inc.Key(), inc.Severity, inc.Severity.Description(), inc.DeclaredBy, inc.Title)
	if inc.Service != "" {
		text += fmt.Sprintf("\nService: %s (tier %d)", inc.Service, inc.Tier)
	}
	text += fmt.Sprintf("\nJoin <#%s> to help.", inc.ChannelID)
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(text, maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID("announcement"))}
	return blocks, fmt.Sprintf("%s%s %s declared: %s", inc.DrillMark(), inc.Key(), inc.Severity, inc.Title)
}

// DateToken renders t as a Slack date token, so each reader sees their own time zone, with
// UTC as the fallback.
func DateToken(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), incident.FormatTime(t))
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// truncate cuts s to at most n characters, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
