package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
	_ "modernc.org/sqlite"
)

// startWithSlack starts the Slack emulator with a #general of alice, bob and the bot, and
// the binary in HTTP mode on a fresh database.
func startWithSlack(t *testing.T) (emu *testenv.Slack, general, db string, env []string, p *proc) {
	t.Helper()
	emu = testenv.NewSlack()
	t.Cleanup(emu.Close)
	general = emu.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)
	db = filepath.Join(t.TempDir(), "bot.db")
	env = serveEnv(emu, db)
	return emu, general, db, env, startServe(t, env)
}

// The real binary in HTTP mode, driven with signed requests through a whole incident.
func TestServeHTTPIncidentLifecycle(t *testing.T) {
	emu, general, db, _, p := startWithSlack(t)

	// Unsigned and badly signed requests get 401 and change nothing.
	bad := &testenv.SlackSender{BaseURL: p.url(), Secret: "wrong-secret"}
	if resp, err := bad.Command("U0ALICE", general, "declare P1 forged", ""); err != nil || resp.Status != 401 {
		t.Fatalf("forged request: %v %d", err, resp.Status)
	}

	if got := slash(t, p, "U0ALICE", general, "status"); !strings.Contains(got, "not an incident channel") {
		t.Errorf("status outside an incident: %q", got)
	}
	if got := slash(t, p, "U0ALICE", general, "frobnicate"); !strings.Contains(got, "Unknown command `frobnicate`") || !strings.Contains(got, "/incident declare") {
		t.Errorf("unknown verb: %q", got)
	}
	got := slash(t, p, "U0ALICE", general, `declare P1 "Intent API returning 500s"`)
	if !strings.Contains(got, "Declared *INC-1* (P1") {
		t.Fatalf("declare answered %q", got)
	}
	var ch *testenv.SlackChannel
	waitFor(t, "channel, card, topic and invite", func() bool {
		ch = emu.ChannelByName("inc-1-intent-api-returning-500s")
		return ch != nil && len(ch.Pins) == 1 && ch.Topic != "" && ch.Members["U0ALICE"]
	})

	if got := slash(t, p, "U0BOB", ch.ID, "status"); !strings.Contains(got, "*INC-1* P1: Intent API returning 500s") || !strings.Contains(got, "Commander: <@U0ALICE>") {
		t.Errorf("status: %q", got)
	}
	if got := slash(t, p, "U0BOB", ch.ID, "note failover to us-west-2 considered"); !strings.Contains(got, "Noted") {
		t.Errorf("note: %q", got)
	}
	if got := slash(t, p, "U0BOB", ch.ID, "timeline"); !strings.Contains(got, "failover to us-west-2 considered") || !strings.Contains(got, "*declared*") {
		t.Errorf("timeline: %q", got)
	}
	if got := slash(t, p, "U0BOB", ch.ID, "severity P7"); !strings.Contains(got, `"P7" is not a severity`) || !strings.Contains(got, "Usage: `/incident severity <P0-P3>`") {
		t.Errorf("bad severity: %q", got)
	}

	// A click on the card's Resolve button goes through the same command path.
	resp, err := p.sender().Interaction(testenv.BlockAction("U0ALICE", ch.ID, "incident:resolve", "resolve"))
	if err != nil || resp.Status != 200 {
		t.Fatalf("click: %v %d", err, resp.Status)
	}
	waitFor(t, "resolution on the card and the reply", func() bool {
		ch = emu.Channel(ch.ID)
		eph := emu.Ephemerals()
		return strings.Contains(string(ch.Messages[0].Blocks), "resolved") && len(eph) > 0 && strings.Contains(eph[len(eph)-1].Text, "is resolved")
	})
	if got := slash(t, p, "U0ALICE", ch.ID, "resolve again"); !strings.Contains(got, "INC-1 is resolved") {
		t.Errorf("second resolve: %q", got)
	}

	out, code := run(t, serveEnv(emu, db), "timeline", "verify")
	if code != 0 || !strings.Contains(out, "INC-1: ok") {
		t.Errorf("timeline verify (%d):\n%s", code, out)
	}
	if n := len(emu.ChannelByName("general").Messages); n != 0 {
		t.Errorf("%d messages leaked into #general", n)
	}

	mresp, err := http.Get(p.url() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	metrics := string(body)
	for _, want := range []string{
		`incidentbot_incidents{severity="P1",status="resolved"} 1`,
		`incidentbot_effects_total{kind="create_channel",outcome="done"} 1`,
		`incidentbot_ack_duration_seconds_count{endpoint="/slack/commands"}`,
		`incidentbot_outside_request_duration_seconds_count{code="200",service="slack"}`,
		`incidentbot_timer_lag_seconds_count`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// Killed mid-delivery and started again: state intact, pending effects delivered once.
func TestRestartDeliversPendingEffectsExactlyOnce(t *testing.T) {
	emu, general, db, env, p := startWithSlack(t)

	// The card's post will be in flight when the process dies: Slack keeps it.
	emu.SetMethodLatency("chat.postMessage", 1500*time.Millisecond)
	// And the topic keeps failing, so it is still pending at the crash.
	emu.Fail("conversations.setTopic", testenv.Fault{Status: 503}, testenv.Fault{Status: 503}, testenv.Fault{Status: 503})
	slash(t, p, "U0ALICE", general, "declare P0 api-gateway total outage")
	waitFor(t, "the card post to reach Slack", func() bool { return len(emu.Calls("chat.postMessage")) == 1 })
	p.kill()

	time.Sleep(1600 * time.Millisecond) // Slack finishes the post the dead process started
	emu.SetMethodLatency("chat.postMessage", 0)
	emu.ClearFaults()
	ch := emu.ChannelByName("inc-1-api-gateway-total-outage")
	if ch == nil || len(ch.Messages) != 1 || ch.Topic != "" {
		t.Fatalf("before restart: %+v", ch)
	}

	p2 := startServe(t, env)
	waitFor(t, "the card pinned and the topic set after restart", func() bool {
		ch = emu.Channel(ch.ID)
		return len(ch.Pins) == 1 && ch.Topic != ""
	})
	if len(ch.Messages) != 1 {
		t.Errorf("%d messages in the channel after restart, want the one card", len(ch.Messages))
	}
	if len(emu.Calls("conversations.history")) == 0 {
		t.Error("the restarted bot did not look for the card the dead one may have posted")
	}
	if n := len(emu.Channels()); n != 1 {
		t.Errorf("%d channels, want 1", n)
	}
	if got := slash(t, p2, "U0ALICE", ch.ID, "status"); !strings.Contains(got, "*INC-1* P0: api-gateway total outage") {
		t.Errorf("status after restart: %q", got)
	}

	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	waitFor(t, "every effect delivered after restart", func() bool {
		var pending int
		raw.QueryRow(`SELECT count(*) FROM effects WHERE state != 'done' AND kind != 'timer'`).Scan(&pending)
		return pending == 0
	})
	if ch = emu.Channel(ch.ID); len(ch.Messages) != 1 {
		t.Errorf("%d messages in the channel once everything was delivered, want the one card", len(ch.Messages))
	}
}

func TestTimelineVerifyNamesTheFirstBrokenEvent(t *testing.T) {
	emu, general, db, env, p := startWithSlack(t)
	slash(t, p, "U0ALICE", general, "declare P2 checkout slow")
	var ch *testenv.SlackChannel
	waitFor(t, "channel", func() bool {
		ch = emu.ChannelByName("inc-1-checkout-slow")
		return ch != nil && len(ch.Pins) == 1
	})
	slash(t, p, "U0ALICE", ch.ID, "note first")
	slash(t, p, "U0ALICE", ch.ID, "note second")
	p.kill()

	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Tampering needs the append-only trigger gone first: an attacker with the file could.
	for _, q := range []string{`DROP TRIGGER timeline_events_no_update`, `UPDATE timeline_events SET data = replace(data, '"first"', '"rewritten"') WHERE data LIKE '%"first"%'`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var seq int
	raw.QueryRow(`SELECT seq FROM timeline_events WHERE data LIKE '%"rewritten"%'`).Scan(&seq)
	out, code := run(t, env, "timeline", "verify")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := fmt.Sprintf("INC-1: BROKEN at event #%d ", seq)
	if !strings.Contains(out, want) || !strings.Contains(out, "its content does not match its hash") {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("slack:\n  channel_prefx: inc\nservices:\n  api: {tier: 9}\n"), 0o600)
	out, code := run(t, []string{"INCIDENTBOT_CONFIG=" + bad}, "config", "check")
	if code != 1 || !strings.Contains(out, bad+":2:3: slack.channel_prefx: unknown key") {
		t.Errorf("bad config (exit %d):\n%s", code, out)
	}
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("services:\n  api: {tier: 1}\n"), 0o600)
	out, code = run(t, []string{"INCIDENTBOT_CONFIG=" + good, "SLACK_BOT_TOKEN=xoxb-very-secret-token", "SLACK_APP_TOKEN=xapp-also-secret"}, "config", "check")
	if code != 0 || strings.Contains(out, "very-secret") || strings.Contains(out, "also-secret") ||
		!strings.Contains(out, "bot_token: '******** (22 characters)'") || !strings.Contains(out, "configuration is valid") {
		t.Errorf("good config (exit %d):\n%s", code, out)
	}
	out, code = run(t, []string{"INCIDENTBOT_CONFIG=" + good, "SLACK_BOT_TOKEN=xoxb-x", "PAGERDUTY_TOKEN=pd", "PAGERDUTY_FROM=bot@example.com"}, "config", "check")
	if code != 0 || !strings.Contains(out, "warning: roles.incident-commander: paged by default on P0, P1, P2") {
		t.Errorf("paging on without role targets (exit %d):\n%s", code, out)
	}
	out, code = run(t, []string{"PATH=/usr/bin:/bin"}, "serve")
	if code != 1 || !strings.Contains(out, "SLACK_BOT_TOKEN (the Bot User OAuth Token") {
		t.Errorf("serve without tokens (exit %d):\n%s", code, out)
	}
}

// The real binary in Socket Mode: it connects out, and the ack of a slash command carries
// the answer.
func TestServeSocketMode(t *testing.T) {
	emu := testenv.NewSlack()
	defer emu.Close()
	general := emu.AddChannel("general", "U0ALICE", testenv.SlackBotUser)
	env := serveEnv(emu, filepath.Join(t.TempDir(), "bot.db"), "SLACK_APP_TOKEN="+testenv.SlackAppToken, "SLACK_SIGNING_SECRET=")
	startServe(t, env)
	if err := emu.WaitSocket(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	ack, err := emu.SendSocket("slash_commands", map[string]any{
		"command": "/incident", "text": "declare P1 intent-processing down", "user_id": "U0ALICE", "channel_id": general, "team_id": testenv.SlackTeam,
	}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack), "Declared *INC-1* (P1") {
		t.Fatalf("ack %s", ack)
	}
	waitFor(t, "the channel", func() bool {
		ch := emu.ChannelByName("inc-1-intent-processing-down")
		return ch != nil && len(ch.Pins) == 1
	})
}

// The real binary with PagerDuty: a signed webhook declares an incident, the roles are
// paged, and resolving in Slack resolves in PagerDuty.
func TestServePagerDuty(t *testing.T) {
	emu := testenv.NewSlack()
	defer emu.Close()
	pd := testenv.NewPagerDuty()
	defer pd.Close()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "incidentbot.yaml")
	os.WriteFile(cfgFile, []byte(`services:
  intent-processing: {tier: 1, pagerduty_service: PSVC001}
roles:
  incident-commander: {pagerduty_escalation_policy: PIC0001}
  technical-lead: {pagerduty_escalation_policy: PTL0001}
  communications-lead: {pagerduty_schedule: PCOMMS1}
`), 0o600)
	env := serveEnv(emu, filepath.Join(dir, "bot.db"), "INCIDENTBOT_CONFIG="+cfgFile,
		"PAGERDUTY_TOKEN="+testenv.PagerDutyToken, "PAGERDUTY_FROM="+testenv.PagerDutyFrom,
		"PAGERDUTY_API_URL="+pd.URL(), "PAGERDUTY_EVENTS_URL="+pd.EventsURL(), "PAGERDUTY_WEBHOOK_SECRET="+testenv.PagerDutyWebhookSecret)
	p := startServe(t, env)

	origin := pd.AddIncident("Intent API 5xx above 5%", "PSVC001", "high")
	body := testenv.WebhookBody("ev1", "incident.triggered", "Monitoring", origin, "")
	if status, err := testenv.SendWebhook(nil, p.url()+"/pagerduty/webhook", testenv.PagerDutyWebhookSecret, "d1", body); err != nil || status != 202 {
		t.Fatalf("webhook: %v %d", err, status)
	}
	if status, _ := testenv.SendWebhook(nil, p.url()+"/pagerduty/webhook", "wrong", "d2", body); status != 403 {
		t.Errorf("forged webhook: %d", status)
	}
	var ch *testenv.SlackChannel
	waitFor(t, "the channel and three pages", func() bool {
		ch = emu.ChannelByName("inc-1-intent-api-5xx-above-5")
		return ch != nil && len(ch.Pins) == 1 && len(pd.Incidents()) == 4
	})
	if got := slash(t, p, "U0ALICE", ch.ID, "resolve"); !strings.Contains(got, "INC-1 is resolved") {
		t.Fatalf("resolve: %q", got)
	}
	waitFor(t, "every PagerDuty incident resolved", func() bool {
		for _, inc := range pd.Incidents() {
			if inc.Status != "resolved" {
				return false
			}
		}
		return true
	})
}

func TestPlaybooksCommands(t *testing.T) {
	env := []string{"PATH=/usr/bin:/bin"}
	out, code := run(t, env, "playbooks", "validate")
	if code != 0 || !strings.Contains(out, "10 playbooks valid") {
		t.Errorf("validate the library (exit %d):\n%s", code, out)
	}
	out, code = run(t, env, "playbooks", "validate", "../../internal/playbook/testdata/errors/unknown-key.yaml")
	if code != 1 || !strings.Contains(out, "unknown-key.yaml:6:5: phases[0].stepz: unknown key") {
		t.Errorf("validate a bad file (exit %d):\n%s", code, out)
	}
	out, code = run(t, env, "playbooks", "list")
	if code != 0 || !strings.Contains(out, "database-primary-failure") || strings.Count(out, "\n") != 11 {
		t.Errorf("list (exit %d):\n%s", code, out)
	}
	out, code = run(t, env, "playbooks", "show", "regional-outage")
	if code != 0 || !strings.Contains(out, `patroni.switchover url="{{ .params.patroni_url }}" leader=postgresql-primary`) || !strings.Contains(out, "approval: incident-commander, two-person") {
		t.Errorf("show (exit %d):\n%s", code, out)
	}
	if out, code = run(t, env, "playbooks", "show", "nope"); code != 1 || !strings.Contains(out, `incidentbot: no playbook "nope"`) {
		t.Errorf("show unknown (exit %d):\n%s", code, out)
	}
}

// The real binary runs a playbook: step cards in the channel, a click to run, a refused and
// an accepted approval, and the http step calling its allow-listed hook exactly once.
func TestServePlaybookRun(t *testing.T) {
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/failover" && r.Header.Get("Authorization") == "Bearer e2e" {
			calls.Add(1)
		}
		fmt.Fprint(w, "ok")
	}))
	defer hook.Close()
	dir := t.TempDir()
	pbDir, _ := filepath.Abs("../../commands/testdata/playbooks")
	cfgFile := filepath.Join(dir, "incidentbot.yaml")
	os.WriteFile(cfgFile, []byte("actions: {http: {allowed_hosts: [127.0.0.1]}}\nplaybooks: {dirs: ["+pbDir+"]}\nclusters: {us-west-2: {context: drill}, eu-west-1: {context: drill}}\n"), 0o600)
	emu := testenv.NewSlack()
	defer emu.Close()
	general := emu.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)
	p := startServe(t, serveEnv(emu, filepath.Join(dir, "bot.db"), "INCIDENTBOT_CONFIG="+cfgFile, "FAILOVER_TOKEN=Bearer e2e"))

	slash(t, p, "U0ALICE", general, "declare P1 checkout down")
	var ch *testenv.SlackChannel
	waitFor(t, "the channel", func() bool {
		ch = emu.ChannelByName("inc-1-checkout-down")
		return ch != nil && len(ch.Pins) == 1
	})
	if got := slash(t, p, "U0ALICE", ch.ID, "playbook failover-drill ticket=CHG-1 hook="+hook.URL); !strings.Contains(got, "Started Failover drill") {
		t.Fatalf("playbook: %q", got)
	}
	waitFor(t, "the run card and five step cards", func() bool { return len(emu.Channel(ch.ID).Messages) >= 7 && len(emu.Channel(ch.ID).Pins) == 2 })
	click := func(user, verb string) {
		t.Helper()
		resp, err := p.sender().Interaction(emu.BlockAction(user, ch.ID, "incident:step-"+verb+"-3", "step 3 "+verb))
		if err != nil || resp.Status != 200 {
			t.Fatalf("click %s: %v %d", verb, err, resp.Status)
		}
	}
	click("U0BOB", "run")
	waitFor(t, "the approval request", func() bool { return strings.Contains(lastEphemeral(emu), "Asked for approval") })
	click("U0BOB", "approve")
	waitFor(t, "the refusal", func() bool { return strings.Contains(lastEphemeral(emu), "You may not approve this step") })
	click("U0ALICE", "approve")
	waitFor(t, "the hook to be called", func() bool { return calls.Load() == 1 })
	waitFor(t, "the step card to show success", func() bool {
		for _, m := range emu.Channel(ch.ID).Messages {
			if strings.Contains(m.Text, "step 1.3: Move DNS to us-west-2 (succeeded)") {
				return true
			}
		}
		return false
	})
	if n := calls.Load(); n != 1 {
		t.Errorf("hook called %d times", n)
	}
}

func lastEphemeral(emu *testenv.Slack) string {
	eph := emu.Ephemerals()
	if len(eph) == 0 {
		return ""
	}
	return eph[len(eph)-1].Text
}

// The real binary files the review in GitHub when an incident is resolved.
func TestServeFilesTheReview(t *testing.T) {
	gh := testenv.NewGitHub("nephoran/incidents")
	defer gh.Close()
	emu := testenv.NewSlack()
	defer emu.Close()
	general := emu.AddChannel("general", "U0ALICE", testenv.SlackBotUser)
	p := startServe(t, serveEnv(emu, filepath.Join(t.TempDir(), "bot.db"),
		"GITHUB_TOKEN="+testenv.GitHubToken, "GITHUB_REPO=nephoran/incidents", "GITHUB_API_URL="+gh.URL()))
	slash(t, p, "U0ALICE", general, "declare P2 checkout slow")
	var ch *testenv.SlackChannel
	waitFor(t, "the channel", func() bool {
		ch = emu.ChannelByName("inc-1-checkout-slow")
		return ch != nil && len(ch.Pins) == 1
	})
	slash(t, p, "U0ALICE", ch.ID, "followup Add an alert on checkout latency")
	slash(t, p, "U0ALICE", ch.ID, "resolve cache warmed")
	waitFor(t, "the review issue", func() bool {
		is := gh.Issues()
		return len(is) == 1 && strings.Contains(is[0].Body, "<!-- incidentbot:INC-1 -->") && strings.Contains(is[0].Body, "- [ ] Add an alert on checkout latency")
	})
	waitFor(t, "the link in the channel", func() bool {
		for _, m := range emu.Channel(ch.ID).Messages {
			if strings.Contains(m.Text, "Post-incident review filed: <https://github.example/nephoran/incidents/issues/1>") {
				return true
			}
		}
		return false
	})
}

// incidentbot backup copies the database of a running serve: the copy verifies and holds
// the incident, and a second backup to the same file is refused.
func TestBackupWhileServing(t *testing.T) {
	emu, general, _, env, p := startWithSlack(t)
	slash(t, p, "U0ALICE", general, "declare P2 backup drill")
	var ch *testenv.SlackChannel
	waitFor(t, "the channel", func() bool {
		ch = emu.ChannelByName("inc-1-backup-drill")
		return ch != nil && len(ch.Pins) == 1
	})
	for i := 0; i < 5; i++ {
		slash(t, p, "U0ALICE", ch.ID, fmt.Sprintf("note before the backup %d", i))
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	out, code := run(t, env, "backup", dest)
	if code != 0 || !strings.Contains(out, "integrity ok") {
		t.Fatalf("backup: exit %d\n%s", code, out)
	}
	slash(t, p, "U0ALICE", ch.ID, "note after the backup")
	if out, code := run(t, env, "backup", dest); code == 0 || !strings.Contains(out, "already exists") {
		t.Errorf("a second backup to the same file: exit %d\n%s", code, out)
	}
	p.kill()
	copyEnv := []string{"PATH=/usr/bin:/bin", "INCIDENTBOT_DB=" + dest}
	out, code = run(t, copyEnv, "timeline", "verify")
	if code != 0 || !strings.Contains(out, "1 incidents checked, 0 broken") {
		t.Fatalf("verify the copy: exit %d\n%s", code, out)
	}
	out, _ = run(t, copyEnv, "timeline", "show", "INC-1")
	if !strings.Contains(out, "before the backup 4") || strings.Contains(out, "after the backup") {
		t.Errorf("the copy's timeline:\n%s", out)
	}
}

// Two replicas of the real binary on one PostgreSQL database: either takes commands, the
// incident's numbers and timeline are one, its channel and card are made once between them,
// and when one is killed the other goes on delivering.
func TestServeTwoReplicasOnPostgreSQL(t *testing.T) {
	url := pgtest.New(t)
	emu := testenv.NewSlack()
	t.Cleanup(emu.Close)
	general := emu.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)
	env := serveEnv(emu, filepath.Join(t.TempDir(), "unused.db"), "INCIDENTBOT_DATABASE_URL="+url)
	a, b := startServe(t, env), startServe(t, env)
	if got := slash(t, a, "U0ALICE", general, "declare P1 checkout down"); !strings.Contains(got, "INC-1") {
		t.Fatalf("declare on a: %q", got)
	}
	if got := slash(t, b, "U0BOB", general, "declare P2 search slow"); !strings.Contains(got, "INC-2") {
		t.Fatalf("declare on b: %q", got)
	}
	var ch *testenv.SlackChannel
	waitFor(t, "the first incident's channel and card", func() bool {
		ch = emu.ChannelByName("inc-1-checkout-down")
		return ch != nil && len(ch.Pins) == 1
	})
	slash(t, b, "U0ALICE", ch.ID, "note from b")
	slash(t, a, "U0ALICE", ch.ID, "note from a")
	if got := slash(t, b, "U0ALICE", ch.ID, "timeline"); !strings.Contains(got, "*note* from b") || !strings.Contains(got, "*note* from a") {
		t.Errorf("timeline on b: %q", got)
	}
	a.kill()
	slash(t, b, "U0ALICE", ch.ID, "resolve failed over")
	waitFor(t, "the resolution in the channel", func() bool {
		for _, m := range emu.Channel(ch.ID).Messages {
			if strings.Contains(m.Text, "resolved INC-1") {
				return true
			}
		}
		return false
	})
	for _, name := range []string{"inc-1-checkout-down-2", "inc-2-search-slow-2"} {
		if emu.ChannelByName(name) != nil {
			t.Errorf("a second channel %s: both replicas created it", name)
		}
	}
	cards := 0
	for _, m := range emu.Channel(ch.ID).Messages {
		if strings.Contains(string(m.Blocks), "Commander") {
			cards++
		}
	}
	if cards != 1 {
		t.Errorf("%d incident cards in the channel, want 1", cards)
	}
	b.kill()
	out, code := run(t, env, "timeline", "verify")
	if code != 0 || !strings.Contains(out, "2 incidents checked, 0 broken") {
		t.Errorf("timeline verify on PostgreSQL: exit %d\n%s", code, out)
	}
}
