// Package words says what timeline events mean, once, for every surface. An event becomes a
// Sentence: a list of typed parts (plain words, a person, a channel, a code span, a link,
// text a person typed in chat) with an icon naming its tone. Each surface renders sentences
// in its own idiom: Slack mrkdwn in bot/views, GitHub Markdown in internal/postmortem, HTML
// in internal/web, plain text here (Plain) for the terminal and the demo. The domain stores
// data; only this package turns it into words, and only the surfaces into markup.
package words

import "strings"

// Kind says what a Part is.
type Kind int

// The kinds of part.
const (
	Plain   Kind = iota // words, shown as they are (escaped by each surface)
	Person              // a chat user: Value is the user ID
	Channel             // a chat channel: Value is the channel ID, Label its name when known
	Code                // a command, a flag or a value to type, shown as code
	Strong              // words to stress (a new severity, a state)
	Link                // Value is the URL, Label the words to show ("" shows the URL)
	Chat                // text a person typed in chat, as the chat sent it (see ParseChat)
	Break               // a line break
	Block               // preformatted lines (a dry-run plan, a command's output)
)

// Part is one piece of a sentence.
type Part struct {
	Kind  Kind
	Value string
	Label string
}

// Icon names a sentence's tone; Slack shows an emoji, the web a symbol, plain text nothing.
type Icon string

// The icons.
const (
	IconNone      Icon = ""
	IconBell      Icon = "bell"      // a reminder that something is due or missing
	IconWarning   Icon = "warning"   // something went wrong and is being retried, or is unknown
	IconFailure   Icon = "failure"   // something failed for good
	IconAlert     Icon = "alert"     // severity raised, an objective missed
	IconClock     Icon = "clock"     // an objective getting close
	IconSpeaker   Icon = "speaker"   // a status update
	IconPeople    Icon = "people"    // roles changed
	IconLink      Icon = "link"      // a service added
	IconChart     Icon = "chart"     // business impact
	IconBoard     Icon = "board"     // the board must be told
	IconEyes      Icon = "eyes"      // someone acknowledged a page
	IconMitigated Icon = "mitigated" // the incident is mitigated
	IconResolved  Icon = "resolved"  // the incident is resolved
	IconMemo      Icon = "memo"      // the review
)

// Sentence is what an event means, in parts.
type Sentence struct {
	Icon  Icon
	Parts []Part
}

// builder appends parts; its methods return it so that phrases read left to right.
type builder struct{ s Sentence }

func say(parts ...any) *builder {
	b := &builder{}
	return b.add(parts...)
}

// add appends each argument: a string is plain words, a Part is itself.
func (b *builder) add(parts ...any) *builder {
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			if p != "" {
				b.s.Parts = append(b.s.Parts, Part{Kind: Plain, Value: p})
			}
		case Part:
			b.s.Parts = append(b.s.Parts, p)
		case []Part:
			b.s.Parts = append(b.s.Parts, p...)
		default:
			panic("words: a part must be a string or a Part")
		}
	}
	return b
}

func (b *builder) icon(i Icon) *builder { b.s.Icon = i; return b }

// withIcon is s with icon: a notice that says what the timeline says.
func withIcon(s Sentence, icon Icon) Sentence {
	s.Icon = icon
	return s
}

// finish is s ended with a full stop, with icon: a notice made of the timeline's phrase.
func finish(s Sentence, icon Icon) Sentence {
	s.Parts = append(s.Parts[:len(s.Parts):len(s.Parts)], Part{Kind: Plain, Value: "."})
	return withIcon(s, icon)
}

func (b *builder) sentence() Sentence { return b.s }

func person(id string) Part { return Part{Kind: Person, Value: id} }

func channel(id string) Part { return Part{Kind: Channel, Value: id} }

func code(s string) Part { return Part{Kind: Code, Value: s} }

func strong(s string) Part { return Part{Kind: Strong, Value: s} }

func link(url, label string) Part { return Part{Kind: Link, Value: url, Label: label} }

func chat(s string) Part { return Part{Kind: Chat, Value: s} }

func block(s string) Part { return Part{Kind: Block, Value: s} }

var lineBreak = Part{Kind: Break}

// people joins a list of users as "a, b and c" parts.
func people(ids []string) []Part {
	var parts []Part
	for i, id := range ids {
		if i > 0 {
			parts = append(parts, Part{Kind: Plain, Value: ", "})
		}
		parts = append(parts, person(id))
	}
	return parts
}

// Names gives the names people and channels are known by, for surfaces outside chat. An
// empty answer means not known: the renderer shows the ID.
type Names interface {
	Person(id string) string
	Channel(id string) string
}

// NameMap is Names from maps (for tests and for names read once ahead of rendering).
type NameMap struct {
	People   map[string]string
	Channels map[string]string
}

// Person returns the user's name, or "".
func (m NameMap) Person(id string) string { return m.People[id] }

// Channel returns the channel's name, or "".
func (m NameMap) Channel(id string) string { return m.Channels[id] }

// Mentions returns the user and channel IDs a sentence names, typed mentions included,
// each once, in order.
func Mentions(s Sentence) (people, channels []string) {
	seen := map[Part]bool{}
	for _, p := range Expand(s.Parts) {
		key := Part{Kind: p.Kind, Value: p.Value}
		if (p.Kind != Person && p.Kind != Channel) || seen[key] {
			continue
		}
		seen[key] = true
		if p.Kind == Person {
			people = append(people, p.Value)
		} else {
			channels = append(channels, p.Value)
		}
	}
	return people, channels
}

// Expand replaces every Chat part by the parts ParseChat finds in it, for surfaces that do
// not speak the chat's syntax.
func Expand(parts []Part) []Part {
	var out []Part
	for _, p := range parts {
		if p.Kind == Chat {
			out = append(out, ParseChat(p.Value)...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// String is the sentence in plain text with IDs for people, for logs and tests.
func (s Sentence) String() string { return PlainText(s, nil) }

// PlainText renders s as plain text: people and channels by name where names knows them
// (by ID otherwise), code in backticks is dropped for bare words, links as "label (URL)".
func PlainText(s Sentence, names Names) string {
	var b strings.Builder
	for _, p := range Expand(s.Parts) {
		switch p.Kind {
		case Person:
			b.WriteString(PersonName(p.Value, p.Label, names))
		case Channel:
			b.WriteString(ChannelName(p.Value, p.Label, names))
		case Link:
			if p.Label == "" || p.Label == p.Value {
				b.WriteString(p.Value)
			} else {
				b.WriteString(p.Label + " (" + p.Value + ")")
			}
		case Break:
			b.WriteString("\n")
		case Block:
			b.WriteString(p.Value)
		default:
			b.WriteString(p.Value)
		}
	}
	return b.String()
}

// PersonName is how a surface outside chat names a user: the known name, else the label
// the mention carried, else the ID. The bot itself is "incidentbot".
func PersonName(id, label string, names Names) string {
	if names != nil {
		if n := names.Person(id); n != "" {
			return n
		}
	}
	if label != "" {
		return label
	}
	return id
}

// ChannelName is how a surface outside chat names a channel: #name when known, else the ID.
func ChannelName(id, label string, names Names) string {
	if names != nil {
		if n := names.Channel(id); n != "" {
			return "#" + n
		}
	}
	if label != "" {
		return "#" + label
	}
	return "#" + id
}
