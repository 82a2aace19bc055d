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
	"sync/atomic"
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
	return group("timeline", "Work with incident timelines", timelineShowCommand(), timelineVerifyCommand(),
		timelineExportCommand(), timelineKeygenCommand())
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
// events (in incident, seq order). The walk reads on while another goroutine verifies, a
// few batches of events behind.
func checkChains(tx incident.Tx) ([]chainCheck, error) {
	ids, err := tx.IncidentIDs()
	if err != nil {
		return nil, err
	}
	w := &chainWalk{checks: make([]chainCheck, len(ids)), at: -1}
	for i, id := range ids {
		inc, err := tx.Incident(id)
		if err != nil {
			return nil, err
		}
		w.checks[i] = chainCheck{id: id, key: inc.Key()}
	}
	var (
		batches = make(chan []*incident.TimelineEvent, 4)
		verdict = make(chan error, 1)
		failed  atomic.Bool
	)
	go func() {
		var err error
		for batch := range batches {
			for _, e := range batch {
				if err == nil {
					err = w.add(e)
				}
			}
			failed.Store(err != nil)
		}
		verdict <- err
	}()
	batch := make([]*incident.TimelineEvent, 0, walkBatch)
	err = tx.EachEvent(func(e *incident.TimelineEvent) error {
		if failed.Load() {
			return errWalkStopped
		}
		if batch = append(batch, e); len(batch) == walkBatch {
			batches <- batch
			batch = make([]*incident.TimelineEvent, 0, walkBatch)
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	if verr := <-verdict; verr != nil {
		return nil, verr
	}
	return w.checks, err
}

// walkBatch is how many events the reading goroutine hands the verifying one at a time.
const walkBatch = 256

// errWalkStopped ends the walk of the events once their verifier has failed.
var errWalkStopped = errors.New("the walk of the events stopped")

// chainWalk verifies a stream of events in (incident, seq) order against the incidents'
// checks, holding the verifier of the incident being walked.
type chainWalk struct {
	checks []chainCheck
	at     int // the index in checks of the incident being walked
	v      incident.ChainVerifier
}

// add verifies the next event; it fails only on an event of no incident in checks.
func (w *chainWalk) add(e *incident.TimelineEvent) error {
	if w.at < 0 || e.IncidentID != w.checks[w.at].id {
		for w.at++; w.at < len(w.checks) && w.checks[w.at].id < e.IncidentID; w.at++ {
		}
		if w.at == len(w.checks) || w.checks[w.at].id != e.IncidentID {
			return fmt.Errorf("event %d (#%d) belongs to incident %d, which is missing or out of order", e.ID, e.Seq, e.IncidentID)
		}
		w.v = incident.ChainVerifier{}
	}
	c := &w.checks[w.at]
	if c.broken == nil {
		c.broken = w.v.Add(e)
		c.events = w.v.Len()
	}
	return nil
}

func timelineShowCommand() *cobra.Command {
	all := false
	cmd := &cobra.Command{
		Use:   "show INC-42",
		Short: "Print an incident's timeline as plain text (people by name when SLACK_BOT_TOKEN is set, else by ID)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := incidentArg(args[0])
			if err != nil {
				return err
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
// incidentArg is parseIncidentKey for a command's argument: a usage error when it names no
// incident.
func incidentArg(s string) (int, error) {
	n, ok := parseIncidentKey(s)
	if !ok {
		return 0, usageError{fmt.Errorf("%q is not an incident: give its key, such as INC-42, or its number", s)}
	}
	return n, nil
}

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
