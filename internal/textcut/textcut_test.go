package textcut

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	for _, c := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"short text is kept", "hello", 5, "hello"},
		{"at a word boundary", "alpha beta gamma delta", 14, "alpha beta…"},
		{"never inside a mention", "ping <@U0ALICE123> now", 14, "ping…"},
		{"never inside a link", "see <https://example.com/a|the page> please", 30, "see…"},
		{"never inside an entity", "a&amp;b&amp;c&amp;d", 11, "a&amp;b…"},
		{"never inside a Markdown link", "read [the runbook](https://example.com/runbook) first", 30, "read…"},
		{"never inside inline code", "run `kubectl rollout restart deploy/api` now", 30, "run…"},
		{"an open code fence is closed", "```\nline one\nline two\nline three\n```", 26, "```\nline one\nline two…\n```"},
		{"never inside a multi-byte character", strings.Repeat("é", 20), 10, strings.Repeat("é", 9) + "…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Cut(c.in, c.n)
			if got != c.want {
				t.Errorf("Cut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
			}
			if utf8.RuneCountInString(got) > c.n || !utf8.ValidString(got) {
				t.Errorf("Cut(%q, %d) = %q: %d characters, valid UTF-8 %v", c.in, c.n, got, utf8.RuneCountInString(got), utf8.ValidString(got))
			}
		})
	}
}

// Whatever the input, a cut is valid UTF-8 within the limit, and fences are balanced.
func FuzzCut(f *testing.F) {
	f.Add("```\ncode <@U1> `x` [a](b) &amp;\n```", 12)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if !utf8.ValidString(s) || n < 0 || n > 10000 {
			return
		}
		got := Cut(s, n)
		if utf8.RuneCountInString(got) > n && utf8.RuneCountInString(s) > n {
			t.Fatalf("Cut(%q, %d) = %q is longer than %d", s, n, got, n)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Cut(%q, %d) = %q is not UTF-8", s, n, got)
		}
		if got != s && n >= 5 && strings.Count(got, fence)%2 == 1 {
			t.Fatalf("Cut(%q, %d) = %q leaves a fence open", s, n, got)
		}
	})
}
