package views

import (
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// emoji is how Slack shows each icon.
var emoji = map[words.Icon]string{
	words.IconBell:      ":bell:",
	words.IconWarning:   ":warning:",
	words.IconFailure:   ":x:",
	words.IconAlert:     ":rotating_light:",
	words.IconClock:     ":hourglass:",
	words.IconSpeaker:   ":loudspeaker:",
	words.IconPeople:    ":busts_in_silhouette:",
	words.IconLink:      ":link:",
	words.IconChart:     ":chart_with_downwards_trend:",
	words.IconBoard:     ":classical_building:",
	words.IconEyes:      ":eyes:",
	words.IconMitigated: ":large_yellow_circle:",
	words.IconResolved:  ":white_check_mark:",
	words.IconMemo:      ":memo:",
}

// Mrkdwn renders a sentence in Slack's mrkdwn: people and channels as mentions (Slack
// shows each reader the name), code in backticks, text typed in Slack as it came.
func Mrkdwn(s words.Sentence) string {
	var b strings.Builder
	if e := emoji[s.Icon]; e != "" {
		b.WriteString(e + " ")
	}
	for _, p := range s.Parts {
		switch p.Kind {
		case words.Person:
			if p.Value == incident.BotActor {
				b.WriteString(incident.BotActor)
			} else {
				b.WriteString("<@" + p.Value + ">")
			}
		case words.Channel:
			b.WriteString("<#" + p.Value + ">")
		case words.Code:
			b.WriteString("`" + escape(p.Value) + "`")
		case words.Strong:
			b.WriteString("*" + escape(p.Value) + "*")
		case words.Link:
			if p.Label == "" {
				b.WriteString("<" + p.Value + ">")
			} else {
				b.WriteString("<" + p.Value + "|" + escape(p.Label) + ">")
			}
		case words.Chat:
			b.WriteString(p.Value)
		case words.Break:
			b.WriteString("\n")
		case words.Block:
			b.WriteString("\n```\n" + escape(p.Value) + "\n```")
		default:
			b.WriteString(escape(p.Value))
		}
	}
	return b.String()
}

// Notice renders what the channel is told of event e of inc: its notice, or the timeline's
// line for a kind that has none.
func Notice(e *incident.TimelineEvent, inc *incident.Incident) string {
	s, ok := words.Notice(*e, inc)
	if !ok {
		s = words.Event(*e)
	}
	return Mrkdwn(s)
}

// Topic is the channel topic of inc (the adapter cuts it to Slack's limit).
func Topic(inc *incident.Incident) string { return Mrkdwn(words.Topic(inc)) }

// EventText is one event as `timeline` shows it in Slack.
func EventText(e incident.TimelineEvent) string { return Mrkdwn(words.Event(e)) }

// escape makes words safe in mrkdwn: &, < and > are Slack's control characters.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
