package web

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// mrkdwnSpan matches Slack's inline formatting in typed text: ```preformatted```,
// `code`, *bold*, _italic_ and ~strike~.
var mrkdwnSpan = regexp.MustCompile("```([^`]+)```|`([^`\n]+)`|\\*([^*\n]+)\\*|_([^_\n]+)_|~([^~\n]+)~")

// mrkdwnTags are the elements of mrkdwnSpan's groups, after the preformatted one.
var mrkdwnTags = []string{"code", "strong", "em", "s"}

// mrkdwnHTML writes text as Slack shows it, escaped: its formatting as HTML elements where
// Slack would format it (a marker not inside a word, around text that neither starts nor
// ends with a space), the markers kept as typed elsewhere, and line breaks as <br>.
func mrkdwnHTML(b *strings.Builder, text string) {
	if !strings.ContainsAny(text, "*_~`\n") { // most text: nothing to format
		b.WriteString(html.EscapeString(text))
		return
	}
	last := 0
	for _, m := range mrkdwnSpan.FindAllStringSubmatchIndex(text, -1) {
		if !mrkdwnBounded(text, m[0], m[1]) {
			continue
		}
		group := 1
		for group < 6 && m[2*group] < 0 {
			group++
		}
		inner := text[m[2*group]:m[2*group+1]]
		if group > 1 && (strings.TrimSpace(inner) != inner) {
			continue
		}
		plainHTML(b, text[last:m[0]])
		if group == 1 {
			b.WriteString("<pre>" + html.EscapeString(strings.Trim(inner, "\n")) + "</pre>")
		} else {
			tag := mrkdwnTags[group-2]
			b.WriteString("<" + tag + ">" + html.EscapeString(inner) + "</" + tag + ">")
		}
		last = m[1]
	}
	plainHTML(b, text[last:])
}

// mrkdwnBounded reports whether a span at text[i:j] stands apart from the words around it.
func mrkdwnBounded(text string, i, j int) bool {
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if j < len(text) {
		r, _ := utf8.DecodeRuneInString(text[j:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// plainHTML writes text escaped, its line breaks as <br>.
func plainHTML(b *strings.Builder, text string) {
	if !strings.Contains(text, "\n") {
		b.WriteString(html.EscapeString(text))
		return
	}
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("<br>")
		}
		b.WriteString(html.EscapeString(line))
	}
}
