package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/slack-go/slack/socketmode"
)

// Run starts the bot and returns once its HTTP server listens (Server.Addr): Slack's
// events over Socket Mode when slack.app_token is set (else over HTTP), and, once Slack has
// authenticated the bot, the outbox, the drill reminders and the follow-up sync. They go on
// until Close; ctx bounds only the start. Errors: the address cannot be listened on.
func (a *App) Run(ctx context.Context) error {
	cfg, log := a.Config, a.log
	if err := a.Server.Open(cfg.Listen); err != nil {
		return err
	}
	mode := "http"
	if cfg.Slack.AppToken != "" {
		mode = "socket"
	}
	db := cfg.DB
	if cfg.Postgres() {
		db = "postgresql" // never the URL: it may hold a password
	}
	log.Info("listening", "addr", a.Server.Addr(), "slack_mode", mode, "db", db)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.running, a.cancel = true, cancel
	a.spawn(func() {
		if err := a.authenticate(runCtx); err != nil {
			return
		}
		if syncer, ok := a.Outbox.Tracker.(incident.FollowupSyncer); ok && a.Config.GitHub.FollowupIssues {
			flog := log.With("component", "followups")
			a.spawn(func() {
				runDuty(runCtx, a.DB, incident.DutyFollowupSync, followupSyncEvery, flog, func(ctx context.Context) error {
					n, err := a.Service.SyncFollowups(ctx, syncer)
					if n > 0 {
						flog.Info("follow-ups closed on GitHub", "count", n)
					}
					return err
				})
			})
		}
		if r := a.reminder; r != nil {
			r.Store, r.Chat, r.Clock = a.DB, a.Chat, a.clock
			dlog := log.With("component", "drills")
			a.spawn(func() {
				runDuty(runCtx, a.DB, incident.DutyDrillReminders, drillReminderEvery, dlog, func(ctx context.Context) error {
					n, err := r.Tick(ctx)
					if n > 0 {
						dlog.Info("drill reminders posted", "count", n)
					}
					return err
				})
			})
		}
		if err := a.Outbox.Run(runCtx); err != nil {
			log.Error("outbox stopped", "err", err)
		}
	})
	if mode == "socket" {
		client := socketmode.New(a.api, socketmode.OptionLog(slogPrinter{log.With("component", "socketmode")}))
		a.spawn(func() {
			err := a.Bot.RunSocketMode(runCtx, client)
			if runCtx.Err() == nil {
				log.Error("socket mode stopped", "err", err)
				a.failed <- err
			}
		})
	}
	return nil
}

// Failed delivers the error of a part that stopped while the bot was meant to run (Socket
// Mode); the bot can no longer hear Slack, and serve exits so that it is restarted.
func (a *App) Failed() <-chan error { return a.failed }

// Addr is the address the HTTP server listens on, once Run has started it.
func (a *App) Addr() string { return a.Server.Addr() }

// spawn runs fn in a goroutine that Close waits for.
func (a *App) spawn(fn func()) {
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		fn()
	}()
}

// authenticate calls Authenticate until it succeeds, backing off, or ctx ends.
func (a *App) authenticate(ctx context.Context) error {
	wait := time.Second
	for {
		err := a.Authenticate(ctx)
		if err == nil {
			return nil
		}
		a.log.Error("slack auth.test failed; retrying", "err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// How often the singleton duties run.
const (
	followupSyncEvery  = 15 * time.Minute // follow-up issues closed on GitHub are looked for
	drillReminderEvery = time.Hour        // drill reminders due are posted
)

// slogPrinter adapts slog to the Output method slack-go's loggers use.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Output(_ int, s string) error {
	p.l.Debug(s)
	return nil
}
