package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// demoBinary builds, once, the demo build of incidentbot (-tags demo, as `make demo` does)
// beside the release binary the other tests run.
var demoBinary = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(filepath.Dir(binary), "incidentbot-demo")
	if out, err := exec.Command("go", "build", "-tags", "demo", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -tags demo: %v\n%s", err, out)
	}
	return bin, nil
})

// demoCmd is the demo build run with args, with only PATH and HOME from the environment.
func demoCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := demoBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	return cmd
}

// The release binary has no demo in it (TestReleaseBinaryLinksNoTestCode): `incidentbot
// demo` runs nothing, says where the demo is and fails, and the help does not offer it.
func TestReleaseBinaryPointsAtDemoBuild(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"demo", "--listen", "127.0.0.1:0", "--dir", dir}, {"demo", "--serve"}} {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		cmd := exec.CommandContext(ctx, binary, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		outb, err := cmd.CombinedOutput()
		killed := ctx.Err() != nil
		cancel()
		out, code := string(outb), cmd.ProcessState.ExitCode()
		if killed {
			t.Errorf("incidentbot %s ran for 30 s, killed: %v\n%s", strings.Join(args, " "), err, out)
		} else if code == 0 || !strings.Contains(out, "the demo is not part of this binary") || !strings.Contains(out, "`make demo` builds bin/incidentbot-demo") {
			t.Errorf("incidentbot %s (exit %d):\n%s", strings.Join(args, " "), code, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("incidentbot demo wrote into its --dir: %v", entries)
	}
	if help, _ := run(t, nil, "--help"); strings.Contains(help, "demo") {
		t.Errorf("the release binary's help offers the demo:\n%s", help)
	}
}

// `incidentbot-demo demo` plays the regional-outage drill end to end with no credentials and
// no network beyond loopback: pages to the drill policy acknowledged, the failover steps
// approved and run on the simulated drill cluster and its Patroni (the DNS step only
// described; the switchover measures the RPO the review shows), the review filed, every page
// resolved, the timeline intact on disk.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	cmd := demoCmd(t, "demo", "--listen", "127.0.0.1:0", "--dir", dir)
	began := time.Now()
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	if err != nil { // the log first, so that the demo's own error (which wait ran out) ends the report
		log, _ := os.ReadFile(filepath.Join(dir, "incidentbot.log"))
		lines := strings.Split(strings.TrimSpace(string(log)), "\n")
		t.Fatalf("the bot's last log lines:\n%s\n\ndemo: %v\n%s", strings.Join(lines[max(0, len(lines)-60):], "\n"), err, out)
	}
	t.Logf("the demo took %s", time.Since(began))
	for _, want := range []string{
		"Drill *INC-1* declared for Regional data center outage: 17 steps in 4 phases. Its pages go to the drill target (escalation policy PDRILL01) only.",
		"Steps preflight, promote-standby, scale-up-secondary, secondary-available, performance act on drill clusters for real",
		`pagerduty bob acknowledged Q000005 "[DRILL] [INC-1 P0] Drill: Regional data center outage"`,
		"preflight: preflight on drill-usw2: all 5 checks passed | PASS capacity: 2 Ready, schedulable nodes;",
		"alice     clicks Approve on \"Fail the database over to the hot standby in us-west-2\"",
		"dns-failover: DRILL: not run for real; it would have sent: | POST https://dns-failover.internal/v1/failover",
		`promote-standby: Switched over: postgresql-primary -> postgresql-replica-0, timeline 2 (Patroni: Successfully switched over to "postgresql-replica-0")`,
		"Measured RPO: 0s (postgresql-replica-0 was 0 bytes behind the leader).",
		"| RPO | 30s (intent-processing) | 0s, measured at the switchover of step 1.6 promote-standby (postgresql-replica-0 was 0 bytes behind the leader) | met |",
		"scale-up-secondary: scaled (previous counts, to restore them): | deployment nephoran-system/api-gateway: replicas 1 -> 3",
		"pods ready: 10/10",
		"INC-1 is resolved after",
		"The bot filed the post-incident review as GitHub issue nephoran/incidents#1",
		"=== Channel #inc-1-drill-regional-data-center-outage, as Slack shows it",
		"17 of 17 steps done.",
		"the hash chain verifies",
		"step_approved    alice approved \"Fail DNS over to us-west-2\" (dns-failover), asked by bob",
		`nephoran/incidents#1 open   "Post-incident review: INC-1 Drill: Regional data center outage" [postmortem, severity:P0, service:intent-processing (tier 1)]`,
		`nephoran/incidents#2 closed "INC-1 follow-up: Automate the certificate and secret sync check for us-west-2"`,
		"- [x] Automate the certificate and secret sync check for us-west-2 (bob)",
		"Kubernetes drill-usw2  deployment nephoran-system/web-console: 3/3 available",
		"Kubernetes drill-usw2  Patroni leader: postgresql-replica-0",
		"Slack bookmark  Post-incident review https://github.example/nephoran/incidents/issues/1",
		"Slack bookmark  PagerDuty incident   https://example.pagerduty.com/incidents/Q",
		"Slack bookmark  Playbook run         https://test.slack.com/archives/C",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	pages := regexp.MustCompile(`(?m)^PagerDuty Q\d+  (\S+)\s+via (\S+)`).FindAllStringSubmatch(out, -1)
	if len(pages) != 5 {
		t.Errorf("%d pages listed, want 5 (one per crisis role)", len(pages))
	}
	for _, p := range pages {
		if p[1] != "resolved" || p[2] != "PDRILL01" {
			t.Errorf("page %s via %s: want resolved, via the drill policy", p[1], p[2])
		}
	}
	if strings.Contains(out, "<@U0") {
		t.Error("the output shows raw Slack mentions; people read names")
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}

	again, err := demoCmd(t, "demo", "--listen", "127.0.0.1:0", "--dir", dir).CombinedOutput()
	if err == nil || !strings.Contains(string(again), "already holds a database from an earlier demo") {
		t.Errorf("a second demo in the same --dir (%v):\n%s", err, again)
	}

	// The release binary reads the demo's database.
	verify, code := run(t, []string{"PATH=" + os.Getenv("PATH"), "INCIDENTBOT_DB=" + filepath.Join(dir, "incidentbot.db")}, "timeline", "verify")
	if code != 0 || !strings.Contains(verify, "INC-1: ok (") || !strings.Contains(verify, "1 incidents checked, 0 broken") {
		t.Errorf("timeline verify on the demo's database (exit %d):\n%s", code, verify)
	}
}

// With --serve the bot stays up after the drill with its dashboard and status page, until
// interrupted; it then stops cleanly.
func TestDemoServe(t *testing.T) {
	cmd := demoCmd(t, "demo", "--serve", "--listen", "127.0.0.1:0", "--dir", t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Dashboard "); ok {
				base <- strings.TrimSuffix(strings.Fields(rest)[0], "/")
			}
		}
	}()
	var url string
	select {
	case url = <-base:
	case <-time.After(60 * time.Second):
		t.Fatal("the demo did not print its dashboard address")
	}
	for path, want := range map[string]string{"/": "INC-1", "/incidents/1": "Fail the database over to the hot standby", "/status": "All systems operational"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, lacks %q", path, resp.StatusCode, want)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the demo did not stop cleanly on SIGINT: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("the demo did not stop on SIGINT")
	}
}
