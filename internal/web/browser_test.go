package web_test

import (
	"context"
	"encoding/base64"
	"github.com/nephoran/incidentbot/bot/views"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
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

// Headless Chromium, driven over a scripted incident: the dashboard and the incident page
// render with the timeline, the status page shows no internal note, and the console approves
// a step with a click.
func TestPagesInARealBrowser(t *testing.T) {
	chromium := browser(t)
	sys := testenv.NewSystem(t, testenv.WithPlaybooks("../../commands/testdata/playbooks", "127.0.0.1"))
	general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	sys.Do("U0ALICE", ch, "note internal: the db password was rotated by hand")
	sys.Do("U0ALICE", ch, "update --status-page We are investigating errors on intent submission.")
	sys.Do("U0ALICE", ch, "playbook failover-drill ticket=CHG-1 hook=http://127.0.0.1:1")
	sys.Do("U0ALICE", ch, "step 3 run")
	sys.Do("U0ALICE", ch, "role ic <@U0BOB|bob>")
	sys.Deliver()

	mux := http.NewServeMux()
	log := slog.New(slog.DiscardHandler)
	web.NewPages(sys.Service, log).Register(mux)
	web.NewConsole(sys.Router, operators(t), log).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Flag("headless", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	go func() { // the browser lives as long as ctx; a hung one fails the test, not the run
		select {
		case <-time.After(90 * time.Second):
			cancel()
		case <-ctx.Done():
		}
	}()

	text := func(path string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return body
	}
	if body := text("/"); !strings.Contains(body, "INC-1 Intent API returning 500s") || !strings.Contains(body, "Recovery KPIs") {
		t.Errorf("the dashboard in the browser:\n%s", body)
	}
	page := text("/incidents/1")
	for _, want := range []string{"declared P1", "internal: the db password was rotated by hand", "Move DNS to us-west-2"} {
		if !strings.Contains(page, want) {
			t.Errorf("the incident page lacks %q:\n%s", want, page)
		}
	}
	status := text("/status")
	if !strings.Contains(status, "We are investigating errors on intent submission.") || strings.Contains(status, "password") || strings.Contains(status, "internal") {
		t.Errorf("the status page:\n%s", status)
	}

	// Bob, the commander now, approves alice's request from the console.
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("U0BOB:"+bobPW))
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/console"),
		chromedp.Click(chromedp.CSS(`form[action="/console/incidents/1/steps/3/approve"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "Approved; running")]`)),
	)
	if err != nil {
		t.Fatalf("approving in the console: %v", err)
	}
	after, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	var approved bool
	for _, e := range sys.Events(1) {
		approved = approved || (e.Actor == "U0BOB" && strings.Contains(views.EventText(e), `approved "Move DNS to us-west-2"`))
	}
	if !approved {
		t.Errorf("the click did not approve the step; the console shows:\n%s", after)
	}
}
