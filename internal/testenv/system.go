package testenv

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/sqlite"
)

// TestServices are the services tests declare incidents on, as a configuration names them.
func TestServices() map[string]config.Service {
	return map[string]config.Service{
		"intent-processing": {Tier: 1, PagerDutyService: "PSVC001"}, // RTO 15m, RPO 30s
		"api-gateway":       {Tier: 2},                              // RTO 45m, RPO 5m
		"payroll":           {Tier: 2, Confidential: true},
	}
}

// System is the application as production builds it (app.New), on a real SQLite file and
// the Slack emulator through the real slack-go client, with a fake clock. The outbox runs
// only when Deliver is called, so tests decide when effects happen.
type System struct {
	T        testing.TB
	Ctx      context.Context
	App      *app.App
	DB       *sqlite.DB   // the SQLite file, when the system runs on one (the default)
	Store    app.Database // the store the system runs on
	Slack    *Slack
	Clock    *Clock
	Chat     *slackapi.Chat
	Service  *incident.Service
	Outbox   *incident.Outbox
	Router   *commands.Router
	Announce string     // the announce channel's ID
	PD       *PagerDuty // nil unless WithPagerDuty
	GitHub   *GitHub    // nil unless WithGitHub
	// Statuspage is the Statuspage fake; nil unless WithStatuspage.
	Statuspage *Statuspage
	// Library holds the built-in playbooks, and those WithPlaybooks adds.
	Library *playbook.Library
	// Env is what the secret headers of http steps read.
	Env map[string]string
}

// Option changes how NewSystem builds the System: the configuration and the dependencies
// it gives app.New, and what it changes once the app is built.
type Option func(*Setup)

// Setup is what an Option changes.
type Setup struct {
	System *System
	Config *config.Config
	Deps   *app.Deps
	built  []func()
}

// Built runs fn once the app is built.
func (s *Setup) Built(fn func()) { s.built = append(s.built, fn) }

// WithConfig changes the configuration with fn.
func WithConfig(fn func(*config.Config)) Option {
	return func(s *Setup) { fn(s.Config) }
}

// WithStore makes the domain service work through wrap(store) (app.Deps.WrapStore).
func WithStore(wrap func(incident.Store) incident.Store) Option {
	return func(s *Setup) { s.Deps.WrapStore = wrap }
}

// WithKubernetes runs kubernetes.* steps with x (which also dry-runs them) on the named
// clusters, and dry-run plans older than a minute are made again at approval.
func WithKubernetes(x incident.Executor, clusters ...string) Option {
	return func(s *Setup) {
		s.Deps.Kubernetes = x
		for _, name := range clusters {
			s.Config.Clusters[name] = config.Cluster{Context: name}
		}
		s.Config.Actions.Kubernetes.PlanMaxAge = config.Duration(time.Minute)
	}
}

// WithDrills sends drills' pages to target and runs drills' kubernetes steps on the
// mapped drill clusters (drills.paging and drills.clusters).
func WithDrills(target incident.PageTarget, clusters map[string]string) Option {
	return func(s *Setup) {
		s.Config.Drills.Paging = config.Role{PagerDutyEscalationPolicy: target.EscalationPolicy, PagerDutySchedule: target.Schedule,
			PagerDutyRoutingKey: config.Secret(target.RoutingKey)}
		s.Config.Drills.Clusters = clusters
	}
}

// WithPlaybooks adds the playbooks of dir and lets http steps call hosts.
func WithPlaybooks(dir string, hosts ...string) Option {
	return func(s *Setup) {
		s.Config.Playbooks.Dirs = append(s.Config.Playbooks.Dirs, dir)
		s.Config.Actions.HTTP.AllowedHosts = append(s.Config.Actions.HTTP.AllowedHosts, hosts...)
	}
}

// WithPlanner dry-runs kubernetes steps with p, and refreshes plans older than maxAge at
// approval.
func WithPlanner(p incident.Planner, maxAge time.Duration) Option {
	return func(s *Setup) {
		s.Config.Actions.Kubernetes.PlanMaxAge = config.Duration(maxAge)
		s.Built(func() { s.System.Outbox.Planner = p })
	}
}

// WithGitHub files reviews in the GitHub fake's repository nephoran/incidents, on
// resolution when onResolve, with follow-ups as issues.
func WithGitHub(onResolve bool) Option {
	return func(s *Setup) {
		sys := s.System
		sys.GitHub = NewGitHub("nephoran/incidents")
		sys.GitHub.SetClock(sys.Clock.Now)
		sys.T.Cleanup(sys.GitHub.Close)
		g := &s.Config.GitHub
		g.Token, g.APIURL, g.Repo = GitHubToken, sys.GitHub.URL(), "nephoran/incidents"
		g.ReviewOnResolve, g.FollowupIssues = &onResolve, true
	}
}

// Components of the Statuspage fake's page, and the test services they show
// (WithStatuspage): intent-processing and api-gateway have one, payroll (confidential)
// none.
const (
	SPComponentIntent  = "8kbf7d35c070"
	SPComponentGateway = "vtnh60py4yd7"
)

// WithStatuspage publishes status page updates, mitigations and resolutions on the
// Statuspage fake's page StatuspagePage, whose components show intent-processing and
// api-gateway.
func WithStatuspage() Option {
	return func(s *Setup) {
		sys := s.System
		sys.Statuspage = NewStatuspage(map[string]string{SPComponentIntent: "Intent processing", SPComponentGateway: "API gateway"})
		sys.Statuspage.SetClock(sys.Clock.Now)
		sys.T.Cleanup(sys.Statuspage.Close)
		s.Config.Statuspage = config.Statuspage{PageID: StatuspagePage, APIKey: StatuspageKey, APIURL: sys.Statuspage.URL(),
			Components: map[string]string{"intent-processing": SPComponentIntent, "api-gateway": SPComponentGateway}}
	}
}

// WithApproverGroup defines an approver group.
func WithApproverGroup(name string, users ...string) Option {
	return func(s *Setup) {
		if s.Config.Approvals.Groups == nil {
			s.Config.Approvals.Groups = map[string][]string{}
		}
		s.Config.Approvals.Groups[name] = users
	}
}

// WithSlackBudget turns on the bot's budget of Slack calls (slack.rate_budget), on the
// system's clock.
func WithSlackBudget() Option {
	return func(s *Setup) {
		on := true
		s.Config.Slack.RateBudget = &on
	}
}

// WithPagerDuty pages through the PagerDuty fake: the commander and business continuity
// lead through escalation policy PIC0001, the technical lead through PTL0001, the
// communications lead through schedule PCOMMS1, legal through the Events API.
func WithPagerDuty() Option {
	return func(s *Setup) {
		sys := s.System
		sys.PD = NewPagerDuty()
		sys.T.Cleanup(sys.PD.Close)
		s.Config.PagerDuty = config.PagerDuty{Token: PagerDutyToken, From: PagerDutyFrom, APIURL: sys.PD.URL(),
			EventsURL: sys.PD.EventsURL(), WebhookSecret: PagerDutyWebhookSecret, Service: "PSVC001", JoinWindow: s.Config.PagerDuty.JoinWindow}
		s.Config.Roles = map[string]config.Role{
			string(incident.RoleCommander):          {PagerDutyEscalationPolicy: "PIC0001"},
			string(incident.RoleBusinessContinuity): {PagerDutyEscalationPolicy: "PIC0001"},
			string(incident.RoleTechnicalLead):      {PagerDutyEscalationPolicy: "PTL0001"},
			string(incident.RoleCommunications):     {PagerDutySchedule: "PCOMMS1"},
			string(incident.RoleLegalCompliance):    {PagerDutyRoutingKey: PagerDutyRoutingKey},
		}
	}
}

// NewSystem builds a System whose incidents are announced in #incidents.
func NewSystem(tb testing.TB, opts ...Option) *System {
	tb.Helper()
	emu := NewSlack()
	tb.Cleanup(emu.Close)
	s := &System{T: tb, Ctx: context.Background(), Slack: emu, Clock: NewClock(time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)),
		Announce: emu.AddChannel("incidents", SlackBotUser), Env: map[string]string{}}
	cfg := config.Default()
	cfg.DB, cfg.Listen = filepath.Join(tb.TempDir(), "incidentbot.db"), "127.0.0.1:0"
	cfg.Slack.BotToken, cfg.Slack.AppToken, cfg.Slack.SigningSecret = SlackBotToken, SlackAppToken, SlackSigningSecret
	cfg.Slack.APIURL, cfg.Slack.AnnounceChannel = emu.APIURL(), s.Announce
	cfg.Services = TestServices()
	// Like the emulator's rate limits, the bot's budget of calls is for the tests that ask
	// for it (WithSlackBudget): on a clock that moves only when told, it would hold back
	// every test that makes more calls than a tier allows in a minute.
	noBudget := false
	cfg.Slack.RateBudget = &noBudget
	setup := &Setup{System: s, Config: cfg, Deps: &app.Deps{Log: slog.New(slog.DiscardHandler), Clock: s.Clock,
		Clusters: kube.Static(nil), // no cluster is reachable, nor the kubeconfig of the machine the tests run on
		Getenv:   func(k string) string { return s.Env[k] }}}
	for _, o := range opts {
		o(setup)
	}
	if err := cfg.Validate(); err != nil {
		tb.Fatalf("the test system's configuration: %v", err)
	}
	a, err := app.New(s.Ctx, cfg, *setup.Deps)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	if err := a.Authenticate(s.Ctx); err != nil {
		tb.Fatal(err)
	}
	s.App, s.Store, s.Chat, s.Service, s.Outbox, s.Router, s.Library = a, a.DB, a.Chat, a.Service, a.Outbox, a.Router, a.Library
	s.DB, _ = a.DB.(*sqlite.DB) // nil for a system on PostgreSQL
	for _, fn := range setup.built {
		fn()
	}
	return s
}

// Deliver runs every effect due now, and those they enqueue, and returns how many attempts it made.
func (s *System) Deliver() int {
	s.T.Helper()
	n, err := s.Outbox.DeliverDue(s.Ctx)
	if err != nil {
		s.T.Fatal(err)
	}
	return n
}

// Incident reads an incident by ID.
func (s *System) Incident(id int64) *incident.Incident {
	s.T.Helper()
	inc, err := s.Service.FindIncidentByID(s.Ctx, id)
	if err != nil {
		s.T.Fatal(err)
	}
	return inc
}

// Effects reads an incident's outbox.
func (s *System) Effects(id int64) []incident.Effect {
	s.T.Helper()
	var effs []incident.Effect
	if err := s.DB.View(s.Ctx, func(tx incident.Tx) (err error) {
		effs, err = tx.Effects(id)
		return err
	}); err != nil {
		s.T.Fatal(err)
	}
	return effs
}

// Events reads an incident's timeline.
func (s *System) Events(id int64) []incident.TimelineEvent {
	s.T.Helper()
	evs, err := s.Service.Timeline(s.Ctx, id)
	if err != nil {
		s.T.Fatal(err)
	}
	return evs
}

// Do runs an /incident command as user in channel, as typed.
func (s *System) Do(user, channel, text string) commands.Reply {
	return s.Router.Handle(s.Ctx, commands.Request{UserID: user, ChannelID: channel, Text: text})
}
