package drills

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/kubecluster"
)

// person is a member of the crisis team, in Slack and in PagerDuty.
type person struct{ SlackID, PagerDutyID, Name string }

// The crisis team: alice declares and commands, the others take the plan's roles.
var (
	alice = person{"U0ALICE", "PUALICE", "alice"}
	bob   = person{"U0BOB", "PUBOB", "bob"}
	carol = person{"U0CAROL", "PUCAROL", "carol"}
	dave  = person{"U0DAVE", "PUDAVE", "dave"}
	erin  = person{"U0ERIN", "PUERIN", "erin"}
	team  = []person{alice, bob, carol, dave, erin}
	// roleHolders is who takes each crisis role in every drill.
	roleHolders = map[string]person{"incident-commander": alice, "technical-lead": bob, "communications-lead": carol,
		"business-continuity-lead": dave, "legal-compliance-lead": erin}
)

// playbookClusters are the cluster names the built-in playbooks use (their cluster and
// target_region parameters' values); every one is a context on the drills' control plane.
var playbookClusters = []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1", "tertiary"}

// drillCluster stands in for every playbook cluster in a rehearsal (/incident drill).
const drillCluster = "drill"

// A drill runs in one of two modes.
const (
	// live declares an incident and starts the playbook in it (/incident playbook): every
	// step acts, the http steps on the hooks fake, the kubernetes steps on the control plane.
	live = "live"
	// rehearsal is the bot's drill (/incident drill): marked DRILL, paging the drill target,
	// the kubernetes steps acting on the drill cluster (the control plane) and nothing else
	// real: the playbook clusters' context ("nobody") may do nothing on the control plane,
	// and the http steps only say what they would have sent.
	rehearsal = "drill"
)

// services are the services the drills affect, with the seed's Business Impact Analysis
// tiers: their RTO and RPO are the targets the reviews compare against.
const services = `
  intent-processing: {tier: 1}
  core-database: {tier: 1}
  api-gateway: {tier: 2}
  platform: {tier: 1, rto: 8h, rpo: 24h}
`

// outside is everything the bot talks to besides the control plane.
type outside struct {
	Slack    *testenv.Slack
	PD       *testenv.PagerDuty
	GitHub   *testenv.GitHub
	Hooks    *hooks
	General  string // the channel drills are declared in
	Announce string
}

const repo = "nephoran/incidents"

// startOutside starts the emulators and fakes, with the team in Slack and on call.
func startOutside(t *testing.T, hookHosts []string) *outside {
	o := &outside{Slack: testenv.NewSlack(), PD: testenv.NewPagerDuty(), GitHub: testenv.NewGitHub(repo), Hooks: startHooks(t, hookHosts)}
	t.Cleanup(o.Slack.Close)
	t.Cleanup(o.PD.Close)
	t.Cleanup(o.GitHub.Close)
	ids := []string{testenv.SlackBotUser}
	for _, p := range team {
		o.Slack.AddUser(p.SlackID, p.Name, p.Name+"@example.com")
		o.PD.AddUser(testenv.PDUser{ID: p.PagerDutyID, Name: p.Name, Email: p.Name + "@example.com"})
		ids = append(ids, p.SlackID)
	}
	o.PD.SetOnCall("PIC0001", "", alice.PagerDutyID)
	o.PD.SetOnCall("PTL0001", "", bob.PagerDutyID)
	o.PD.SetOnCall("", "PCOMMS1", carol.PagerDutyID)
	o.PD.SetOnCall("PBC0001", "", dave.PagerDutyID)
	o.PD.SetOnCall("PDRILL01", "", bob.PagerDutyID)
	o.General = o.Slack.AddChannel("general", ids...)
	o.Announce = o.Slack.AddChannel("incidents", ids...)
	return o
}

// botConfig is the bot's configuration file for a mode: live, every playbook cluster is the
// control plane; in rehearsal, the playbook clusters are the context without permissions
// and the drill cluster, which stands in for each, is the control plane. The hooks are
// allow-listed, reviews filed on resolution.
func botConfig(o *outside, kubeconfig, mode string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kubeconfig: %q\nslack: {announce_channel: %s, rate_budget: false}\n", kubeconfig, o.Announce)
	b.WriteString(`roles:
  incident-commander: {pagerduty_escalation_policy: PIC0001}
  technical-lead: {pagerduty_escalation_policy: PTL0001}
  communications-lead: {pagerduty_schedule: PCOMMS1}
  business-continuity-lead: {pagerduty_escalation_policy: PBC0001}
  legal-compliance-lead: {pagerduty_routing_key: ` + testenv.PagerDutyRoutingKey + `}
services:` + services + "clusters:\n")
	production := "e2e"
	if mode == rehearsal {
		production = "nobody"
		fmt.Fprintf(&b, "  %s: {context: e2e}\n", drillCluster)
	}
	for _, c := range playbookClusters {
		fmt.Fprintf(&b, "  %s: {context: %s}\n", c, production)
	}
	if mode == rehearsal {
		b.WriteString("drills:\n  paging: {pagerduty_escalation_policy: PDRILL01}\n  clusters:\n")
		for _, c := range playbookClusters {
			fmt.Fprintf(&b, "    %s: %s\n", c, drillCluster)
		}
		fmt.Fprintf(&b, "  patroni_hosts: [%s]\n", patroniHost)
	}
	fmt.Fprintf(&b, "github: {repo: %s}\napprovals: {default_roles: [incident-commander]}\nactions:\n  http: {allowed_hosts: [%s]}\n",
		repo, strings.Join(append(slices.Clone(o.Hooks.hosts), patroniHost), ", "))
	return b.String()
}

// buildBot builds the incidentbot binary once for the test.
func buildBot(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "incidentbot")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/incidentbot")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// bot is a running `incidentbot serve`.
type bot struct {
	bin    string
	env    []string
	url    string
	mu     sync.Mutex
	stderr strings.Builder
	sender *testenv.SlackSender
	slack  *testenv.Slack
}

// startBot runs the binary in HTTP mode against o and the control plane c.
func startBot(t *testing.T, bin string, o *outside, c *kubecluster.Cluster, mode string) *bot {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "incidentbot.yaml")
	if err := os.WriteFile(cfg, []byte(botConfig(o, c.Kubeconfig, mode)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"INCIDENTBOT_CONFIG=" + cfg, "INCIDENTBOT_DB=" + filepath.Join(dir, "bot.db"), "INCIDENTBOT_LISTEN=127.0.0.1:0",
		"SLACK_BOT_TOKEN=" + testenv.SlackBotToken, "SLACK_SIGNING_SECRET=" + testenv.SlackSigningSecret, "SLACK_API_URL=" + o.Slack.APIURL(),
		"PAGERDUTY_TOKEN=" + testenv.PagerDutyToken, "PAGERDUTY_FROM=" + testenv.PagerDutyFrom, "PAGERDUTY_API_URL=" + o.PD.URL(),
		"PAGERDUTY_EVENTS_URL=" + o.PD.EventsURL(), "PAGERDUTY_WEBHOOK_SECRET=" + testenv.PagerDutyWebhookSecret,
		"GITHUB_TOKEN=" + testenv.GitHubToken, "GITHUB_API_URL=" + o.GitHub.URL(), "GITHUB_REPO=" + repo,
	}, o.Hooks.env()...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &bot{bin: bin, env: cmd.Env, slack: o.Slack}
	exited := make(chan struct{})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			b.mu.Lock()
			b.stderr.WriteString(line + "\n")
			b.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			lines := strings.Split(strings.TrimSpace(b.log()), "\n")
			t.Logf("the bot's last log lines:\n%s", strings.Join(lines[max(0, len(lines)-60):], "\n"))
		}
	})
	select {
	case a := <-addr:
		b.url = "http://" + a
	case <-exited:
		t.Fatalf("serve exited:\n%s", b.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen:\n%s", b.log())
	}
	b.sender = &testenv.SlackSender{BaseURL: b.url, Secret: testenv.SlackSigningSecret, Slack: o.Slack}
	until(t, 30*time.Second, "the bot to be ready", func() bool {
		resp, err := http.Get(b.url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return b
}

// verify runs `incidentbot timeline verify` on the bot's database, beside the running bot,
// and returns its output and whether every chain verified.
func (b *bot) verify(t *testing.T) (string, bool) {
	t.Helper()
	cmd := exec.Command(b.bin, "timeline", "verify")
	cmd.Env = b.env
	out, err := cmd.CombinedOutput()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatal(err)
	}
	return string(out), err == nil
}

func (b *bot) log() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stderr.String()
}

// slash sends /incident text as who in channel, signed as Slack signs it, and returns the
// text the bot answered.
func (b *bot) slash(t *testing.T, who person, channel, text string) string {
	t.Helper()
	resp, err := b.sender.Command(who.SlackID, channel, text, b.slack.NewTriggerID())
	if err != nil {
		t.Fatalf("/incident %s: %v", text, err)
	}
	var body struct{ Text string }
	if resp.Status != 200 || (len(resp.Body) > 0 && resp.JSON(&body) != nil) {
		t.Fatalf("/incident %s: %d %s", text, resp.Status, resp.Body)
	}
	return body.Text
}

// click presses a button as who, signed as Slack signs an interaction; the bot's answer
// goes to the emulator's response_url (its Ephemerals).
func (b *bot) click(t *testing.T, who person, channel string, btn button) {
	t.Helper()
	resp, err := b.sender.Interaction(b.slack.BlockAction(who.SlackID, channel, btn.ActionID, btn.Value))
	if err != nil || resp.Status != 200 {
		t.Fatalf("%s clicks %q (%s): %v %d %s", who.Name, btn.Text, btn.Value, err, resp.Status, resp.Body)
	}
}

// until polls cond every 50 ms until it holds, or fails the test after timeout.
func until(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
