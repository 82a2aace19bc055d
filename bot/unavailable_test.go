package bot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/slack-go/slack/socketmode"
)

// downStore is the bot's database failing over: while down is set, every transaction
// waits for its context to end (hang) or fails at once, as the PostgreSQL adapter reports
// it (incident.Unavailable); with notesDown, only adding to a timeline fails.
type downStore struct {
	incident.Store
	down, hang, notesDown atomic.Bool
}

func (d *downStore) wrap() testenv.Option {
	return testenv.WithStore(func(s incident.Store) incident.Store { d.Store = s; return d })
}

func (d *downStore) fail(ctx context.Context) error {
	if d.hang.Load() {
		<-ctx.Done()
		return incident.Unavailable(ctx.Err())
	}
	return incident.Unavailable(errors.New("dial tcp 10.0.0.5:5432: connect: connection refused"))
}

func (d *downStore) Update(ctx context.Context, fn func(incident.Tx) error) error {
	if d.down.Load() {
		return d.fail(ctx)
	}
	return d.Store.Update(ctx, func(tx incident.Tx) error { return fn(downTx{tx, d}) })
}

func (d *downStore) View(ctx context.Context, fn func(incident.Tx) error) error {
	if d.down.Load() {
		return d.fail(ctx)
	}
	return d.Store.View(ctx, fn)
}

type downTx struct {
	incident.Tx
	d *downStore
}

func (t downTx) InsertEvent(e *incident.TimelineEvent) error {
	if t.d.notesDown.Load() {
		return incident.Unavailable(errors.New("read only"))
	}
	return t.Tx.InsertEvent(e)
}

// While the database has no primary, a slash command is answered within Slack's 3 s with
// an ephemeral 200 that says the database is unavailable and to try again: whether the
// replay check or the command itself meets the outage, and whether the store fails at
// once or does not answer at all.
func TestSlashCommandWhileTheDatabaseIsUnavailable(t *testing.T) {
	store := &downStore{}
	e := newEnv(t, store.wrap())
	e.sender.Command("U0ALICE", e.general, "declare P1 checkout down", "")
	ch := e.pinnedChannel("inc-1-checkout-down")
	for _, tc := range []struct {
		name  string
		setup func()
		limit time.Duration
	}{
		{"replay check fails at once", func() { store.down.Store(true) }, time.Second},
		{"replay check hangs", func() { store.down.Store(true); store.hang.Store(true) }, 3 * time.Second},
		{"the note fails", func() { store.notesDown.Store(true) }, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store.down.Store(false)
			store.hang.Store(false)
			store.notesDown.Store(false)
			tc.setup()
			start := time.Now()
			sender := *e.sender
			sender.Client = &http.Client{Timeout: 5 * time.Second} // a hang fails the test, not the run
			resp, err := sender.Command("U0ALICE", ch, "note failing over", "")
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				ResponseType string `json:"response_type"`
				Text         string `json:"text"`
			}
			if resp.Status != 200 || resp.JSON(&body) != nil || body.ResponseType != "ephemeral" ||
				!strings.Contains(body.Text, "The bot's database is unavailable") || !strings.Contains(body.Text, "Try again in a few seconds") {
				t.Errorf("%d %s: want an ephemeral answer that the database is unavailable", resp.Status, resp.Body)
			}
			if took > tc.limit {
				t.Errorf("answered after %s, want within %s", took, tc.limit)
			}
		})
	}
	store.down.Store(false)
	store.notesDown.Store(false)
	resp, err := e.sender.Command("U0ALICE", ch, "note primary back", "")
	if err != nil || !strings.Contains(string(resp.Body), "Noted") {
		t.Errorf("once the database is back: %v %s", err, resp.Body)
	}
}

// Over Socket Mode too, a command meeting a database that does not answer is acked in time
// with the same answer.
func TestSocketSlashCommandWhileTheDatabaseHangs(t *testing.T) {
	store := &downStore{}
	e := newEnv(t, store.wrap())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.RunSocketMode(ctx, socketmode.New(e.bot.API)) }()
	defer func() { cancel(); <-done }()
	if err := e.slack.WaitSocket(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	store.down.Store(true)
	store.hang.Store(true)
	start := time.Now()
	ack, err := e.slack.SendSocket("slash_commands", map[string]any{
		"command": "/incident", "text": "status", "user_id": "U0ALICE", "channel_id": e.general, "team_id": testenv.SlackTeam,
	}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second || !strings.Contains(string(ack), "The bot's database is unavailable") {
		t.Errorf("after %s: ack %s", took, ack)
	}
	store.down.Store(false)
}
