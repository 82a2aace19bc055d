// Package demo is the demo (`make demo`, `bin/incidentbot-demo demo`; only the demo
// build, -tags demo, links it): the world the bot runs in (in-process Slack,
// PagerDuty and GitHub emulators and a simulated Kubernetes cluster, with a crisis team)
// and the scripted regional-outage drill that drives the real bot through it, as its
// users would: signed slash commands and button clicks, signed PagerDuty webhooks.
package demo

import (
	"context"
	"net"
	"time"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/kubesim"
)

// Person is a member of the demo's crisis team, in Slack and in PagerDuty.
type Person struct {
	SlackID, PagerDutyID, Name, Email string
}

// The crisis team. Alice declares and commands; the others take the plan's roles.
var (
	Alice = Person{"U0ALICE", "PUALICE", "alice", "alice@example.com"}
	Bob   = Person{"U0BOB", "PUBOB", "bob", "bob@example.com"}
	Carol = Person{"U0CAROL", "PUCAROL", "carol", "carol@example.com"}
	Dave  = Person{"U0DAVE", "PUDAVE", "dave", "dave@example.com"}
	Erin  = Person{"U0ERIN", "PUERIN", "erin", "erin@example.com"}
	Team  = []Person{Alice, Bob, Carol, Dave, Erin}
)

// Names of things in the world.
const (
	Namespace    = "nephoran-system"
	DrillPolicy  = "PDRILL01" // the PagerDuty escalation policy drills page
	DrillCluster = "drill-usw2"
	Region       = "us-west-2" // the secondary region the drill fails over to
	Repo         = "nephoran/incidents"
)

// World is everything outside the bot.
type World struct {
	Slack   *testenv.Slack
	PD      *testenv.PagerDuty
	GitHub  *testenv.GitHub
	Cluster *kubesim.Cluster
	// PatroniURL is the REST API of the drill cluster's Patroni (on loopback, an allowed
	// host), which the playbook's preflight reads and its switchover goes through.
	PatroniURL string
	// General is where the drill is declared; Announce where incidents are announced.
	General, Announce string

	stopPatroni func()
}

// NewWorld starts the emulators and the simulated drill cluster: the secondary region's
// application services as a warm standby (one replica each) and its PostgreSQL hot standby.
func NewWorld(ctx context.Context) *World {
	w := &World{Slack: testenv.NewSlack(), PD: testenv.NewPagerDuty(), GitHub: testenv.NewGitHub(Repo)}
	var ids []string
	for _, p := range Team {
		w.Slack.AddUser(p.SlackID, p.Name, p.Email)
		w.PD.AddUser(testenv.PDUser{ID: p.PagerDutyID, Name: p.Name, Email: p.Email})
		ids = append(ids, p.SlackID)
	}
	w.PD.SetOnCall(DrillPolicy, "", Bob.PagerDutyID)
	w.General = w.Slack.AddChannel("general", append(ids, testenv.SlackBotUser)...)
	w.Announce = w.Slack.AddChannel("incidents", append(ids, testenv.SlackBotUser)...)
	w.Cluster = kubesim.New(DrillCluster, []string{"postgresql-primary", "postgresql-replica-0"},
		kubesim.Deployment(Namespace, "intent-processing", 1),
		kubesim.Deployment(Namespace, "api-gateway", 1),
		kubesim.Deployment(Namespace, "web-console", 1),
		kubesim.StatefulSet(Namespace, "postgresql-replica", 1),
		kubesim.Node(DrillCluster+"-node-0", "16", "64Gi"), kubesim.Node(DrillCluster+"-node-1", "16", "64Gi"))
	w.Cluster.Step = 100 * time.Millisecond
	w.PatroniURL, w.stopPatroni = w.Cluster.ServePatroni()
	w.Cluster.Settle(ctx)
	go w.Cluster.Run(ctx)
	return w
}

// Close stops the emulators.
func (w *World) Close() {
	w.Slack.Close()
	w.PD.Close()
	w.GitHub.Close()
	w.stopPatroni()
}

// Clusters are the playbooks' clusters as the bot sees them: only the drill cluster can
// be reached. us-west-2 is configured (playbooks name it) but has no connection here, so a
// step that reached for it instead of its drill cluster would fail, not touch anything.
func (w *World) Clusters() *kube.Clusters {
	return kube.Static(map[string]*kube.Client{DrillCluster: w.Cluster.Client()})
}

// Config is the bot's configuration for this world, with its database at db and its HTTP
// server on listen.
func (w *World) Config(db, listen string) *config.Config {
	cfg := config.Default()
	cfg.DB, cfg.Listen = db, listen
	// Where the report says the dashboard is, for the channel's bookmark (not known yet for
	// a port the system picks).
	if host, port, err := net.SplitHostPort(listen); err == nil && port != "0" {
		if host == "" {
			host = "127.0.0.1"
		}
		cfg.Web.PublicURL = "http://" + net.JoinHostPort(host, port)
	}
	cfg.Slack.BotToken, cfg.Slack.SigningSecret = testenv.SlackBotToken, testenv.SlackSigningSecret
	cfg.Slack.APIURL, cfg.Slack.AnnounceChannel = w.Slack.APIURL(), w.Announce
	cfg.PagerDuty = config.PagerDuty{Token: testenv.PagerDutyToken, From: testenv.PagerDutyFrom, APIURL: w.PD.URL(),
		EventsURL: w.PD.EventsURL(), WebhookSecret: testenv.PagerDutyWebhookSecret, Service: "PSVC001", JoinWindow: cfg.PagerDuty.JoinWindow}
	cfg.Roles = map[string]config.Role{
		"incident-commander":       {PagerDutyEscalationPolicy: "PIC0001"},
		"technical-lead":           {PagerDutyEscalationPolicy: "PTL0001"},
		"communications-lead":      {PagerDutySchedule: "PCOMMS1"},
		"business-continuity-lead": {PagerDutyEscalationPolicy: "PIC0001"},
		"legal-compliance-lead":    {PagerDutyRoutingKey: testenv.PagerDutyRoutingKey},
	}
	cfg.GitHub.Token, cfg.GitHub.APIURL, cfg.GitHub.Repo, cfg.GitHub.FollowupIssues = testenv.GitHubToken, w.GitHub.URL(), Repo, true
	cfg.Services = map[string]config.Service{
		"intent-processing": {Tier: 1, PagerDutyService: "PSVC001"},
		"api-gateway":       {Tier: 2},
		"web-console":       {Tier: 3},
	}
	cfg.Clusters = map[string]config.Cluster{Region: {Context: "prod-usw2"}, DrillCluster: {Context: DrillCluster}}
	cfg.Actions.HTTP.AllowedHosts = []string{"dns-failover.internal", "global-lb.internal", "127.0.0.1"} // 127.0.0.1: Patroni
	cfg.Drills.Paging = config.Role{PagerDutyEscalationPolicy: DrillPolicy}
	cfg.Drills.Clusters = map[string]string{Region: DrillCluster}
	cfg.Drills.PatroniHosts = []string{"127.0.0.1"} // the drill cluster's Patroni
	// The demo plays in half a minute what takes people an hour, posting many times a
	// second in one channel; the emulator does not rate-limit it, so neither does the bot.
	noBudget := false
	cfg.Slack.RateBudget = &noBudget
	return cfg
}
