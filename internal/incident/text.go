package incident

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CleanText removes from text what must never be stored or shown as typed: control
// characters (except newlines and tabs), whole ANSI escape sequences (and the "[31m"
// they leave behind when something already dropped the ESC), bidirectional overrides and
// marks, and zero-width characters. Carriage returns become newlines; invalid UTF-8 becomes
// U+FFFD. Text people write by hand comes through unchanged: "[31m" without its ESC is
// taken for a colour code only in text that came from a terminal (see fromTerminal), so
// "retry after [10m, 20m]" stays as written.
func CleanText(text string) string {
	return cleanText(text, fromTerminal(text))
}

// fromTerminal reports whether text looks like a terminal's output: it holds an escape
// (ESC, or the one-character CSI), or the colour reset that such output ends with even once
// its ESCs were dropped.
func fromTerminal(text string) bool {
	return strings.ContainsAny(text, "\x1b\u009b") || strings.Contains(text, "[0m") || strings.Contains(text, "[m")
}

func cleanText(text string, terminal bool) string {
	if isClean(text, terminal) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		if n := escapeLen(text[i:], terminal); n > 0 {
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r == '\r':
			if i < len(text) && text[i] == '\n' {
				continue // \r\n: the \n follows
			}
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case invisible(r):
		default:
			b.WriteRune(r) // utf8.RuneError for invalid bytes writes U+FFFD
		}
	}
	if out := b.String(); len(out) < len(text) && !isClean(out, terminal) {
		return cleanText(out, terminal) // what was removed joined "[3" and "1m": each pass is shorter
	}
	return b.String()
}

// CleanLine is CleanText for one-line text such as a title: newlines and tabs become spaces.
func CleanLine(text string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, CleanText(text))
}

// isClean reports whether cleanText would leave text as it is (the common case, no copy).
func isClean(text string, terminal bool) bool {
	if !utf8.ValidString(text) {
		return false
	}
	for i, r := range text {
		switch {
		case r == '\r' || (invisible(r) && r != '\n' && r != '\t'):
			return false
		case r == '[' && terminal && orphanSGRLen(text[i:]) > 0:
			return false
		}
	}
	return true
}

// invisible reports whether r is a control, bidi or zero-width character (newline and tab
// included: callers keep those).
func invisible(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0: // C0, DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c: // bidi
		return true
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff: // zero-width
		return true
	}
	return false
}

// escapeLen returns the length of the ANSI escape sequence s starts with, or 0: CSI
// (ESC [ or U+009B, parameters, intermediates, a final byte), OSC, DCS and the other string
// sequences (up to BEL or ESC \), and the short escapes such as ESC ( B. In a terminal's
// text a "[31m" without its ESC counts too.
func escapeLen(s string, terminal bool) int {
	switch {
	case strings.HasPrefix(s, "\x1b["):
		return csiLen(s, 2)
	case strings.HasPrefix(s, "\u009b"):
		return csiLen(s, len("\u009b"))
	case strings.HasPrefix(s, "\x1b]"), strings.HasPrefix(s, "\x1bP"), strings.HasPrefix(s, "\x1b_"),
		strings.HasPrefix(s, "\x1b^"), strings.HasPrefix(s, "\x1bX"):
		for i := 2; i < len(s); i++ {
			switch {
			case s[i] == '\a':
				return i + 1
			case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
				return i + 2
			}
		}
		return len(s) // unterminated: the rest is the sequence
	case strings.HasPrefix(s, "\x1b"): // ESC, intermediates 0x20-0x2F, a final byte 0x30-0x7E
		i := 1
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case terminal && strings.HasPrefix(s, "["):
		return orphanSGRLen(s)
	}
	return 0
}

// csiLen returns the length of a control sequence whose parameters start at s[start]:
// parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, one final byte 0x40-0x7E.
// Unterminated, it ends where the bytes stop fitting.
func csiLen(s string, start int) int {
	i := start
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// orphanSGRLen returns the length of a colour sequence that lost its ESC, such as "[31m"
// or "[1;31m" (digits required, at most three per parameter), or 0. "[15m]" is text: a
// bracket closing right after is someone writing "15 minutes" in brackets.
func orphanSGRLen(s string) int {
	i, digits := 1, 0
	for i < len(s) {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits++; digits > 3 {
				return 0
			}
		case c == ';' && digits > 0:
			digits = 0
		case c == 'm' && digits > 0:
			if i+1 < len(s) && s[i+1] == ']' {
				return 0
			}
			return i + 1
		default:
			return 0
		}
		i++
	}
	return 0
}

// QuoteLen is how many characters of what someone typed an answer quotes back.
const QuoteLen = 30

// Quote returns s quoted for an answer, cut to QuoteLen characters and an ellipsis, so an
// answer never grows with what was typed.
func Quote(s string) string {
	return fmt.Sprintf("%q", Prefix(s, QuoteLen))
}

// Prefix returns s cut to n characters, with an ellipsis when it was longer.
func Prefix(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// chatEscaper turns Slack's control characters into the entities Slack's own payloads use.
var chatEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EscapeChat escapes raw text from a surface that does not escape it (the declaration
// form's inputs, the web console, PagerDuty) into the form typed commands arrive in, with
// &, < and > as entities, so that stored text is one kind whatever its source and a title
// such as "<!channel> db down" can never notify a channel or fake a link when shown in Slack.
func EscapeChat(s string) string { return chatEscaper.Replace(s) }
