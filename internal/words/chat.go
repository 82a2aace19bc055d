package words

import (
	"regexp"
	"strings"
)

// entity matches what Slack's message format puts between < and >: a user or channel
// mention, a special mention (<!here>, <!subteam^S…|@group>, <!date^…|fallback>) or a link,
// each with an optional |label.
var entity = regexp.MustCompile(`<([@#!]?)([^<>|]+)(?:\|([^<>]*))?>`)

// ParseChat splits text as a chat sent it (Slack's message format: &amp; &lt; &gt; escapes,
// <@U…> and <#C…> mentions, <url|label> links) into parts any surface can render: people
// and channels as Person and Channel parts, links as Link, the rest as plain words.
func ParseChat(text string) []Part {
	var parts []Part
	plain := func(s string) {
		if s != "" {
			parts = append(parts, Part{Kind: Plain, Value: unescape(s)})
		}
	}
	last := 0
	for _, m := range entity.FindAllStringSubmatchIndex(text, -1) {
		plain(text[last:m[0]])
		last = m[1]
		sigil, body, label := text[m[2]:m[3]], text[m[4]:m[5]], ""
		if m[6] >= 0 {
			label = unescape(text[m[6]:m[7]])
		}
		switch sigil {
		case "@":
			parts = append(parts, Part{Kind: Person, Value: body, Label: label})
		case "#":
			parts = append(parts, Part{Kind: Channel, Value: body, Label: label})
		case "!":
			parts = append(parts, Part{Kind: Plain, Value: special(body, label)})
		case "":
			if strings.Contains(body, ":") { // https://…, mailto:…
				parts = append(parts, Part{Kind: Link, Value: unescape(body), Label: label})
			} else {
				plain(text[m[0]:m[1]]) // not an entity: words in angle brackets
			}
		}
	}
	plain(text[last:])
	return parts
}

// special renders <!here>, <!channel>, <!everyone>, <!subteam^ID|@name> and <!date^…|text>.
func special(body, label string) string {
	if label != "" {
		return label
	}
	if name, _, ok := strings.Cut(body, "^"); ok {
		return "@" + name
	}
	return "@" + body
}

func unescape(s string) string { return chatUnescaper.Replace(s) }

// chatUnescaper is built once: building a Replacer costs more than most replacements.
var chatUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
