package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// world is everything a run needs besides the replicas: the binary, the database, the
// fakes of Slack, PagerDuty and GitHub, and the target of the playbook's http actions.
type world struct {
	dir     string // the run's temporary directory
	bin     string
	pg      *pgtest.Server
	dbURL   string // "" on SQLite
	emu     *testenv.Slack
	pd      *testenv.PagerDuty
	gh      *testenv.GitHub
	target  *target
	general string
	config  string
	logs    *logBook
}

// buildBinary builds ./cmd/incidentbot into dir.
func buildBinary(dir string) (string, error) {
	bin := filepath.Join(dir, "incidentbot")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/incidentbot")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/incidentbot: %w", err)
	}
	return bin, nil
}

// chaosPlaybook has three http steps, each approved by an incident commander other than
// the person who asked to run it; each calls the target at a path naming its incident and
// step, so the target can count executions.
var chaosPlaybook = `name: chaos
title: Chaos failover
kind: runbook
match: {severities: [P1]}
params:
  hook: {required: true, description: Base URL of the target}
phases:
  - name: Fail over
    within: 15m
    steps:
` + chaosSteps

var chaosSteps = func() string {
	var b strings.Builder
	for i := 1; i <= chaosStepCount; i++ {
		fmt.Fprintf(&b, `      - id: s%d
        title: Chaos step %d
        owner: technical-lead
        approval: {roles: [incident-commander], two_person: true}
        action: {type: http, url: "{{ .params.hook }}/act/{{ .incident.key }}/s%d", body: {step: "s%d"}}
`, i, i, i, i)
	}
	return b.String()
}()

const chaosStepCount = 3

// newWorld builds the binary and starts the fakes, and PostgreSQL when pg is set.
func newWorld(dir string, pg bool, lease time.Duration) (*world, error) {
	w := &world{dir: dir, logs: newLogBook()}
	var err error
	if w.bin, err = buildBinary(dir); err != nil {
		return nil, err
	}
	if pg {
		if w.pg, err = pgtest.Start(); err != nil {
			return nil, err
		}
		if w.dbURL, err = w.pg.CreateDatabase("chaos"); err != nil {
			w.close()
			return nil, err
		}
	}
	w.emu = testenv.NewSlack()
	w.general = w.emu.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)
	w.pd = testenv.NewPagerDuty()
	w.gh = testenv.NewGitHub("nephoran/incidents")
	w.target = newTarget()
	pbDir := filepath.Join(dir, "playbooks")
	if err := os.MkdirAll(pbDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(pbDir, "chaos.yaml"), []byte(chaosPlaybook), 0o644); err != nil {
		return nil, err
	}
	w.config = filepath.Join(dir, "incidentbot.yaml")
	cfg := fmt.Sprintf(`actions: {http: {allowed_hosts: [127.0.0.1]}}
playbooks: {dirs: [%s]}
outbox: {lease: %s}
pagerduty: {service: PSVC001, join_window: 0s}  # each PagerDuty incident its own (joining: TestAlertStorm)
services:
  intent-processing: {tier: 1, pagerduty_service: PSVC001}
roles:
  incident-commander: {pagerduty_escalation_policy: PIC0001}
  technical-lead: {pagerduty_escalation_policy: PTL0001}
  communications-lead: {pagerduty_schedule: PCOMMS1}
`, pbDir, lease)
	if err := os.WriteFile(w.config, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	return w, nil
}

// env is the environment of every replica.
func (w *world) env() []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "INCIDENTBOT_DEBUG=1",
		"INCIDENTBOT_CONFIG=" + w.config, "INCIDENTBOT_DB=" + filepath.Join(w.dir, "bot.db"),
		"SLACK_BOT_TOKEN=" + testenv.SlackBotToken, "SLACK_SIGNING_SECRET=" + testenv.SlackSigningSecret,
		"SLACK_API_URL=" + w.emu.APIURL(),
		"PAGERDUTY_TOKEN=" + testenv.PagerDutyToken, "PAGERDUTY_FROM=" + testenv.PagerDutyFrom,
		"PAGERDUTY_API_URL=" + w.pd.URL(), "PAGERDUTY_EVENTS_URL=" + w.pd.EventsURL(),
		"PAGERDUTY_WEBHOOK_SECRET=" + testenv.PagerDutyWebhookSecret,
		"GITHUB_TOKEN=" + testenv.GitHubToken, "GITHUB_REPO=nephoran/incidents", "GITHUB_API_URL=" + w.gh.URL(),
	}
	if w.dbURL != "" {
		env = append(env, "INCIDENTBOT_DATABASE_URL="+w.dbURL)
	}
	return env
}

// replicas makes n replica slots, each on its own free port.
func (w *world) replicas(n int) ([]*replica, error) {
	var rs []*replica
	for i := 0; i < n; i++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		rs = append(rs, &replica{index: i + 1, port: port, bin: w.bin, env: w.env(), logs: w.logs, dir: w.dir})
	}
	return rs, nil
}

func (w *world) close() {
	if w.emu != nil {
		w.emu.Close()
	}
	if w.pd != nil {
		w.pd.Close()
	}
	if w.gh != nil {
		w.gh.Close()
	}
	if w.target != nil {
		w.target.Close()
	}
	if w.pg != nil {
		if err := w.pg.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "chaos: stop PostgreSQL:", err)
		}
	}
}

// target is the server the playbook's http actions call. It counts every request by path
// (/act/<incident>/<step>) and answers after a random pause of up to a second, so that some
// replicas die while an action runs.
type target struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls map[string]int
}

func newTarget() *target {
	t := &target{calls: map[string]int{}}
	t.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.mu.Lock()
		t.calls[r.URL.Path]++
		t.mu.Unlock()
		time.Sleep(jitter(time.Second))
		fmt.Fprint(w, "ok")
	}))
	return t
}

func (t *target) URL() string { return t.srv.URL }

// Close stops the target.
func (t *target) Close() { t.srv.Close() }

func (t *target) counts() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int, len(t.calls))
	for k, v := range t.calls {
		out[k] = v
	}
	return out
}
