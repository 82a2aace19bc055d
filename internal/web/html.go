package web

import (
	"context"
	"html"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// nameBudget is how long a page waits for chat to name people it does not know yet.
const nameBudget = time.Second

// Directory names chat users and channels for the pages (incident.Names reads and keeps
// them); "" means not known, and the page shows the ID.
type Directory interface {
	Person(ctx context.Context, id string) string
	Channel(ctx context.Context, id string) string
}

// sentenceHTML renders a sentence as HTML: people and channels by name (the ID on hover),
// code as code, links only to http(s) addresses, preformatted lines as such. Every word
// is escaped; nothing typed in chat can become markup.
func sentenceHTML(s words.Sentence, names words.Names) template.HTML {
	var b strings.Builder
	for _, p := range s.Parts {
		if p.Kind != words.Chat {
			partHTML(&b, p, names)
			continue
		}
		for _, q := range words.ParseChat(p.Value) {
			if q.Kind == words.Plain { // typed text: Slack's *bold*, _italic_, ~strike~, `code`
				mrkdwnHTML(&b, q.Value)
			} else {
				partHTML(&b, q, names)
			}
		}
	}
	return template.HTML(b.String()) //nolint:gosec // every part is escaped
}

// partHTML writes one part of a sentence as HTML, escaped.
func partHTML(b *strings.Builder, p words.Part, names words.Names) {
	{
		switch p.Kind {
		case words.Person:
			b.WriteString(`<span class="person" title="` + html.EscapeString(p.Value) + `">` +
				html.EscapeString(words.PersonName(p.Value, p.Label, names)) + `</span>`)
		case words.Channel:
			b.WriteString(`<span class="channel" title="` + html.EscapeString(p.Value) + `">` +
				html.EscapeString(words.ChannelName(p.Value, p.Label, names)) + `</span>`)
		case words.Code:
			b.WriteString("<code>" + html.EscapeString(p.Value) + "</code>")
		case words.Strong:
			b.WriteString("<strong>" + html.EscapeString(p.Value) + "</strong>")
		case words.Link:
			label := p.Label
			if label == "" {
				label = p.Value
			}
			if u, err := url.Parse(p.Value); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
				b.WriteString(`<a href="` + html.EscapeString(p.Value) + `" rel="noopener noreferrer">` + html.EscapeString(label) + "</a>")
			} else {
				b.WriteString(html.EscapeString(label))
			}
		case words.Break:
			b.WriteString("<br>")
		case words.Block:
			b.WriteString("<pre>" + html.EscapeString(p.Value) + "</pre>")
		default:
			b.WriteString(html.EscapeString(p.Value))
		}
	}
}

// chatHTML renders text a person typed in chat.
func chatHTML(text string, names words.Names) template.HTML {
	return sentenceHTML(words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: text}}}, names)
}

// namesFor reads the names of everyone and every channel the sentences name, and of the
// people in more, once each.
// Names not yet known are read within nameBudget, so a page loads at once while chat is
// slow or down (it shows the IDs it could not name).
func (p *Pages) namesFor(ctx context.Context, ss []words.Sentence, more ...string) words.NameMap {
	return readNames(ctx, p.Names, ss, more...)
}

// readNames is namesFor with the directory dir (nil: no names).
func readNames(ctx context.Context, dir Directory, ss []words.Sentence, more ...string) words.NameMap {
	m := words.NameMap{People: map[string]string{}, Channels: map[string]string{}}
	if dir == nil {
		return m
	}
	ctx, cancel := context.WithTimeout(ctx, nameBudget)
	defer cancel()
	person := func(id string) {
		if _, done := m.People[id]; !done && id != "" && id != incident.BotActor {
			m.People[id] = dir.Person(ctx, id)
		}
	}
	for _, s := range ss {
		people, channels := words.Mentions(s)
		for _, id := range people {
			person(id)
		}
		for _, id := range channels {
			if _, done := m.Channels[id]; !done {
				m.Channels[id] = dir.Channel(ctx, id)
			}
		}
	}
	for _, id := range more {
		person(id)
	}
	return m
}

// actorHTML is who an event's actor is, by name.
func actorHTML(id string, names words.Names) template.HTML {
	if id == incident.BotActor || id == "" {
		return template.HTML(html.EscapeString(incident.BotActor))
	}
	return sentenceHTML(words.Sentence{Parts: []words.Part{{Kind: words.Person, Value: id}}}, names)
}

// EventHTML is one timeline event as the incident page shows it.
func EventHTML(e incident.TimelineEvent, names words.Names) template.HTML {
	return sentenceHTML(words.Event(e), names)
}
