package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/words"
	"github.com/slack-go/slack"
	"github.com/spf13/cobra"
)

func timelineCommand() *cobra.Command {
	return group("timeline", "Work with incident timelines", timelineShowCommand(), &cobra.Command{
		Use:   "verify",
		Short: "Check every incident's hash chain and name the first broken event",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openConfigured(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			broken, total, err := verifyTimelines(cmd.Context(), db, func(line string) { fmt.Fprintln(cmd.OutOrStdout(), line) })
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d incidents checked, %d broken\n", total, broken)
			if broken > 0 {
				return exitError{1}
			}
			return nil
		},
	})
}

// openConfigured opens the configured database for a command that only reads it.
func openConfigured(ctx context.Context) (app.Database, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	return openStore(ctx, cfg)
}

// openStore opens the configured database: PostgreSQL when database.url is set, else the
// SQLite file, which must exist.
func openStore(ctx context.Context, cfg *config.Config) (app.Database, error) {
	if cfg.Postgres() {
		return app.OpenDatabase(ctx, cfg)
	}
	return openExisting(ctx, cfg.DB)
}

// openExisting opens the database at path for a command that only reads it: one that does
// not exist is an error, not a new empty database.
func openExisting(ctx context.Context, path string) (*sqlite.DB, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("there is no database at %s (db:, INCIDENTBOT_DB); nothing to read", path)
		}
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return sqlite.Open(ctx, path)
}

// verifyTimelines checks each incident's chain, oldest first, reporting one line per incident.
// It reads in one read transaction (one snapshot): the incidents' numbers, then every event
// from one stream, so it holds one event at a time and a verdict per incident, never a
// timeline. The lines are reported once the transaction has ended (a store may run a read
// transaction again after a dropped connection).
func verifyTimelines(ctx context.Context, db incident.Store, report func(string)) (broken, total int, err error) {
	var checks []chainCheck
	err = db.View(ctx, func(tx incident.Tx) (err error) {
		checks, err = checkChains(tx)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("verify timelines: %w", err)
	}
	for _, c := range checks {
		if b := c.broken; b != nil {
			broken++
			report(fmt.Sprintf("%s: BROKEN at event #%d (id %d, %s, %s by %s): %s",
				c.key, b.Event.Seq, b.Event.ID, b.Event.Kind, incident.FormatTime(b.Event.At), b.Event.Actor, b.Reason))
			continue
		}
		report(fmt.Sprintf("%s: ok (%d events)", c.key, c.events))
	}
	return broken, len(checks), nil
}

// chainCheck is the verdict on one incident's chain.
type chainCheck struct {
	id     int64
	key    string               // INC-42
	events int                  // that verified
	broken *incident.ChainBreak // the first break, or nil
}

// checkChains verifies every incident's chain in tx, in ID order, from one walk of the
// events (in incident, seq order).
func checkChains(tx incident.Tx) ([]chainCheck, error) {
	ids, err := tx.IncidentIDs()
	if err != nil {
		return nil, err
	}
	checks := make([]chainCheck, len(ids))
	for i, id := range ids {
		inc, err := tx.Incident(id)
		if err != nil {
			return nil, err
		}
		checks[i] = chainCheck{id: id, key: inc.Key()}
	}
	var (
		at = -1 // the index in checks of the incident being walked
		v  incident.ChainVerifier
	)
	err = tx.EachEvent(func(e *incident.TimelineEvent) error {
		if at < 0 || e.IncidentID != checks[at].id {
			for at++; at < len(checks) && checks[at].id < e.IncidentID; at++ {
			}
			if at == len(checks) || checks[at].id != e.IncidentID {
				return fmt.Errorf("event %d (#%d) belongs to incident %d, which is missing or out of order", e.ID, e.Seq, e.IncidentID)
			}
			v = incident.ChainVerifier{}
		}
		c := &checks[at]
		if c.broken == nil {
			c.broken = v.Add(e)
			c.events = v.Len()
		}
		return nil
	})
	return checks, err
}

func timelineShowCommand() *cobra.Command {
	all := false
	cmd := &cobra.Command{
		Use:   "show INC-42",
		Short: "Print an incident's timeline as plain text (people by name when SLACK_BOT_TOKEN is set, else by ID)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, ok := parseIncidentKey(args[0])
			if !ok {
				return usageError{fmt.Errorf("%q is not an incident: give its key, such as INC-42, or its number", args[0])}
			}
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			db, err := openStore(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			inc, evs, err := timelineOf(cmd.Context(), db, n)
			if err != nil {
				return err
			}
			printTimeline(cmd.OutOrStdout(), inc, evs, all, chatNames(cmd.Context(), cfg, inc, evs))
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include the bot's housekeeping (posts, card updates, topics, pins)")
	return cmd
}

// parseIncidentKey reads "INC-42", "inc-42" or "42".
func parseIncidentKey(s string) (int, bool) {
	if len(s) > 4 && strings.EqualFold(s[:4], "INC-") {
		s = s[4:]
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0 && strconv.Itoa(n) == s
}

// timelineOf finds incident number n and reads its events.
func timelineOf(ctx context.Context, db incident.Store, n int) (*incident.Incident, []incident.TimelineEvent, error) {
	svc := incident.NewService(incident.ServiceConfig{Store: db})
	inc, err := svc.FindIncidentByNumber(ctx, n)
	if err != nil {
		return nil, nil, err
	}
	evs, err := svc.Timeline(ctx, inc.ID)
	return inc, evs, err
}

// printTimeline writes the timeline in plain text, one event a line (UTC), and whether its
// hash chain verifies.
func printTimeline(w io.Writer, inc *incident.Incident, evs []incident.TimelineEvent, all bool, names words.Names) {
	chain := "the hash chain verifies"
	if b := incident.VerifyChain(evs); b != nil {
		chain = fmt.Sprintf("BROKEN at event #%d: %s", b.Event.Seq, b.Reason)
	}
	fmt.Fprintf(w, "%s %s %s: %s (%d events; %s)\n", inc.Key(), inc.Severity, inc.Status,
		words.PlainText(words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: inc.Title}}}, names), len(evs), chain)
	for _, e := range evs {
		if !all && e.Kind.Housekeeping() {
			continue
		}
		text := strings.ReplaceAll(words.PlainText(words.Event(e), names), "\n", "\n      ")
		who := e.Actor
		if e.Actor != incident.BotActor {
			who = words.PersonName(e.Actor, "", names)
		}
		fmt.Fprintf(w, "%4d  %s  %-12s %-16s %s\n", e.Seq, incident.FormatTime(e.At), who, e.Kind, text)
	}
}

// chatNames reads, from Slack when a bot token is configured, the names of the people and
// channels the timeline names (within a few seconds; those not read show by ID).
func chatNames(ctx context.Context, cfg *config.Config, inc *incident.Incident, evs []incident.TimelineEvent) words.Names {
	if cfg.Slack.BotToken == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	chat := &slackapi.Chat{API: slack.New(string(cfg.Slack.BotToken), slack.OptionAPIURL(cfg.Slack.APIURL))}
	var named incident.Named
	add := func(s words.Sentence) {
		people, channels := words.Mentions(s)
		named.People = append(named.People, people...)
		named.Channels = append(named.Channels, channels...)
	}
	add(words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: inc.Title}}})
	for _, e := range evs {
		named.People = append(named.People, e.Actor)
		add(words.Event(e))
	}
	people, channels := incident.NewNames(chat, nil).Known(ctx, named)
	return words.NameMap{People: people, Channels: channels}
}
