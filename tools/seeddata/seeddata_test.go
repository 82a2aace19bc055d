package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/child"
	_ "modernc.org/sqlite"
)

// seeddata against the real binary (serve in HTTP mode, on the Slack emulator and the
// PagerDuty fake) declares 20 incidents, half by PagerDuty webhooks and half by slash
// commands, notes until about 500 events, resolves all but 5 (SEEDDATA_INCIDENTS,
// SEEDDATA_EVENTS and SEEDDATA_OPEN change them), and reports what the bot
// acknowledged: the database holds exactly that.
func TestSeedDataAgainstTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "incidentbot")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/incidentbot").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	emu := testenv.NewSlack()
	t.Cleanup(emu.Close)
	general := emu.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)
	pd := testenv.NewPagerDuty()
	t.Cleanup(pd.Close)
	cfgPath := filepath.Join(dir, "incidentbot.yaml")
	os.WriteFile(cfgPath, []byte(`services:
  intent-processing: {tier: 1, pagerduty_service: PSVC001}
  api-gateway: {tier: 2}
roles:
  incident-commander: {pagerduty_escalation_policy: PIC0001}
pagerduty: {join_window: 0s}  # every webhook declares its own incident
slack: {rate_budget: false}   # the history is built in seconds, not over months
`), 0o644)
	port := freePort(t)
	db := filepath.Join(dir, "bot.db")
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"INCIDENTBOT_CONFIG=" + cfgPath, "INCIDENTBOT_DB=" + db, fmt.Sprintf("INCIDENTBOT_LISTEN=127.0.0.1:%d", port),
		"SLACK_BOT_TOKEN=" + testenv.SlackBotToken, "SLACK_SIGNING_SECRET=" + testenv.SlackSigningSecret, "SLACK_API_URL=" + emu.APIURL(),
		"PAGERDUTY_TOKEN=" + testenv.PagerDutyToken, "PAGERDUTY_FROM=" + testenv.PagerDutyFrom, "PAGERDUTY_API_URL=" + pd.URL(),
		"PAGERDUTY_EVENTS_URL=" + pd.EventsURL(), "PAGERDUTY_WEBHOOK_SECRET=" + testenv.PagerDutyWebhookSecret}
	var logs bytes.Buffer
	cmd.Stderr = &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	exited, err := child.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); <-exited })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitReady(t, base+"/readyz", &logs)

	// SEEDDATA_INCIDENTS, SEEDDATA_EVENTS, SEEDDATA_OPEN and SEEDDATA_READS make a bigger run (by hand).
	incidents, events, open := envInt("SEEDDATA_INCIDENTS", 20), envInt("SEEDDATA_EVENTS", 500), envInt("SEEDDATA_OPEN", 5)
	notes := events - incidents*19 - (incidents - open)
	var out bytes.Buffer
	rep, err := run(config{Bot: base, SlackSecret: testenv.SlackSigningSecret, PagerDutySecret: testenv.PagerDutyWebhookSecret,
		SlackAPI: emu.APIURL(), SlackToken: testenv.SlackBotToken, Service: "PSVC001", Channel: general, User: "U0ALICE",
		Incidents: incidents, Events: events, BotEvents: 19, Open: open, Concurrency: 4, Reads: envInt("SEEDDATA_READS", 50)}, &out)
	t.Log(out.String())
	if err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	if rep.Declared != incidents || rep.Resolved != incidents-open || rep.Refused != 0 || rep.Notes != notes {
		t.Errorf("report %+v, want %d declared, %d notes, %d resolved, none refused", rep, incidents, notes, incidents-open)
	}
	for _, r := range []string{"GET /", "GET /status", "GET /incidents/1", "stats all (ack)"} {
		if rep.Reads[r].P50 <= 0 {
			t.Errorf("no timing of %s: %+v", r, rep.Reads)
		}
	}

	sqldb, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer sqldb.Close()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := sqldb.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(q, err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM incidents`); n != rep.Declared {
		t.Errorf("the database holds %d incidents, seeddata reported %d declared", n, rep.Declared)
	}
	if n := count(`SELECT count(*) FROM incidents WHERE pagerduty_id <> ''`); n != rep.ByWebhook {
		t.Errorf("the database holds %d incidents from PagerDuty, seeddata sent %d", n, rep.ByWebhook)
	}
	if n := count(`SELECT count(*) FROM incidents WHERE status <> 'resolved'`); n != open {
		t.Errorf("the database holds %d open incidents, want %d", n, open)
	}
	if n := count(`SELECT count(*) FROM timeline_events WHERE kind = 'note'`); n != rep.Notes {
		t.Errorf("the database holds %d notes, seeddata reported %d", n, rep.Notes)
	}
	total := count(`SELECT count(*) FROM timeline_events`)
	t.Logf("%d timeline events in all (asked for %d, counting %d of the bot's own per incident)", total, events, rep.BotEvents)
	if total < rep.Notes+rep.Declared {
		t.Errorf("%d events in all, fewer than the %d notes and %d declarations", total, rep.Notes, rep.Declared)
	}
}

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return n
	}
	return def
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitReady(t *testing.T, u string, logs *bytes.Buffer) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve not ready:\n%s", strings.TrimSpace(logs.String()))
}
