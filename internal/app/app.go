// Package app wires incidentbot together: from a configuration it builds the database, the
// outside systems' adapters, the domain service and its outbox, the command router, the Slack
// surface and the HTTP server. New is the one constructor: `serve`, the demo and the test
// system (internal/testenv) all build the bot with it, so what the tests run is what
// production runs. Only Deps (a clock, clusters, an executor) differ between them.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nephoran/incidentbot/bot"
	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/drills"
	"github.com/nephoran/incidentbot/internal/httpgate"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/metrics"
	"github.com/nephoran/incidentbot/internal/pagerduty"
	"github.com/nephoran/incidentbot/internal/patroni"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/statuspage"
	"github.com/nephoran/incidentbot/internal/web"
	"github.com/slack-go/slack"
)

// Deps are what the application takes from its surroundings rather than from its
// configuration. Production passes only a logger; every nil field has the production default.
type Deps struct {
	Log   *slog.Logger   // nil: slog.Default()
	Clock incident.Clock // nil: the wall clock; tests pass a fake one
	// Clusters serves the playbooks' clusters; nil: the kubeconfig's contexts (clusters:).
	Clusters *kube.Clusters
	// Kubernetes runs (and, when it can, dry-runs) kubernetes.* steps; nil: the Kubernetes
	// executor on Clusters. Tests pass a fake one.
	Kubernetes incident.Executor
	// Getenv is what http steps' secret headers read; nil: os.Getenv.
	Getenv func(string) string
	// WrapStore, when set, wraps the store the domain service works through (a test holds
	// commits with it to see what is answered before them).
	WrapStore func(incident.Store) incident.Store
}

// App is the bot, wired. Its parts are exported for the demo and the tests to drive and
// observe; they are built by New and must not be replaced after Run.
type App struct {
	Config   *config.Config
	DB       Database
	Metrics  *metrics.Metrics
	Library  *playbook.Library
	Chat     *slackapi.Chat
	Names    *incident.Names // people's and channels' names, read once for the review and the pages
	Outbox   *incident.Outbox
	Service  *incident.Service
	Router   *commands.Router
	Bot      *bot.Bot
	Server   *web.Server // its routes registered; listening once Run has started it
	Warnings []string    // about the configuration, logged by New

	log       *slog.Logger
	clock     incident.Clock
	api       *slack.Client
	reminder  *drills.Reminder // nil: no drills.channel
	slackUp   atomic.Bool
	ready     chan struct{} // closed once Slack has authenticated the bot
	readyOnce sync.Once
	startedAt time.Time

	running   bool
	cancel    context.CancelFunc
	workers   sync.WaitGroup
	failed    chan error
	closeOnce sync.Once
	closeErr  error
}

// New builds the application from cfg, which must be valid (config.Load validates it):
// it loads what the configuration names (Load), opens the database, marks the playbook
// steps that were running when the bot last stopped as unknown, and wires every part. It
// listens on nothing and runs nothing until Run; Close releases what it opened.
func New(ctx context.Context, cfg *config.Config, deps Deps) (*App, error) {
	a := &App{Config: cfg, log: deps.Log, clock: deps.Clock, startedAt: time.Now(), failed: make(chan error, 1), ready: make(chan struct{})}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.clock == nil {
		a.clock = incident.SystemClock{}
	}
	loaded, err := Load(cfg)
	if err != nil {
		return nil, fmt.Errorf("the configuration does not load (incidentbot config check shows the same):\n%w", err)
	}
	a.Library, a.reminder, a.Warnings = loaded.Library, loaded.Reminder, loaded.Warnings
	for _, w := range a.Warnings {
		a.log.Warn("configuration: " + w)
	}
	if a.DB, err = OpenDatabase(ctx, cfg); err != nil {
		return nil, err
	}
	if err := a.wire(ctx, deps); err != nil {
		a.DB.Close()
		return nil, err
	}
	return a, nil
}

// wire builds every part on the open database.
func (a *App) wire(ctx context.Context, deps Deps) error {
	cfg, log, clock := a.Config, a.log, a.clock
	a.Metrics = metrics.New(a.DB)
	opts := []slack.Option{slack.OptionAPIURL(cfg.Slack.APIURL),
		// A 429 pauses that method for every caller until Retry-After (httpgate).
		slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second,
			Transport: &httpgate.Transport{Base: a.Metrics.Transport("slack", nil), Key: httpgate.SlackMethod, Now: clock.Now}})}
	if cfg.Slack.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(string(cfg.Slack.AppToken)))
	}
	a.api = slack.New(string(cfg.Slack.BotToken), opts...)

	settings := cfg.Settings()
	settings.SuggestPlaybooks = func(inc *incident.Incident) []string { return commands.Suggest(a.Library, inc) }
	a.Chat = &slackapi.Chat{API: a.api, Card: views.CardLinking(settings.PublicURL), Announcement: views.Announcement, StepCard: views.StepCard, RunCard: views.RunCard,
		Notice: views.Notice, Topic: views.Topic, Reminder: views.Reminder}
	if b := cfg.Slack.RateBudget; b == nil || *b {
		a.Chat.Budget = &slackapi.Budget{Now: clock.Now} // on the outbox's clock: its delays line up
	}
	a.Names = incident.NewNames(a.Chat, clock) // read once, shared by the review and the pages
	dispatch := a.dispatcher(deps)
	a.Outbox = &incident.Outbox{Store: a.DB, Chat: a.Chat, Clock: clock, Settings: settings, Log: log.With("component", "outbox"),
		Executor: dispatch, Planner: dispatch, Observe: a.Metrics.ObserveEffect, ObserveLag: a.Metrics.ObserveTimerLag, Names: a.Names,
		// Other replicas share a PostgreSQL database: what one left inflight waits out its
		// claim. Alone on a SQLite file, the bot takes it back at once when it starts.
		Shared: cfg.Postgres(), Lease: time.Duration(cfg.Outbox.Lease)}
	if settings.Reviews {
		var err error
		if a.Outbox.Tracker, a.Outbox.Reviews, err = reviewing(cfg, a.Metrics.Transport("github", nil)); err != nil {
			return err
		}
	}
	if cfg.PagerDuty.Token != "" {
		a.Outbox.Pager = pagerduty.New(pagerduty.Options{Token: string(cfg.PagerDuty.Token), From: cfg.PagerDuty.From,
			APIURL: cfg.PagerDuty.APIURL, EventsURL: cfg.PagerDuty.EventsURL, Transport: a.Metrics.Transport("pagerduty", nil)})
	}
	if cfg.Statuspage.Enabled() {
		sp, err := statuspage.New(statuspage.Options{APIKey: string(cfg.Statuspage.APIKey), PageID: cfg.Statuspage.PageID,
			Components: cfg.StatuspageComponents(), BaseURL: cfg.Statuspage.APIURL, Transport: a.Metrics.Transport("statuspage", nil), Names: a.Names, Now: clock.Now})
		if err != nil {
			return err
		}
		a.Outbox.StatusPage = sp
	}
	var store incident.Store = a.DB
	if deps.WrapStore != nil {
		store = deps.WrapStore(store)
	}
	a.Service = incident.NewService(incident.ServiceConfig{Store: store, Clock: clock, Settings: settings,
		Log: log.With("component", "incident"), Notify: a.Outbox.Notify})
	// Alone, a step found running was interrupted: it becomes unknown for a person to verify,
	// and is never run again on its own. This happens before anything else can touch the
	// steps. Shared, a running step may be another replica's: its execution becomes unknown
	// only when that replica's claim lapses (the outbox's takeover).
	if !a.Outbox.Shared {
		if n, err := a.Service.RecoverSteps(ctx); err != nil {
			return fmt.Errorf("recover playbook steps: %w", err)
		} else if n > 0 {
			log.Warn("playbook steps were running when the bot stopped; they are now unknown and wait for a person", "count", n)
		}
	}
	a.Router = commands.NewRouter(a.Service, log.With("component", "commands"))
	a.Router.EventText = views.EventText
	a.Router.DraftText = views.DraftText // the text a reminder shows is the text its button posts
	a.Router.Playbooks = a.Library
	a.Router.PlaybookOptions = playbook.BuildOptions{AllowedHosts: cfg.Actions.HTTP.AllowedHosts, DefaultApprover: cfg.DefaultApprovers(),
		Clusters: cfg.ClusterNames(), DrillClusters: cfg.Drills.Clusters,
		DrillPatroniHosts: cfg.Drills.PatroniHosts}
	a.Bot = bot.New(a.Router, a.api, log)
	a.Bot.CommandName, a.Bot.TeamIDs = cfg.Slack.Command, cfg.Slack.TeamIDs
	if u, err := url.Parse(cfg.Slack.APIURL); err == nil && u.Host != "slack.com" {
		a.Bot.ResponseHosts = append(a.Bot.ResponseHosts, u.Host) // GovSlack, or a test's emulator
	}
	return a.routes()
}

// dispatcher runs the steps that act on the outside world, and dry-runs them.
func (a *App) dispatcher(deps Deps) *playbook.Dispatcher {
	kubernetes := deps.Kubernetes
	if kubernetes == nil {
		clusters := deps.Clusters
		if clusters == nil {
			clusters = kube.NewClusters(a.Config.Kubeconfig, a.Config.ClusterContexts())
		}
		kubernetes = &kube.Actions{Clusters: clusters, AllowedHosts: a.Config.Actions.HTTP.AllowedHosts}
	}
	getenv := deps.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	hosts := a.Config.Actions.HTTP.AllowedHosts
	return &playbook.Dispatcher{AllowedHosts: hosts, Getenv: getenv, Kubernetes: kubernetes,
		Patroni: &patroni.Executor{AllowedHosts: hosts, Now: a.clock.Now}}
}

// routes builds the HTTP server: health and readiness, Slack's and PagerDuty's endpoints,
// metrics, the dashboard and status page, and the fallback console.
func (a *App) routes() error {
	cfg, log, m := a.Config, a.log, a.Metrics
	a.Server = web.NewServer(log.With("component", "web"),
		web.Check{Name: "database", Fn: a.DB.SchemaCurrent}, // reachable, and not migrated past this binary
		web.Check{Name: "slack", Fn: func(context.Context) error {
			if !a.slackUp.Load() {
				return errors.New("auth.test has not succeeded yet")
			}
			return nil
		}},
	)
	mux := a.Server.Mux
	(&bot.HTTP{Bot: a.Bot, Verifier: bot.Verifier{Secret: string(cfg.Slack.SigningSecret)}}).Register(mux, m.Acks)
	mux.Handle("POST /pagerduty/webhook", m.Acks("/pagerduty/webhook", &pagerduty.Webhook{Secret: string(cfg.PagerDuty.WebhookSecret),
		Ingest: a.Service.IngestPagerEvent, Log: log.With("component", "pagerduty"), Observe: m.ObserveWebhook}))
	mux.Handle("GET /metrics", m.Handler())
	pages := web.NewPages(a.Service, log.With("component", "pages"))
	pages.Token = string(cfg.DashboardToken)
	pages.Names = a.Names
	pages.Register(mux)
	a.Server.OnShutdown(pages.Close) // its streams of changes end, so shutdown does not wait on them
	operators, err := cfg.ConsoleOperators()
	if err != nil {
		return err
	}
	console := web.NewConsole(a.Router, operators, log.With("component", "console"))
	console.Names = a.Names
	console.Register(mux)
	return nil
}

// Authenticate asks Slack who the bot is (auth.test), once: the answer tells the chat
// adapter and the Slack surface which messages and channels are the bot's own, and makes
// /readyz report Slack as up. Run calls it until it succeeds.
func (a *App) Authenticate(ctx context.Context) error {
	resp, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return err
	}
	a.Chat.BotUserID, a.Chat.WorkspaceURL = resp.UserID, resp.URL
	a.Bot.SetBotUser(resp.UserID)
	a.slackUp.Store(true)
	a.readyOnce.Do(func() { close(a.ready) })
	a.log.Info("slack authenticated", "team", resp.Team, "bot_user", resp.UserID, "ready_after", time.Since(a.startedAt).String())
	return nil
}

// Ready is closed once Slack has authenticated the bot: from then on /readyz answers 200
// while the database is reachable.
func (a *App) Ready() <-chan struct{} { return a.ready }

// Close stops what Run started, in order: stop taking requests and finish the replies in
// progress (up to 10 s), then stop the workers (undelivered effects stay queued), then close
// the database. It can be called more than once, and after a failed or no Run.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		if a.running {
			a.log.Info("shutting down")
			shutdown, done := context.WithTimeout(context.Background(), 10*time.Second)
			defer done()
			a.closeErr = a.Server.Close(shutdown)
			a.Bot.Wait()
			a.cancel()
			a.workers.Wait()
		}
		a.closeErr = errors.Join(a.closeErr, a.DB.Close())
	})
	return a.closeErr
}

// Database is the store the bot runs on: the SQLite file of one instance, or a PostgreSQL
// database that several replicas share.
type Database interface {
	incident.Store
	incident.Duties
	SchemaVersion(ctx context.Context) (int, error)
	// SchemaCurrent returns a *incident.SchemaTooNewError once a newer binary has migrated
	// the database: this replica then stands down from background work.
	SchemaCurrent(ctx context.Context) error
	Close() error
}

// OpenDatabase opens PostgreSQL when database.url is set, else the SQLite file db, and
// migrates it (once, however many replicas start together).
func OpenDatabase(ctx context.Context, cfg *config.Config) (Database, error) {
	if cfg.Postgres() {
		db, err := postgres.Open(ctx, string(cfg.Database.URL))
		if err != nil {
			return nil, fmt.Errorf("the PostgreSQL database (database.url): %w", err)
		}
		return db, nil
	}
	return sqlite.Open(ctx, cfg.DB)
}
