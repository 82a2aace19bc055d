package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
)

var dayRe = regexp.MustCompile(`<rect class="(\w+)"[^>]*><title>([^<]*)</title></rect>`)

// daysOf reads a component's bar of days off the status page: each day's class (its worst
// state) and title, the oldest first.
func daysOf(t *testing.T, page, service string) (classes, titles []string) {
	t.Helper()
	at := strings.Index(page, "<td>"+service+"</td>")
	if at < 0 {
		t.Fatalf("the status page has no component %s", service)
	}
	bar := page[at:]
	bar = bar[:strings.Index(bar, "</svg>")]
	for _, m := range dayRe.FindAllStringSubmatch(bar, -1) {
		classes, titles = append(classes, m[1]), append(titles, m[2])
	}
	if len(classes) != 90 {
		t.Fatalf("%s has %d days, want 90", service, len(classes))
	}
	return classes, titles
}

// The status page's history: each component's last 90 days, each in the worst state of
// the public incidents that affected it that day (a P0 major, a P1 partial, a P2
// degraded), with the day in words on hover; a private incident and a drill leave their
// days as they were. Past incidents show the updates posted for the status page, and
// neither notes nor updates for other audiences; the private incident and the drill are
// not among them.
func TestStatusPageHistory(t *testing.T) {
	sys := testenv.NewSystem(t) // Thursday 2026-11-26 03:00 UTC
	general := sys.Slack.AddChannel("general", "U0ALICE")
	do := func(channel, text string) {
		t.Helper()
		if r := sys.Do("U0ALICE", channel, text); r.Error {
			t.Fatalf("%s: %s", text, r.Text)
		}
	}
	// Wednesday: a P2 on the gateway, raised to P1 after 30 minutes, resolved 20 later.
	sys.Clock.Advance(-24 * time.Hour)
	do(general, "declare P2 api-gateway Slow gateway")
	sys.Deliver()
	gw := sys.Incident(1).ChannelID
	sys.Clock.Advance(30 * time.Minute)
	do(gw, "severity P1")
	sys.Clock.Advance(20 * time.Minute)
	do(gw, "resolve fixed")
	// Thursday: a P0 on intent processing for an hour, with updates for the status page,
	// the team and a note; a private P0 on payroll and a drill on the gateway alongside.
	sys.Clock.Advance(24*time.Hour - 50*time.Minute)
	do(general, "declare P0 intent-processing Intent API down")
	do(general, "declare P0 payroll Salaries visible to everyone")
	do(general, "drill application-service-failure")
	sys.Deliver()
	ip, pay, drill := sys.Incident(2).ChannelID, sys.Incident(3).ChannelID, sys.Incident(4).ChannelID
	do(drill, "service add api-gateway")
	do(ip, "update --status-page We are investigating errors on intent submission.")
	do(ip, "update --status-page --customers A fix is rolling out.")
	do(ip, "update team-only: the rollback is half done")
	do(ip, "note root cause: the db password was rotated by hand")
	do(pay, "update --status-page Payroll is exposed.") // a private incident: never on the page
	sys.Clock.Advance(40 * time.Minute)
	do(ip, "mitigate")
	sys.Clock.Advance(20 * time.Minute)
	for _, ch := range []string{ip, pay, drill} {
		do(ch, "resolve fixed")
	}
	sys.Clock.Advance(2 * 24 * time.Hour) // Saturday 04:00
	sys.Deliver()

	code, page := get(pagesOf(sys.Service), "/status")
	if code != 200 {
		t.Fatalf("/status: %d", code)
	}
	if !strings.Contains(page, `<div class="headline operational">All systems operational</div>`) {
		t.Errorf("the headline is not all operational")
	}
	classes, titles := daysOf(t, page, "intent-processing")
	if classes[87] != "major" || titles[87] != "Thu Nov 26, 2026: major outage for 1h" {
		t.Errorf("two days ago on intent-processing: %s %q, want major for 1h", classes[87], titles[87])
	}
	if classes[89] != "operational" || titles[89] != "Sat Nov 28, 2026: operational" || titles[0] != "Mon Aug 31, 2026: operational" {
		t.Errorf("today %s %q, the first day %q", classes[89], titles[89], titles[0])
	}
	for i, c := range classes {
		if c != "operational" && i != 87 {
			t.Errorf("intent-processing, day %d (%s): %s", i, titles[i], c)
		}
	}
	classes, titles = daysOf(t, page, "api-gateway")
	if classes[86] != "partial" || titles[86] != "Wed Nov 25, 2026: partial outage for 20m, degraded performance for 30m" {
		t.Errorf("three days ago on api-gateway: %s %q", classes[86], titles[86])
	}
	if classes[87] != "operational" { // the drill
		t.Errorf("the drill shows on api-gateway: %s %q", classes[87], titles[87])
	}
	classes, titles = daysOf(t, page, "payroll")
	for i, c := range classes {
		if c != "operational" {
			t.Errorf("the private incident shows on payroll, day %d: %s %q", i, c, titles[i])
		}
	}
	past := page[strings.Index(page, "<h2>Past incidents</h2>"):]
	for _, want := range []string{"<h3>Major outage of intent-processing</h3>", "Resolved · Nov 26 03:00 to Nov 26 04:00 UTC (1h)",
		"We are investigating errors on intent submission.", "A fix is rolling out.",
		"<h3>Partial outage of api-gateway</h3>"} { // titled by the worst it was
		if !strings.Contains(past, want) {
			t.Errorf("the past incidents lack %q", want)
		}
	}
	if strings.Index(past, "intent-processing") > strings.Index(past, "api-gateway") {
		t.Errorf("the past incidents are not the newest first")
	}
	// What the page says, without its stylesheet (whose class names are no one's secret).
	said := page
	if i, j := strings.Index(page, "<style>"), strings.Index(page, "</style>"); i >= 0 && j > i {
		said = page[:i] + page[j:]
	}
	for _, secret := range []string{"team-only", "rollback", "root cause", "password", "payroll", "Payroll", "Salaries", "Drill", "drill", "INC-", "Intent API down"} {
		if strings.Contains(said, secret) && !(secret == "payroll" && strings.Count(said, "payroll") == 1) {
			t.Errorf("the status page shows %q", secret)
		}
	}
}

// The history before today is read once a day and kept (resolved incidents do not
// change); what happens since is read at each load: an incident resolved just before
// midnight shows on its day after midnight, and the days move on with the clock.
func TestStatusPageHistoryAcrossMidnight(t *testing.T) {
	sys := testenv.NewSystem(t) // Thursday 2026-11-26 03:00 UTC
	general := sys.Slack.AddChannel("general", "U0ALICE")
	do := func(channel, text string) {
		t.Helper()
		if r := sys.Do("U0ALICE", channel, text); r.Error {
			t.Fatalf("%s: %s", text, r.Text)
		}
	}
	pages := pagesOf(sys.Service)
	load := func() string {
		t.Helper()
		code, page := get(pages, "/status")
		if code != 200 {
			t.Fatalf("/status: %d", code)
		}
		return page
	}
	load()                            // the history before Thursday is kept
	sys.Clock.Advance(20 * time.Hour) // 23:00
	do(general, "declare P0 intent-processing Intent API down")
	sys.Deliver()
	sys.Clock.Advance(50 * time.Minute) // 23:50
	classes, titles := daysOf(t, load(), "intent-processing")
	if classes[89] != "major" || titles[89] != "Thu Nov 26, 2026: major outage for 50m" {
		t.Errorf("today, open: %s %q", classes[89], titles[89])
	}
	sys.Clock.Advance(8 * time.Minute) // 23:58
	do(sys.Incident(1).ChannelID, "resolve fixed")
	sys.Clock.Advance(7 * time.Minute) // Friday 00:05
	page := load()
	classes, titles = daysOf(t, page, "intent-processing")
	if classes[88] != "major" || titles[88] != "Thu Nov 26, 2026: major outage for 58m" || classes[89] != "operational" {
		t.Errorf("after midnight: yesterday %s %q, today %s", classes[88], titles[88], classes[89])
	}
	if !strings.Contains(page, "<h3>Major outage of intent-processing</h3>") {
		t.Errorf("the incident resolved before midnight is not among the past incidents")
	}
	sys.Clock.Advance(24 * time.Hour) // Saturday: read again from the kept days' store
	classes, titles = daysOf(t, load(), "intent-processing")
	if classes[87] != "major" || titles[87] != "Thu Nov 26, 2026: major outage for 58m" || classes[88] != "operational" {
		t.Errorf("two days later: %s %q, %s", classes[87], titles[87], classes[88])
	}
}
