package incident_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain text is kept", "api down: 5xx on /v1 [15m] ~ 40% “quoted” 🔥", "api down: 5xx on /v1 [15m] ~ 40% “quoted” 🔥"},
		{"newlines and tabs are kept", "line 1\n\tline 2", "line 1\n\tline 2"},
		{"CRLF becomes LF", "a\r\nb\rc", "a\nb\nc"},
		{"colour sequences go whole", "\x1b[31mred alert\x1b[0m", "red alert"},
		{"a colour sequence without its ESC", "[31mred alert[0m", "red alert"},
		{"bold red, without its ESC", "[1;31mred[m", "red[m"},
		{"cursor movement and erase", "a\x1b[2J\x1b[10;20Hb\x1b[K", "ab"},
		{"OSC title and hyperlink", "\x1b]0;owned\x07x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "xlink"},
		{"charset escape", "\x1b(Bok", "ok"},
		{"C1 CSI", "\u009b31mred", "red"},
		{"ESC at the end", "end\x1b", "end"},
		{"control characters", "a\x00b\x07c\x08d\x7fe\u0085f", "abcdef"},
		{"bidi overrides and marks", "\u202eevil\u202c \u2066x\u2069 \u200eL\u200fR\u061c", "evil x LR"},
		{"zero-width characters", "a\u200bb\u200cc\u200dd\u2060e\ufefff", "abcdef"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"a sequence made by removing another", "[3\x1b[0m1mx[3\u200b1m", "x"},
		{"brackets that are not colours", "[P1] [5m] [m] [1234m]", "[P1] [5m] [m] [1234m]"},
		{"durations in brackets, in text from no terminal", "retry after [10m, 20m]; wait [5m before", "retry after [10m, 20m]; wait [5m before"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := incident.CleanText(tc.in); got != tc.want {
				t.Errorf("CleanText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := incident.CleanLine("a\nb\tc\x1b[0m"); got != "a b c" {
		t.Errorf("CleanLine: %q", got)
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"\x1b[31mred alert\x1b[0m", "[31mx", "a\u202eb", "\x1b]8;;u\x1b\\l", "\x1b", "[1;2;3m", "ok\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := incident.CleanText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("CleanText(%q) = %q: invalid UTF-8", s, got)
		}
		if strings.ContainsAny(got, "\x1b\r\x00\u202e\u200b\ufeff\u009b") {
			t.Fatalf("CleanText(%q) = %q keeps a control, bidi or zero-width character", s, got)
		}
		if again := incident.CleanText(got); again != got {
			t.Fatalf("CleanText is not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}
