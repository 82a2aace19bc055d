// Package commands is the chat-neutral /incident grammar: it parses what people type (or
// what a button carries), checks it, and calls the incident service. It knows nothing of
// Slack's wire formats; the bot package translates both ways.
package commands

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Tokenize splits text on white space, keeping quoted strings ("..." or '...', and the
// curly quotes that chat clients substitute) together without their quotes. An unclosed
// quote is an EINVALID error.
func Tokenize(text string) ([]string, error) {
	var (
		tokens  []string
		cur     strings.Builder
		inToken bool
		closing rune // the quote that ends the current quoted run, 0 outside quotes
	)
	for _, r := range text {
		switch {
		case closing != 0:
			if r == closing {
				closing = 0
			} else {
				cur.WriteRune(r)
			}
		case quoteClose(r) != 0:
			closing, inToken = quoteClose(r), true
		case unicode.IsSpace(r):
			if inToken {
				tokens = append(tokens, cur.String())
				cur.Reset()
				inToken = false
			}
		default:
			cur.WriteRune(r)
			inToken = true
		}
	}
	if closing != 0 {
		return nil, incident.Errorf(incident.EINVALID, "A quote is not closed: add the closing %c.", closing)
	}
	if inToken {
		tokens = append(tokens, cur.String())
	}
	return tokens, nil
}

// quoteClose returns the rune that closes a quote opened by r, or 0 if r opens none.
func quoteClose(r rune) rune {
	switch r {
	case '"':
		return '"'
	case '\'':
		return '\''
	case '“':
		return '”'
	case '‘':
		return '’'
	}
	return 0
}

// splitVerb returns the first word of text, lowercased, and the raw rest with its
// formatting intact (updates and notes keep their line breaks).
func splitVerb(text string) (verb, rest string) {
	text = strings.TrimSpace(text)
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return strings.ToLower(text), ""
	}
	return strings.ToLower(text[:i]), strings.TrimSpace(text[i:])
}

var userMention = regexp.MustCompile(`^<@([UW][A-Z0-9]{2,})(\|[^>]*)?>$`)

// ParseUser returns the user ID of a Slack mention token (<@U123> or <@U123|name>).
func ParseUser(token string) (string, error) {
	m := userMention.FindStringSubmatch(token)
	if m == nil {
		return "", incident.Errorf(incident.EINVALID, "%s is not a user: mention someone with @.", incident.Quote(token))
	}
	return m[1], nil
}

// Declaration is a parsed `declare` command, or the fields of a declaration form.
type Declaration struct {
	Severity    incident.Severity // P2 when not typed; a form must name one
	Service     string
	Title       string
	Description string // a form's; the typed command has none
	Private     bool
	Empty       bool // no arguments: open the declaration form
}

// DefaultSeverity is the severity of a declaration that names none.
const DefaultSeverity = incident.P2

// ParseDeclare parses `declare [P0-P3] [service] <title> [--private]`. A second word is the
// service only when it names one in the catalog.
func ParseDeclare(args string, catalog incident.Catalog) (Declaration, error) {
	tokens, err := Tokenize(args)
	if err != nil {
		return Declaration{}, err
	}
	d := Declaration{Severity: DefaultSeverity}
	var words []string
	for _, t := range tokens {
		switch {
		case t == "--private":
			d.Private = true
		case strings.HasPrefix(t, "--"):
			return Declaration{}, incident.Errorf(incident.EINVALID, "Unknown option %s: the only option of declare is --private.", incident.Prefix(t, incident.QuoteLen))
		default:
			words = append(words, t)
		}
	}
	if len(words) == 0 {
		d.Empty = true
		return d, nil
	}
	if sev, err := incident.ParseSeverity(words[0]); err == nil {
		d.Severity, words = sev, words[1:]
	} else if looksLikeSeverity(words[0]) {
		return Declaration{}, err
	}
	if len(words) > 0 {
		if _, ok := catalog[words[0]]; ok {
			d.Service, words = words[0], words[1:]
		}
	}
	d.Title = strings.Join(words, " ")
	if d.Title == "" {
		return Declaration{}, incident.Errorf(incident.EINVALID, "An incident needs a title after the severity and service.")
	}
	return d, nil
}

// looksLikeSeverity catches typos such as P4 or p11 that should not become a title.
func looksLikeSeverity(s string) bool {
	if len(s) < 2 || (s[0] != 'P' && s[0] != 'p') {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// usageError is an EINVALID error that carries a verb's usage line.
func usageError(verb string, format string, args ...any) error {
	v := allVerbs[verb]
	return incident.Errorf(incident.EINVALID, "%s\nUsage: `/incident %s`", fmt.Sprintf(format, args...), v.Usage)
}
