package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/web"
)

// browser finds Chromium: $INCIDENTBOT_CHROMIUM, else chromium on the PATH. Without one the
// test is skipped, unless INCIDENTBOT_REQUIRE_BROWSER is set (as CI does, which installs it).
func browser(t *testing.T) string {
	path := os.Getenv("INCIDENTBOT_CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path == "" {
		if os.Getenv("INCIDENTBOT_REQUIRE_BROWSER") != "" {
			t.Fatal("INCIDENTBOT_REQUIRE_BROWSER is set but there is no chromium (apt-get install chromium)")
		}
		t.Skip("no chromium: apt-get install chromium, or set INCIDENTBOT_CHROMIUM")
	}
	return path
}

// screenshots is where the browser test keeps its screenshots: $INCIDENTBOT_SCREENSHOTS
// (.ci/run sets it to a directory of the checkout that .gitignore ignores), else a
// temporary directory of the test.
func screenshots(t *testing.T) string {
	dir := os.Getenv("INCIDENTBOT_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawSlack is chat syntax that must never reach a reader: mentions, special mentions and
// links as Slack writes them.
var rawSlack = regexp.MustCompile(`<@U|<#C|<!|<http`)

// Headless Chromium, driven over a scripted incident: the dashboard, the incident page
// (its clocks and phases as bars, people and channels by name, times in the reader's
// zone), the status page (no internal note) and the console (a step approved with a click)
// render; no page shows Slack's syntax; a change made after a page loaded appears on it
// without a reload (server-sent events); and each page is kept as a screenshot.
func TestPagesInARealBrowser(t *testing.T) {
	chromium := browser(t)
	shots := screenshots(t)
	sys := testenv.NewSystem(t, testenv.WithPlaybooks("../../commands/testdata/playbooks", "127.0.0.1"), testenv.WithPagerDuty())
	sys.Slack.AddUser("U0ALICE", "Alice Smith", "alice@example.com")
	sys.Slack.AddUser("U0BOB", "Bob Jones", "bob@example.com")
	general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	sys.Do("U0ALICE", ch, "note internal: the db password was rotated by hand")
	sys.Do("U0ALICE", ch, fmt.Sprintf("note *Cause* found by <@U0BOB> in <#%s>: see <https://runbooks.example.com/db|the runbook>, `pg_stat_replication` <!here>", ch))
	sys.Do("U0ALICE", ch, "update --status-page We are investigating errors on intent submission; <@U0BOB> is on it.")
	sys.Do("U0ALICE", ch, "playbook failover-drill ticket=CHG-1 hook=http://127.0.0.1:1")
	sys.Do("U0ALICE", ch, "step 3 run")
	sys.Do("U0ALICE", ch, "role ic <@U0BOB|bob>")
	sys.Deliver()
	sys.Clock.Advance(12 * time.Minute)     // the RTO clock (15m) at 80%: a bar to see
	for _, pd := range sys.PD.Incidents() { // the commander's page is acknowledged in PagerDuty
		if pd.IncidentKey == "incidentbot/1/incident-commander/1" {
			ack := incident.PagerEvent{DeliveryID: "D1", EventID: "E1", Type: "incident.acknowledged", Agent: "Dana Duty", OccurredAt: sys.Clock.Now(),
				Incident: incident.PagerIncident{ID: pd.ID}}
			if _, err := sys.Service.IngestPagerEvent(sys.Ctx, ack); err != nil {
				t.Fatal(err)
			}
		}
	}

	mux := http.NewServeMux()
	log := slog.New(slog.DiscardHandler)
	pages := web.NewPages(sys.Service, log)
	pages.Names = sys.App.Names
	pages.Live.Poll = 20 * time.Millisecond
	pages.Register(mux)
	console := web.NewConsole(sys.Router, operators(t), log)
	console.Names = sys.App.Names
	console.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer pages.Close() // first: the streams end, so srv.Close does not wait on them

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Flag("headless", true),
		chromedp.WindowSize(1280, 900), chromedp.Env("TZ=Asia/Kolkata")) // +05:30: a local time is never the UTC one
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	go func() { // the browser lives as long as ctx; a hung one fails the test, not the run
		select {
		case <-time.After(120 * time.Second):
			cancel()
		case <-ctx.Done():
		}
	}()

	shot := 0
	keep := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot of %s: %v", name, err)
		}
		shot++
		path := filepath.Join(shots, fmt.Sprintf("%02d-%s.png", shot, name))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
	text := func(name string) string {
		t.Helper()
		body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m := rawSlack.FindAllString(body, -1); m != nil {
			t.Errorf("the %s shows Slack's syntax %q:\n%s", name, m, body)
		}
		if strings.Contains(body, ".000Z") {
			t.Errorf("the %s shows a time with milliseconds:\n%s", name, body)
		}
		return body
	}
	open := func(path, name string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body := text(name)
		keep(name)
		return body
	}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	// waitFor waits until the page shows want, and checks it did not navigate to show it.
	waitFor := func(name, want string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf("document.body.innerText.includes(%q)", want))); err != nil {
			t.Fatalf("the %s never showed %q without a reload: %v\n%s", name, want, err, text(name))
		}
		if eval("window.stayed") != true {
			t.Errorf("the %s reloaded to show %q; it should have swapped its content in place", name, want)
		}
	}

	dash := open("/", "dashboard")
	if !strings.Contains(dash, "INC-1 Intent API returning 500s") || !strings.Contains(dash, "Recovery KPIs") {
		t.Errorf("the dashboard in the browser:\n%s", dash)
	}
	// The drills' charts are drawn like the real ones: no style of another page paints them.
	if bg := eval(`getComputedStyle(document.querySelector(".drill")).backgroundColor`); bg != "rgba(0, 0, 0, 0)" {
		t.Errorf("the drills' charts have the background %v", bg)
	}
	eval("window.stayed = true")
	sys.Do("U0ALICE", general, "declare P2 Reports are late, says <@U0BOB>")
	waitFor("dashboard", "INC-2 Reports are late, says Bob Jones")

	page := open("/incidents/1", "incident")
	for _, want := range []string{"declared P1", "internal: the db password was rotated by hand", "Move DNS to us-west-2", "Bob Jones", "Alice Smith",
		"Cause found by Bob Jones in #inc-1-", "the runbook", "@here", "awaiting approval", "12m elapsed of 15m, 3m left", "12m since the run started, window 5m to 15m", "times in your time zone",
		"Incident commander (escalation policy PIC0001)", "acknowledged by Dana Duty at"} {
		if !strings.Contains(page, want) {
			t.Errorf("the incident page lacks %q:\n%s", want, page)
		}
	}
	if n := eval(`[...document.querySelectorAll(".clock .bar .fill")].filter(e => e.getBoundingClientRect().width > 0 && e.classList.contains("warn")).length`); n != float64(1) {
		t.Errorf("%v RTO bars drawn at 80%%, want 1", n)
	}
	if n := eval(`document.querySelectorAll(".phase .bar .mark").length`); n != float64(2) {
		t.Errorf("%v phase bars, want one for each of the playbook's 2 phases", n)
	}
	if n := eval(`document.querySelectorAll(".step.awaiting_approval").length`); n != float64(1) {
		t.Errorf("%v steps shown awaiting approval, want 1", n)
	}
	// The declaration as the reader's clock says it (+05:30), UTC on hover.
	declared := sys.Incident(1).DeclaredAt
	local := declared.In(time.FixedZone("IST", 5*3600+1800)).Format("15:04")
	if got := eval(`document.querySelector("table.timeline time").textContent`); got != local {
		t.Errorf("the first event's time shows %v, want %s (the reader's zone)", got, local)
	}
	if got := eval(`document.querySelector("table.timeline time").title`); got != declared.UTC().Format("2006-01-02 15:04:05")+" UTC" {
		t.Errorf("the first event's time has the title %v, want the UTC time", got)
	}
	eval("window.stayed = true")
	sys.Do("U0ALICE", ch, "note the fix is rolling out")
	waitFor("incident page", "the fix is rolling out")
	keep("incident-after-a-change")

	status := open("/status", "status page")
	if !strings.Contains(status, "We are investigating errors on intent submission; Bob Jones is on it.") || strings.Contains(status, "password") || strings.Contains(status, "internal") {
		t.Errorf("the status page:\n%s", status)
	}
	eval("window.stayed = true")
	sys.Do("U0ALICE", ch, "update --status-page A fix is rolling out.")
	waitFor("status page", "A fix is rolling out.")

	// Bob, the commander now, approves alice's request from the console.
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("U0BOB:"+bobPW))
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}}); err != nil {
		t.Fatal(err)
	}
	open("/console", "console")
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/console/incidents/1/steps/3/approve"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "Approved; running")]`)),
	)
	if err != nil {
		t.Fatalf("approving in the console: %v", err)
	}
	after := text("console")
	keep("console-approved")
	var approved bool
	for _, e := range sys.Events(1) {
		approved = approved || (e.Actor == "U0BOB" && strings.Contains(views.EventText(e), `approved "Move DNS to us-west-2"`))
	}
	if !approved {
		t.Errorf("the click did not approve the step; the console shows:\n%s", after)
	}
}
