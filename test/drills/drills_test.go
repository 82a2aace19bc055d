package drills

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/internal/testenv/kubecluster"
	"github.com/nephoran/incidentbot/internal/testenv/patronifake"
	"github.com/nephoran/incidentbot/playbooks"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// entry is what a drill of one built-in playbook needs beyond what its steps name.
type entry struct {
	// Service is the service the drill's incident affects (services in bot_test.go): its
	// tier's RTO and RPO are the targets the review measures the drill against.
	Service string
	// Params are the playbook's parameters besides namespace (every drill has its own).
	Params map[string]string
	// Deployments are those in the namespace before the drill (name: replicas), for steps
	// that act on every deployment of the namespace.
	Deployments map[string]int32
	// RPO is the data loss window a person measured and records (/incident rpo) after the
	// drill's database steps; "" for a drill without one. A playbook with a database step
	// (an exec of a database program) must have one, unless its switchover measures it.
	RPO string
	// Patroni is the drill's database as Patroni's REST API shows it, for a playbook whose
	// switchover goes through it (patroni.switchover): a Patroni fake at the URL the drill
	// passes as patroni_url. The review must show the RPO measured at the switchover.
	Patroni *database
	// ByHand names steps that cannot succeed on a real API server as the playbook has them
	// (step ID: what the bot's attempt says): a person does the step by hand and marks it
	// done, and the drill reports the finding. When the playbook is fixed the drill fails
	// until the entry goes.
	ByHand map[string]string
}

// library is the table of drills, one per built-in playbook; a playbook without an entry
// fails TestSeedPlaybookDrills.
var library = map[string]entry{
	"application-service-failure": {Service: "intent-processing"},
	"application-region-failover": {Service: "api-gateway"},
	"application-complete-rebuild": {Service: "platform",
		// The services deployed from clean images, by hand (scripts/deploy-clean-system.sh).
		Deployments: map[string]int32{"intent-processing": 2, "api-gateway": 2, "nephoran-controller": 1}},
	"database-primary-failure": {Service: "core-database",
		Patroni: &database{Measured: "0s, measured at the switchover of step 1.2 switchover (postgresql-replica-0 was 0 bytes behind the leader)"}},
	"database-region-failure": {Service: "core-database", Params: map[string]string{"backup_date": "20261201"},
		RPO: "15m"}, // the age of the newest cross-region backup, from its manifest
	"database-corruption": {Service: "core-database", Params: map[string]string{"backup_timestamp": "2026-12-01 03:00:00"},
		Deployments: map[string]int32{"intent-processing": 2, "nephoran-controller": 1},
		RPO:         "10m"}, // from the last good backup to the corruption
	"regional-outage": {Service: "api-gateway",
		// The secondary region's warm standby, one replica each, as the demo's world has it.
		Deployments: map[string]int32{"intent-processing": 1, "api-gateway": 1, "web-console": 1},
		Patroni: &database{Synchronous: true,
			Measured: "0s, measured at the switchover of step 1.6 promote-standby (postgresql-replica-0 was the synchronous standby, so every acknowledged commit was on it; lag 0 bytes)"}},
	"multi-region-cloud-outage": {Service: "platform", RPO: "4h"}, // the age of the newest cross-cloud backup
	"cyber-security-incident":   {Service: "platform"},
	"single-node-failure": {Service: "intent-processing", Params: map[string]string{"node": "{namespace}-node-0"},
		Deployments: map[string]int32{"intent-processing": 2}},
}

// database is a drill's Patroni cluster: postgresql-primary leads, postgresql-replica-0
// streams from it, 0 bytes behind (the synchronous standby in synchronous mode).
type database struct {
	Synchronous bool
	// Measured is the achieved RPO the review's RPO row must show.
	Measured string
}

// patroniHost is where the drills' Patroni fakes listen: allow-listed (actions.http) and, in
// a rehearsal, a drill database's host (drills.patroni_hosts).
const patroniHost = "127.0.0.1"

// start serves the database as Patroni 3.0.2's REST API does, until the test ends.
func (db *database) start(t *testing.T) *patronifake.Fake {
	f := patronifake.Start(t)
	role := "replica"
	if db.Synchronous {
		role = "sync_standby"
	}
	f.Set(db.Synchronous,
		patronifake.Member{Name: "postgresql-primary", Role: "leader", State: "running", Timeline: 1},
		patronifake.Member{Name: "postgresql-replica-0", Role: role, State: "running", Timeline: 1, Streaming: true})
	return f
}

// databasePrograms are the programs whose exec makes a step a database step: the drill's
// review then reports an RPO.
var databasePrograms = []string{"patronictl", "pg_restore", "psql"}

// databaseStep returns the ID of the run's first database step (an exec of a database
// program, or a switchover), or "".
func databaseStep(steps []incident.StepSpec) string {
	for _, s := range steps {
		if s.Action.Type == playbook.PatroniSwitchover ||
			s.Action.Type == "kubernetes.exec" && len(s.Action.Command) > 0 && slices.Contains(databasePrograms, s.Action.Command[0]) {
			return s.StepID
		}
	}
	return ""
}

// switchoverStep returns the ID of the run's first patroni.switchover step, or "".
func switchoverStep(steps []incident.StepSpec) string {
	for _, s := range steps {
		if s.Action.Type == playbook.PatroniSwitchover {
			return s.StepID
		}
	}
	return ""
}

// buildOptions are what the bot builds runs with in a mode (bot_test.go's configuration).
func buildOptions(hooks []string, mode string) playbook.BuildOptions {
	o := playbook.BuildOptions{AllowedHosts: append(slices.Clone(hooks), patroniHost), DefaultApprover: []incident.Role{incident.RoleCommander}, Clusters: playbookClusters}
	if mode == rehearsal {
		o.DrillPatroniHosts = []string{patroniHost}
		o.Clusters = append(slices.Clone(playbookClusters), drillCluster)
		o.DrillClusters = map[string]string{}
		for _, c := range playbookClusters {
			o.DrillClusters[c] = drillCluster
		}
	}
	return o
}

// builtin loads the built-in library as the bot does, with hosts allowed for its http steps.
func builtin(t *testing.T, hosts []string) *playbook.Library {
	lib := playbook.NewLibrary()
	if err := lib.LoadFS(playbooks.FS, ".", "playbooks", playbook.Options{AllowedHosts: hosts}); err != nil {
		t.Fatal(err)
	}
	return lib
}

// hookHosts are the hosts the library's http steps call.
func hookHosts(t *testing.T) []string {
	var hosts []string
	for _, p := range builtin(t, nil).List() {
		for _, ps := range p.Steps() {
			if ps.Step.Action.Type != "http" {
				continue
			}
			u, err := url.Parse(ps.Step.Action.URL)
			if err != nil {
				t.Fatalf("%s step %s: %v", p.Name, ps.Step.ID, err)
			}
			if !slices.Contains(hosts, u.Hostname()) {
				hosts = append(hosts, u.Hostname())
			}
		}
	}
	sort.Strings(hosts)
	return hosts
}

// Every built-in playbook, drilled on a real control plane by the real binary and its
// people, through the step cards' buttons, to a filed review with its RTO (and RPO) against
// the target.
func TestSeedPlaybookDrills(t *testing.T) {
	hosts := hookHosts(t)
	lib := builtin(t, hosts)
	for _, p := range lib.List() {
		if _, ok := library[p.Name]; !ok {
			t.Errorf("the built-in playbook %s has no drill entry in test/drills/drills_test.go: add one (its service, and what its steps act on that they do not name)", p.Name)
		}
	}
	for name := range library {
		if _, ok := lib.Get(name); !ok {
			t.Errorf("the drill table has %s, which is not a built-in playbook", name)
		}
	}
	for _, mode := range []string{live, rehearsal} {
		for _, p := range lib.List() {
			t.Run("plan/"+mode+"/"+p.Name, func(t *testing.T) { (&drill{t: t, p: p, e: library[p.Name], mode: mode, hosts: hosts}).plan() })
		}
	}
	if t.Failed() {
		return
	}
	if !kubecluster.Available() {
		t.Skip("set INCIDENTBOT_KUBE_BIN (make test-e2e does) to drill the playbooks on a real kube-apiserver")
	}
	bin := buildBot(t)
	c, err := kubecluster.Start(context.Background(), t.TempDir(), kubecluster.Options{Workloads: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kc := kubernetes.NewForConfigOrDie(cfg)
	if _, err := kc.CoreV1().Nodes().Create(context.Background(), kwokNode(sharedNode, false), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	nodeUp(t, kc, sharedNode)
	writeStandIns(t, c.ExecDir())
	// A bot for each mode, each with its own Slack, PagerDuty, GitHub and hooks.
	outs, bots := map[string]*outside{}, map[string]*bot{}
	for _, mode := range []string{live, rehearsal} {
		outs[mode] = startOutside(t, hosts)
		bots[mode] = startBot(t, bin, outs[mode], c, mode)
	}
	started := time.Now()
	t.Cleanup(func() { t.Logf("the drills took %s", time.Since(started).Round(time.Second)) })

	t.Run("drills", func(t *testing.T) {
		for _, mode := range []string{live, rehearsal} {
			for _, p := range lib.List() {
				t.Run(mode+"/"+p.Name, func(t *testing.T) {
					t.Parallel()
					(&drill{t: t, p: p, e: library[p.Name], mode: mode, bot: bots[mode], out: outs[mode], cluster: c, kc: kc, hosts: hosts}).run()
				})
			}
		}
	})
	for _, mode := range []string{live, rehearsal} {
		// Every drill's timeline is evidence: each chain verifies.
		want := fmt.Sprintf("%d incidents checked, 0 broken", len(lib.List()))
		if out, ok := bots[mode].verify(t); !ok || !strings.Contains(out, want) {
			t.Errorf("%s: timeline verify (want %q):\n%s", mode, want, out)
		}
	}
	// A rehearsal calls no hook: its http steps say what they would have sent.
	if calls := outs[rehearsal].Hooks.Calls(); len(calls) > 0 {
		t.Errorf("the rehearsals called the hooks: %+v", calls)
	}
}

// drill is one playbook's drill.
type drill struct {
	t       *testing.T
	p       *playbook.Playbook
	e       entry
	mode    string // live or rehearsal
	bot     *bot
	out     *outside
	cluster *kubecluster.Cluster
	kc      kubernetes.Interface
	hosts   []string

	patroni *patronifake.Fake // the drill's database, when its entry has one
	ns      string
	key     string // INC-N
	channel string
	steps   []incident.StepSpec
	world   *world
}

// params are the drill's playbook parameters; {namespace} in an entry's value is the
// drill's namespace (for names outside it, such as a node's).
func (d *drill) params() map[string]string {
	ps := map[string]string{"namespace": d.ns}
	for k, v := range d.e.Params {
		ps[k] = strings.ReplaceAll(v, "{namespace}", d.ns)
	}
	if _, ok := d.p.Params["patroni_url"]; ok {
		ps["patroni_url"] = "http://" + patroniHost + ":8008" // planned before the fake starts
		if d.patroni != nil {
			ps["patroni_url"] = d.patroni.URL
		}
	}
	return ps
}

// build renders the run as the bot will for the incident with number n.
func (d *drill) build(n int64) []incident.StepSpec {
	inc := &incident.Incident{Number: int(n), Title: "drill", Severity: incident.P1, Drill: d.mode == rehearsal}
	spec, err := playbook.Build(d.p, d.params(), inc, buildOptions(d.hosts, d.mode))
	if err != nil {
		d.t.Fatalf("build %s: %v", d.p.Name, err)
	}
	var steps []incident.StepSpec
	for _, ph := range spec.Phases {
		steps = append(steps, ph.Steps...)
	}
	return steps
}

// plan derives the drill's world from its run and checks its entry: what the steps act on
// can be made, and a database step has an RPO to record. It needs no control plane.
func (d *drill) plan() *world {
	d.ns = d.mode + "-" + d.p.Name
	draft := d.build(0)
	if id := databaseStep(draft); id != "" && d.e.RPO == "" && d.e.Patroni == nil {
		d.t.Fatalf("step %s is a database step: say in the drill's entry what RPO its people record", id)
	}
	if id := switchoverStep(draft); (id != "") != (d.e.Patroni != nil) {
		d.t.Fatalf("switchover step %q, Patroni in the drill's entry %v: a switchover needs the entry's database, which measures the RPO", id, d.e.Patroni != nil)
	}
	return worldOf(d.t, d.ns, draft, d.e)
}

func (d *drill) run() {
	t := d.t
	d.world = d.plan()
	d.world.build(t, d.kc)
	if d.e.Patroni != nil {
		d.patroni = d.e.Patroni.start(t)
	}

	args := []string{d.p.Name}
	for k, v := range d.params() {
		if strings.Contains(v, " ") {
			v = fmt.Sprintf("%q", v)
		}
		args = append(args, k+"="+v)
	}
	started := regexp.MustCompile(`Declared \*(INC-([0-9]+))\*`)
	var reply string
	if d.mode == rehearsal {
		started = regexp.MustCompile(`Drill \*(INC-([0-9]+))\* declared`)
		reply = d.bot.slash(t, alice, d.out.General, "drill "+strings.Join(args, " "))
	} else {
		sev := d.p.Severity
		if sev == "" {
			sev = "P2"
		}
		reply = d.bot.slash(t, alice, d.out.General, fmt.Sprintf("declare %s %s drill of %s", sev, d.e.Service, d.p.Name))
	}
	m := started.FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("the %s of %s was answered %q", d.mode, d.p.Name, reply)
	}
	d.key = m[1]
	var n int64
	fmt.Sscan(m[2], &n)
	until(t, 30*time.Second, "the channel of "+d.key, func() bool {
		for _, ch := range d.out.Slack.Channels() {
			if strings.HasPrefix(ch.Name, "inc-"+m[2]+"-") && len(ch.Pins) > 0 {
				d.channel = ch.ID
				return true
			}
		}
		return false
	})
	for _, role := range []string{"technical-lead", "communications-lead", "business-continuity-lead", "legal-compliance-lead"} {
		if got := d.bot.slash(t, alice, d.channel, fmt.Sprintf("role %s <@%s>", role, roleHolders[role].SlackID)); got == "" {
			t.Fatalf("role %s: no answer", role)
		}
	}
	if d.mode == rehearsal { // a drill affects no service until told: the targets come from one
		if got := d.bot.slash(t, alice, d.channel, "service add "+d.e.Service); !strings.Contains(got, "RTO") {
			t.Fatalf("service add %s: %q", d.e.Service, got)
		}
	} else if got := d.bot.slash(t, alice, d.channel, "playbook "+strings.Join(args, " ")); !strings.Contains(got, "Started") {
		t.Fatalf("/incident playbook %s: %q", strings.Join(args, " "), got)
	}
	d.steps = d.build(n)

	dr := &driver{t: t, bot: d.bot, slack: d.out.Slack, cluster: d.cluster, channel: d.channel, e: d.e, steps: d.steps, ns: d.ns, mode: d.mode}
	dr.walk()
	d.check(dr)
	if d.patroni != nil {
		rq := d.patroni.Requests()
		if len(rq) != 1 || rq[0] != (patronifake.Request{Leader: "postgresql-primary", Candidate: "postgresql-replica-0"}) || d.patroni.Leader() != "postgresql-replica-0" {
			t.Errorf("the switchovers Patroni was asked for: %+v; it is led by %s", rq, d.patroni.Leader())
		}
	}

	if d.e.RPO != "" {
		if got := d.bot.slash(t, bob, d.channel, "rpo "+d.e.RPO); !strings.Contains(got, "Recorded") {
			t.Fatalf("rpo: %q", got)
		}
	}
	d.bot.slash(t, alice, d.channel, "mitigate")
	d.bot.slash(t, alice, d.channel, "resolve drill of "+d.p.Name+" complete")
	d.review()
}
