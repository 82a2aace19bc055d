// Package textcut shortens marked-up text (Slack's mrkdwn, GitHub's Markdown) to a length
// limit without breaking it: never inside a multi-byte character, a Slack entity such as
// <@U123> or &amp;, a Markdown link, or an inline code span, and with an open code fence
// closed. It is chat-neutral text handling: limits are counted in characters (runes), as
// Slack and GitHub count them.
package textcut

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis marks where text was cut.
const Ellipsis = "…"

// fence opens and closes a code block in both markups.
const fence = "```"

// Cut returns s when it has at most n characters; otherwise the longest clean prefix of s
// that, with Ellipsis (and a closing fence when the prefix opened a code block), has at
// most n characters. It prefers to cut at a space or line break near the limit.
func Cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	mark := utf8.RuneCountInString(Ellipsis)
	if n <= mark+len("\n"+fence) {
		return string([]rune(s)[:n]) // too small to mark the cut
	}
	kept := prefix(s, n-mark)
	if strings.Count(kept, fence)%2 == 0 {
		return kept + Ellipsis
	}
	kept = prefix(s, n-mark-len("\n"+fence))
	if strings.Count(kept, fence)%2 == 0 { // the shorter cut fell before the fence
		return kept + Ellipsis
	}
	return kept + Ellipsis + "\n" + fence
}

// prefix is the longest clean prefix of s of at most n characters, without trailing space.
func prefix(s string, n int) string {
	end := backOff(s, byteIndex(s, n))
	return strings.TrimRightFunc(s[:end], unicode.IsSpace)
}

// byteIndex is the byte offset of rune number n of s (len(s) when s is shorter).
func byteIndex(s string, n int) int {
	i := 0
	for j := range s {
		if i == n {
			return j
		}
		i++
	}
	return len(s)
}

// backOff moves a cut at byte end of s earlier so that it falls outside every construct
// that would break if cut, and at a word boundary when a clean one is near.
func backOff(s string, end int) int {
	end = clean(s, end)
	if end == len(s) || strings.ContainsRune(" \n\t", rune(s[end])) {
		return end // at a word boundary already
	}
	if i := strings.LastIndexAny(s[:end], " \n\t"); i > 0 && end-i < wordSlack && clean(s, i) == i {
		return i
	}
	return end
}

// wordSlack is how far back (in bytes) a cut looks for a word boundary.
const wordSlack = 80

// clean moves end back until no construct is open at it.
func clean(s string, end int) int {
	for {
		prev := end
		end = outsideOpen(s, end, '<', '>', 0)  // Slack entities: <@U1>, <#C1>, <url|label>
		end = outsideOpen(s, end, '&', ';', 10) // &amp; &lt; &gt;
		end = outsideOpen(s, end, '[', ')', 0)  // Markdown links [label](url)
		end = outsideInlineCode(s, end)         // `code`
		if end == prev {
			return end
		}
	}
}

// outsideOpen moves end before the last open that has no close after it in s[:end] (within
// limit bytes of the open when limit > 0: an & followed by a long run is not an entity).
func outsideOpen(s string, end int, open, close byte, limit int) int {
	i := strings.LastIndexByte(s[:end], open)
	if i < 0 {
		return end
	}
	if strings.IndexByte(s[i:end], close) >= 0 {
		return end
	}
	if limit > 0 && end-i > limit {
		return end
	}
	return i
}

// outsideInlineCode moves end before an inline code span left open by the cut: a single
// backtick (not part of a fence) with an odd count of them before end.
func outsideInlineCode(s string, end int) int {
	prefix := strings.ReplaceAll(s[:end], fence, "")
	if strings.Count(prefix, "`")%2 == 0 {
		return end
	}
	// The last lone backtick in s[:end] opens the span.
	for i := end - 1; i >= 0; i-- {
		if s[i] != '`' {
			continue
		}
		if (i+1 < len(s) && s[i+1] == '`') || (i > 0 && s[i-1] == '`') {
			continue // part of a fence
		}
		return i
	}
	return end
}
