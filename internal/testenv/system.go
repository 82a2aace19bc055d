package testenv

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/github"
	"github.com/nephoran/incidentbot/internal/httpgate"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/pagerduty"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/internal/postmortem"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/playbooks"
	"github.com/slack-go/slack"
)

// TestCatalog is the services tests declare incidents on.
var TestCatalog = incident.Catalog{
	"intent-processing": {Name: "intent-processing", Tier: 1, Targets: incident.Targets{RTO: 15 * time.Minute, RPO: 30 * time.Second}, PagerDuty: "PSVC001"},
	"api-gateway":       {Name: "api-gateway", Tier: 2, Targets: incident.Targets{RTO: 45 * time.Minute, RPO: 5 * time.Minute}},
	"payroll":           {Name: "payroll", Tier: 2, Confidential: true},
}

// System is the domain wired as in production, on a real SQLite file and the Slack emulator
// through the real slack-go client, with a fake clock. The outbox runs only when Deliver
// is called, so tests decide when effects happen.
type System struct {
	T        testing.TB
	Ctx      context.Context
	DB       *sqlite.DB
	Slack    *Slack
	Clock    *Clock
	Chat     *slackapi.Chat
	Service  *incident.Service
	Outbox   *incident.Outbox
	Router   *commands.Router
	Announce string     // the announce channel's ID
	PD       *PagerDuty // nil unless WithPagerDuty
	GitHub   *GitHub    // nil unless WithGitHub
	// Library holds the built-in playbooks, and those WithPlaybooks adds.
	Library *playbook.Library
	// AllowedHosts are the hosts http steps may call; Env what secret headers read.
	AllowedHosts []string
	Env          map[string]string
	// Kubernetes executes kubernetes.* steps on Clusters when set (WithKubernetes).
	Kubernetes incident.Executor
	Clusters   []string
	// DrillClusters stand in for clusters in drills (WithDrills).
	DrillClusters map[string]string
}

// WithKubernetes runs kubernetes.* steps with x (which also dry-runs them) on the named
// clusters, and dry-run plans older than a minute are made again at approval.
func WithKubernetes(x incident.Executor, clusters ...string) Option {
	return func(s *System, settings *incident.Settings) {
		s.Kubernetes, s.Clusters = x, clusters
		settings.PlanMaxAge = time.Minute
	}
}

// WithDrills sends drills' pages to target and runs drills' kubernetes steps on the
// mapped drill clusters (drills.paging and drills.clusters).
func WithDrills(target incident.PageTarget, clusters map[string]string) Option {
	return func(s *System, settings *incident.Settings) {
		settings.Paging.Drill = target
		s.DrillClusters = clusters
	}
}

// WithPlaybooks adds the playbooks of dir and lets http steps call hosts.
func WithPlaybooks(dir string, hosts ...string) Option {
	return func(s *System, _ *incident.Settings) {
		s.AllowedHosts = hosts
		if err := s.Library.LoadFS(os.DirFS(dir), ".", dir, playbook.Options{AllowedHosts: hosts}); err != nil {
			s.T.Fatal(err)
		}
	}
}

// WithPlanner dry-runs kubernetes steps with p, and refreshes plans older than maxAge at
// approval.
func WithPlanner(p incident.Planner, maxAge time.Duration) Option {
	return func(s *System, settings *incident.Settings) {
		s.Outbox.Planner = p
		settings.PlanMaxAge = maxAge
	}
}

// WithGitHub files reviews in the GitHub fake's repository nephoran/incidents, on
// resolution when onResolve, with follow-ups as issues.
func WithGitHub(onResolve bool) Option {
	return func(s *System, settings *incident.Settings) {
		s.GitHub = NewGitHub("nephoran/incidents")
		s.GitHub.SetClock(s.Clock.Now)
		s.T.Cleanup(s.GitHub.Close)
		tr, err := github.New(github.Options{Repo: "nephoran/incidents", Token: GitHubToken, BaseURL: s.GitHub.URL()})
		if err != nil {
			s.T.Fatal(err)
		}
		w, err := postmortem.New("", []string{"postmortem"})
		if err != nil {
			s.T.Fatal(err)
		}
		s.Outbox.Tracker, s.Outbox.Reviews = tr, w
		settings.Reviews, settings.ReviewOnResolve, settings.FollowupIssues = true, onResolve, true
	}
}

// WithApproverGroup defines an approver group.
func WithApproverGroup(name string, users ...string) Option {
	return func(_ *System, settings *incident.Settings) {
		if settings.ApproverGroups == nil {
			settings.ApproverGroups = map[string][]string{}
		}
		settings.ApproverGroups[name] = users
	}
}

// Option changes how NewSystem builds the System.
type Option func(*System, *incident.Settings)

// WithPagerDuty pages through the PagerDuty fake: the commander and business continuity
// lead through escalation policy PIC0001, the technical lead through PTL0001, the
// communications lead through schedule PCOMMS1, legal through the Events API.
func WithPagerDuty() Option {
	return func(s *System, settings *incident.Settings) {
		s.PD = NewPagerDuty()
		s.T.Cleanup(s.PD.Close)
		s.Outbox.Pager = pagerduty.New(pagerduty.Options{Token: PagerDutyToken, From: PagerDutyFrom, APIURL: s.PD.URL(), EventsURL: s.PD.EventsURL()})
		settings.Paging = incident.PagingSettings{
			Enabled: true,
			Targets: map[incident.Role]incident.PageTarget{
				incident.RoleCommander:          {EscalationPolicy: "PIC0001"},
				incident.RoleBusinessContinuity: {EscalationPolicy: "PIC0001"},
				incident.RoleTechnicalLead:      {EscalationPolicy: "PTL0001"},
				incident.RoleCommunications:     {Schedule: "PCOMMS1"},
				incident.RoleLegalCompliance:    {RoutingKey: PagerDutyRoutingKey},
			},
			BySeverity: incident.DefaultPagingBySeverity(),
			Service:    "PSVC001",
		}
	}
}

// NewSystem builds a System whose incidents are announced in #incidents.
func NewSystem(tb testing.TB, opts ...Option) *System {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "incidentbot.db"))
	if err != nil {
		tb.Fatal(err)
	}
	emu := NewSlack()
	tb.Cleanup(func() {
		db.Close()
		emu.Close()
	})
	clock := NewClock(time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC))
	announce := emu.AddChannel("incidents", SlackBotUser)
	settings := incident.Settings{ChannelPrefix: "inc", AnnounceChannel: announce, Catalog: TestCatalog,
		PagerSeverity: incident.DefaultSeverityMap()}
	log := slog.New(slog.DiscardHandler)
	chat := &slackapi.Chat{
		API: slack.New(SlackBotToken, slack.OptionAPIURL(emu.APIURL()),
			slack.OptionHTTPClient(&http.Client{Transport: &httpgate.Transport{Key: httpgate.SlackMethod, Now: clock.Now}})),
		BotUserID:    SlackBotUser,
		Card:         views.Card,
		Announcement: views.Announcement,
		StepCard:     views.StepCard,
		RunCard:      views.RunCard,
		Notice:       views.Notice,
		Topic:        views.Topic,
	}
	ob := &incident.Outbox{Store: db, Chat: chat, Clock: clock, Log: log}
	s := &System{T: tb, Ctx: ctx, DB: db, Slack: emu, Clock: clock, Chat: chat, Outbox: ob, Announce: announce,
		Library: playbook.NewLibrary(), Env: map[string]string{}}
	if err := s.Library.LoadFS(playbooks.FS, ".", "builtin", playbook.Options{}); err != nil {
		tb.Fatal(err)
	}
	for _, o := range opts {
		o(s, &settings)
	}
	settings.SuggestPlaybooks = func(inc *incident.Incident) []string { return commands.Suggest(s.Library, inc) }
	ob.Settings = settings
	s.Service = &incident.Service{Store: db, Clock: clock, Settings: settings, Log: log, Notify: ob.Notify}
	s.Router = commands.NewRouter(s.Service, log)
	s.Router.EventText = views.EventText
	s.Router.Playbooks = s.Library
	s.Router.PlaybookOptions = playbook.BuildOptions{AllowedHosts: s.AllowedHosts, DefaultApprover: []incident.Role{incident.RoleCommander},
		DrillClusters: s.DrillClusters}
	ex := &playbook.Dispatcher{AllowedHosts: s.AllowedHosts, Getenv: func(k string) string { return s.Env[k] }, Kubernetes: s.Kubernetes}
	ob.Executor = ex
	if s.Kubernetes != nil {
		ob.Planner = ex
		s.Router.PlaybookOptions.Clusters = s.Clusters
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
	var inc *incident.Incident
	if err := s.DB.View(s.Ctx, func(tx incident.Tx) (err error) {
		inc, err = tx.Incident(id)
		return err
	}); err != nil {
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
