package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	"github.com/nephoran/incidentbot/bot"
	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/drills"
	ghtracker "github.com/nephoran/incidentbot/internal/github"
	"github.com/nephoran/incidentbot/internal/httpgate"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/metrics"
	"github.com/nephoran/incidentbot/internal/pagerduty"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/internal/postmortem"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/web"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/spf13/cobra"
)

func serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the bot: Slack (Socket Mode or HTTP), the outbox workers and the HTTP endpoints",
		Long: "Runs the bot until interrupted. Socket Mode is used when SLACK_APP_TOKEN is set; otherwise\n" +
			"Slack reaches the bot over HTTP at /slack/commands, /slack/interactions and /slack/events,\n" +
			"verified with SLACK_SIGNING_SECRET. See the README for every setting.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if err := cfg.CheckServe(); err != nil {
				return err
			}
			app := &App{Config: cfg, Log: newLogger()}
			return app.Run(cmd.Context())
		},
	}
}

// App is the running bot: wiring and lifecycle, no decisions.
type App struct {
	Config *config.Config
	Log    *slog.Logger
	// Clusters serves the playbooks' clusters; nil: the kubeconfig's contexts (clusters:).
	Clusters *kube.Clusters
	// OnReady, when set, is called once the HTTP server listens, with the domain service
	// and the address (the demo drives the bot from there).
	OnReady func(svc *incident.Service, addr string)

	db        *sqlite.DB
	server    *web.Server
	slackUp   atomic.Bool
	startedAt time.Time
}

// Run starts everything, serves until ctx ends, then shuts down in order: stop taking
// requests, finish replies, stop the outbox (undelivered effects stay queued), close the DB.
func (a *App) Run(ctx context.Context) error {
	a.startedAt = time.Now()
	cfg, log := a.Config, a.Log
	loaded, err := load(cfg)
	if err != nil {
		return fmt.Errorf("the configuration does not load (incidentbot config check shows the same):\n%w", err)
	}
	library, reminder := loaded.Library, loaded.Reminder
	for _, w := range loaded.Warnings {
		log.Warn("configuration: " + w)
	}
	db, err := sqlite.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	a.db = db
	defer db.Close()

	m := metrics.New(db)
	opts := []slack.Option{slack.OptionAPIURL(cfg.Slack.APIURL),
		// A 429 pauses that method for every caller until Retry-After (httpgate).
		slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second, Transport: httpgate.New(m.Transport("slack", nil), httpgate.SlackMethod)})}
	if cfg.Slack.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(string(cfg.Slack.AppToken)))
	}
	api := slack.New(string(cfg.Slack.BotToken), opts...)

	settings := cfg.Settings()
	settings.SuggestPlaybooks = func(inc *incident.Incident) []string { return commands.Suggest(library, inc) }
	clock := incident.SystemClock{}
	chat := &slackapi.Chat{API: api, Card: views.Card, Announcement: views.Announcement, StepCard: views.StepCard, RunCard: views.RunCard,
		Notice: views.Notice, Topic: views.Topic}
	clusters := a.Clusters
	if clusters == nil {
		clusters = kube.NewClusters(cfg.Kubeconfig, cfg.ClusterContexts())
	}
	dispatch := &playbook.Dispatcher{AllowedHosts: cfg.Actions.HTTP.AllowedHosts, Getenv: os.Getenv,
		Kubernetes: &kube.Actions{Clusters: clusters}}
	names := incident.NewNames(chat, clock) // read once, shared by the review and the pages
	outbox := &incident.Outbox{Store: db, Chat: chat, Clock: clock, Settings: settings, Log: log.With("component", "outbox"),
		Executor: dispatch, Planner: dispatch, Observe: m.ObserveEffect, ObserveLag: m.ObserveTimerLag, Names: names}
	if settings.Reviews {
		if outbox.Tracker, outbox.Reviews, err = reviewing(cfg, m.Transport("github", nil)); err != nil {
			return err
		}
	}
	if cfg.PagerDuty.Token != "" {
		outbox.Pager = pagerduty.New(pagerduty.Options{Token: string(cfg.PagerDuty.Token), From: cfg.PagerDuty.From,
			APIURL: cfg.PagerDuty.APIURL, EventsURL: cfg.PagerDuty.EventsURL, Transport: m.Transport("pagerduty", nil)})
	}
	svc := &incident.Service{Store: db, Clock: clock, Settings: settings, Log: log.With("component", "incident"), Notify: outbox.Notify}
	// A step found running was interrupted: it becomes unknown for a person to verify, and is
	// never run again on its own. This happens before anything else can touch the steps.
	if n, err := svc.RecoverSteps(ctx); err != nil {
		return fmt.Errorf("recover playbook steps: %w", err)
	} else if n > 0 {
		log.Warn("playbook steps were running when the bot stopped; they are now unknown and wait for a person", "count", n)
	}
	router := commands.NewRouter(svc, log.With("component", "commands"))
	router.EventText = views.EventText
	router.Playbooks = library
	router.PlaybookOptions = playbook.BuildOptions{AllowedHosts: cfg.Actions.HTTP.AllowedHosts, DefaultApprover: cfg.DefaultApprovers(),
		Clusters: cfg.ClusterNames(), DrillClusters: cfg.Drills.Clusters}
	b := bot.New(router, api, log)
	b.CommandName, b.TeamIDs = cfg.Slack.Command, cfg.Slack.TeamIDs
	if u, err := url.Parse(cfg.Slack.APIURL); err == nil && u.Host != "slack.com" {
		b.ResponseHosts = append(b.ResponseHosts, u.Host) // GovSlack, or a test's emulator
	}

	a.server = web.NewServer(log.With("component", "web"),
		web.Check{Name: "database", Fn: func(ctx context.Context) error {
			_, err := db.SchemaVersion(ctx)
			return err
		}},
		web.Check{Name: "slack", Fn: func(context.Context) error {
			if !a.slackUp.Load() {
				return errors.New("auth.test has not succeeded yet")
			}
			return nil
		}},
	)
	(&bot.HTTP{Bot: b, Verifier: bot.Verifier{Secret: string(cfg.Slack.SigningSecret)}}).Register(a.server.Mux, m.Acks)
	a.server.Mux.Handle("POST /pagerduty/webhook", m.Acks("/pagerduty/webhook", &pagerduty.Webhook{Secret: string(cfg.PagerDuty.WebhookSecret),
		Ingest: svc.IngestPagerEvent, Log: log.With("component", "pagerduty"), Observe: m.ObserveWebhook}))
	a.server.Mux.Handle("GET /metrics", m.Handler())
	pages := web.NewPages(svc, log.With("component", "pages"))
	pages.Token = string(cfg.DashboardToken)
	pages.Names = names
	pages.Register(a.server.Mux)
	operators, err := cfg.ConsoleOperators()
	if err != nil {
		return err
	}
	web.NewConsole(router, operators, log.With("component", "console")).Register(a.server.Mux)
	if err := a.server.Open(cfg.Listen); err != nil {
		return err
	}
	mode := "http"
	if cfg.Slack.AppToken != "" {
		mode = "socket"
	}
	log.Info("listening", "addr", a.server.Addr(), "slack_mode", mode, "db", cfg.DB)
	if a.OnReady != nil {
		a.OnReady(svc, a.server.Addr())
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	outboxDone := make(chan struct{})
	var remindersDone, syncDone chan struct{} // set before outboxDone closes, if they run
	go func() {
		defer close(outboxDone)
		auth, err := a.authenticate(runCtx, api)
		if err != nil {
			return
		}
		chat.BotUserID, chat.WorkspaceURL = auth.UserID, auth.URL
		b.SetBotUser(auth.UserID)
		if syncer, ok := outbox.Tracker.(incident.FollowupSyncer); ok && settings.FollowupIssues {
			syncDone = make(chan struct{})
			go func() {
				defer close(syncDone)
				syncFollowups(runCtx, svc, syncer, followupSyncEvery, log.With("component", "followups"))
			}()
		}
		if reminder != nil {
			reminder.Store, reminder.Chat, reminder.Clock, reminder.Log = db, chat, clock, log.With("component", "drills")
			remindersDone = make(chan struct{})
			go func() { defer close(remindersDone); reminder.Run(runCtx, time.Hour) }()
		}
		if err := outbox.Run(runCtx); err != nil {
			log.Error("outbox stopped", "err", err)
		}
	}()
	socketDone := make(chan error, 1)
	if mode == "socket" {
		client := socketmode.New(api, socketmode.OptionLog(slogPrinter{log.With("component", "socketmode")}))
		go func() { socketDone <- b.RunSocketMode(runCtx, client) }()
	}

	select {
	case <-ctx.Done():
	case err = <-socketDone:
		log.Error("socket mode stopped", "err", err)
	}
	log.Info("shutting down")
	shutdownCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer done()
	a.server.Close(shutdownCtx)
	b.Wait()
	cancel()
	<-outboxDone
	if remindersDone != nil {
		<-remindersDone
	}
	if syncDone != nil {
		<-syncDone
	}
	return err
}

// followupSyncEvery is how often follow-up issues closed on GitHub are looked for.
const followupSyncEvery = 15 * time.Minute

// syncFollowups closes the follow-ups whose issues were closed on GitHub, now and then
// every interval, until ctx ends. Failures are logged and retried at the next pass.
func syncFollowups(ctx context.Context, svc *incident.Service, syncer incident.FollowupSyncer, every time.Duration, log *slog.Logger) {
	for {
		n, err := svc.SyncFollowups(ctx, syncer)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("reading follow-up issues failed; retrying at the next pass", "err", err, "closed", n)
		case n > 0:
			log.Info("follow-ups closed on GitHub", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// drillReminder builds the reminder of the plan's testing schedule, or nil when no
// drills.channel is set. Every entry must name a loaded playbook.
func drillReminder(cfg *config.Config, library *playbook.Library) (*drills.Reminder, error) {
	if cfg.Drills.Channel == "" {
		return nil, nil
	}
	for i, e := range cfg.Drills.Schedule {
		if _, ok := library.Get(e.Playbook); !ok {
			return nil, fmt.Errorf("drills.schedule[%d].playbook: there is no playbook %q (incidentbot playbooks list)", i, e.Playbook)
		}
	}
	return &drills.Reminder{Channel: cfg.Drills.Channel, Schedule: cfg.Drills.Schedule}, nil
}

// reviewing builds the GitHub tracker and the review writer.
func reviewing(cfg *config.Config, transport http.RoundTripper) (incident.Tracker, incident.ReviewWriter, error) {
	g := cfg.GitHub
	opts := ghtracker.Options{Repo: g.Repo, Token: string(g.Token), BaseURL: g.APIURL, ReviewLabel: g.Labels[0],
		AppID: g.AppID, InstallationID: g.InstallationID, Transport: transport}
	if g.PrivateKeyFile != "" {
		key, err := os.ReadFile(g.PrivateKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("github.private_key_file: %w", err)
		}
		opts.PrivateKey = key
	}
	tr, err := ghtracker.New(opts)
	if err != nil {
		return nil, nil, err
	}
	w, err := postmortem.New(g.Template, g.Labels)
	if err != nil {
		return nil, nil, err
	}
	return tr, w, nil
}

// authenticate calls auth.test until it succeeds, backing off, and returns its answer.
func (a *App) authenticate(ctx context.Context, api *slack.Client) (*slack.AuthTestResponse, error) {
	wait := time.Second
	for {
		resp, err := api.AuthTestContext(ctx)
		if err == nil {
			a.slackUp.Store(true)
			a.Log.Info("slack authenticated", "team", resp.Team, "bot_user", resp.UserID, "ready_after", time.Since(a.startedAt).String())
			return resp, nil
		}
		a.Log.Error("slack auth.test failed; retrying", "err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// slogPrinter adapts slog to the Output method slack-go's loggers use.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Output(_ int, s string) error {
	p.l.Debug(s)
	return nil
}
