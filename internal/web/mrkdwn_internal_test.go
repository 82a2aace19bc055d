package web

import (
	"strings"
	"testing"
	"time"
)

// Slack's inline formatting in typed text is rendered where Slack would render it, escaped,
// and left as typed where it would not (inside words, around spaces).
func TestMrkdwnAsHTML(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"bold", "the *primary* is down", "the <strong>primary</strong> is down"},
		{"italic and strike", "_maybe_ ~not~", "<em>maybe</em> <s>not</s>"},
		{"code escaped", "run `a < b && c`", "run <code>a &lt; b &amp;&amp; c</code>"},
		{"code first", "`*not bold*`", "<code>*not bold*</code>"},
		{"preformatted", "```\nSELECT 1;\n<x>\n```", "<pre>SELECT 1;\n&lt;x&gt;</pre>"},
		{"inside a word", "snake_case_name and 2*3*4", "snake_case_name and 2*3*4"},
		{"around spaces", "* not bold *", "* not bold *"},
		{"punctuation around", "(*yes*), fine", "(<strong>yes</strong>), fine"},
		{"line breaks", "one\ntwo", "one<br>two"},
		{"markup typed", "<script>*x*</script>", "&lt;script&gt;<strong>x</strong>&lt;/script&gt;"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			mrkdwnHTML(&b, c.in)
			if got := b.String(); got != c.want {
				t.Errorf("mrkdwnHTML(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// A bar's colour says where the measure stands against its target: nothing below 80%
// while it runs, warn from 80%, over past the target (final or not), ok when final within.
func TestBarClasses(t *testing.T) {
	for _, c := range []struct {
		took, target time.Duration
		done         bool
		want, fill   string
	}{
		{5 * time.Minute, 15 * time.Minute, false, "", "width:33.3%"},
		{12 * time.Minute, 15 * time.Minute, false, "warn", "width:80.0%"},
		{12 * time.Minute, 15 * time.Minute, true, "ok", "width:80.0%"},
		{20 * time.Minute, 15 * time.Minute, false, "over", "width:100.0%"},
		{20 * time.Minute, 15 * time.Minute, true, "over", "width:100.0%"},
	} {
		b := newBar("RTO", "", c.took, c.target, c.done)
		if b.Class != c.want || string(b.Fill) != c.fill {
			t.Errorf("%s of %s (done %v): class %q fill %q, want %q %q", c.took, c.target, c.done, b.Class, b.Fill, c.want, c.fill)
		}
	}
	if b := newBar("RTO", "", 20*time.Minute, 15*time.Minute, false); string(b.Mark) != "left:calc(75.0% - 1px)" {
		t.Errorf("the target's mark past it: %q, want at 75%%", b.Mark)
	}
}

// A time reads as the hour and minute in UTC without a script, with the full UTC time on
// hover and the instant for the script, which shows it in the reader's zone.
func TestTimeHTML(t *testing.T) {
	at := time.Date(2026, 12, 2, 0, 5, 7, 891_000_000, time.FixedZone("x", 3600))
	if got, want := string(clockHTML(at)), `<time datetime="2026-12-01T23:05:07Z" title="2026-12-01 23:05:07 UTC">23:05</time>`; got != want {
		t.Errorf("clockHTML = %s, want %s", got, want)
	}
	if got, want := string(dayHTML(at)), `<time datetime="2026-12-01T23:05:07Z" title="2026-12-01 23:05:07 UTC" data-day="1">1 Dec 23:05</time>`; got != want {
		t.Errorf("dayHTML = %s, want %s", got, want)
	}
	if clockHTML(time.Time{}) != "" {
		t.Error("the zero time is not shown")
	}
}
