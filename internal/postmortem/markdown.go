package postmortem

import (
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// markdown renders a sentence as GitHub Markdown on one line: people and channels by
// name (a plain name, not an @mention, which would ping whoever has that login on
// GitHub), code in backticks, links as links, preformatted lines flattened.
func markdown(s words.Sentence, names words.Names) string {
	var b strings.Builder
	for _, p := range words.Expand(s.Parts) {
		switch p.Kind {
		case words.Person:
			b.WriteString(escape(words.PersonName(p.Value, p.Label, names)))
		case words.Channel:
			b.WriteString(escape(words.ChannelName(p.Value, p.Label, names)))
		case words.Code:
			b.WriteString("`" + strings.ReplaceAll(p.Value, "`", "'") + "`")
		case words.Strong:
			b.WriteString("**" + escape(p.Value) + "**")
		case words.Link:
			if p.Label == "" || p.Label == p.Value {
				b.WriteString(p.Value)
			} else {
				b.WriteString("[" + escape(p.Label) + "](" + p.Value + ")")
			}
		case words.Break:
			b.WriteString(" ")
		case words.Block:
			b.WriteString(escape(strings.Join(strings.Fields(p.Value), " ")))
		default:
			b.WriteString(escape(p.Value))
		}
	}
	return strings.ReplaceAll(b.String(), "\n", " ")
}

// chatText renders text a person typed in chat.
func chatText(s string, names words.Names) string {
	return markdown(words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: s}}}, names)
}

// escape keeps words from being read as HTML: GitHub renders tags in Markdown.
func escape(s string) string { return htmlEscaper.Replace(s) }

var htmlEscaper = strings.NewReplacer("<", "&lt;", ">", "&gt;")

// named lists the chat users and channels the review of d names: who acted, held roles,
// owns follow-ups, ran steps, and everyone and every channel its timeline and texts name.
func named(d incident.ReviewData) incident.Named {
	var n incident.Named
	seen := map[string]bool{"": true, incident.BotActor: true}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			n.People = append(n.People, id)
		}
	}
	addSentence := func(s words.Sentence) {
		people, channels := words.Mentions(s)
		for _, id := range people {
			add(id)
		}
		for _, id := range channels {
			if !seen["#"+id] {
				seen["#"+id] = true
				n.Channels = append(n.Channels, id)
			}
		}
	}
	addText := func(s string) { addSentence(words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: s}}}) }
	inc := d.Incident
	add(inc.DeclaredBy)
	add(inc.Commander)
	for _, r := range incident.CrisisRoles {
		add(inc.Holder(r))
	}
	addText(inc.Title)
	addText(inc.Description)
	addText(inc.Summary)
	for _, run := range d.Runs {
		for _, s := range run.Steps {
			add(s.RequestedBy)
			add(s.ApprovedBy)
			add(s.DecidedBy)
			addText(s.BreakGlass)
		}
	}
	for _, e := range append(d.Events[:len(d.Events):len(d.Events)], d.LaterEvents...) {
		add(e.Actor)
		addSentence(words.Event(e))
	}
	for _, f := range d.Followups {
		add(f.Owner)
		addText(f.Text)
	}
	return n
}

// EventMarkdown is one timeline event as the review's timeline says it.
func EventMarkdown(e incident.TimelineEvent, names words.Names) string {
	return markdown(words.Event(e), names)
}
