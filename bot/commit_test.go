package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/slack-go/slack/socketmode"
)

// gatedStore holds every timeline append made through it while a gate is set, so a test
// can see whether an answer left before the change was committed.
type gatedStore struct {
	incident.Store
	mu   sync.Mutex
	gate chan struct{}
}

// wrap makes the bot's service work through g.
func (g *gatedStore) wrap() testenv.Option {
	return testenv.WithStore(func(s incident.Store) incident.Store {
		g.Store = s
		return g
	})
}

func (g *gatedStore) hold() func() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate = make(chan struct{})
	gate := g.gate
	return func() { close(gate) }
}

func (g *gatedStore) Update(ctx context.Context, fn func(incident.Tx) error) error {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	return g.Store.Update(ctx, func(tx incident.Tx) error { return fn(gatedTx{tx, gate}) })
}

type gatedTx struct {
	incident.Tx
	gate chan struct{}
}

func (t gatedTx) InsertEvent(e *incident.TimelineEvent) error {
	if t.gate != nil {
		<-t.gate
	}
	return t.Tx.InsertEvent(e)
}

// A click is committed before its 200, as a slash command is: a crash right after the ack
// loses nothing. Only the ephemeral reply goes out after the ack.
func TestClickIsCommittedBeforeItsAck(t *testing.T) {
	store := &gatedStore{}
	e := newEnv(t, store.wrap())
	e.sender.Command("U0ALICE", e.general, "declare P1 checkout down", "")
	var chID string
	e.waitFor("the card", func() bool {
		ch := e.slack.ChannelByName("inc-1-checkout-down")
		if ch != nil && len(ch.Pins) == 1 {
			chID = ch.ID
			return strings.Contains(string(ch.Messages[0].Blocks), `"incident:take-technical-lead"`)
		}
		return false
	})
	// The reply path is blocked until the end of the test.
	replied, unblockReply := make(chan struct{}, 1), make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		replied <- struct{}{}
		<-unblockReply
	}))
	defer hook.Close()
	defer close(unblockReply)
	u, _ := url.Parse(hook.URL)
	e.bot.ResponseHosts = append(e.bot.ResponseHosts, u.Host)

	release := store.hold()
	click := testenv.BlockAction("U0BOB", chID, "incident:take-technical-lead", "role technical-lead me")
	click["response_url"] = hook.URL + "/hooks/x"
	answered := make(chan testenv.Response, 1)
	go func() {
		resp, _ := e.sender.Interaction(click)
		answered <- resp
	}()
	select {
	case resp := <-answered:
		release()
		t.Fatalf("the click was answered (%d) before its change was committed", resp.Status)
	case <-time.After(300 * time.Millisecond):
	}
	release()
	var resp testenv.Response
	select {
	case resp = <-answered:
	case <-time.After(5 * time.Second):
		t.Fatal("no answer to the click")
	}
	if resp.Status != 200 {
		t.Fatalf("click: %d %s", resp.Status, resp.Body)
	}
	if got := e.sys.Incident(1).Holder(incident.RoleTechnicalLead); got != "U0BOB" {
		t.Errorf("when the 200 arrived the technical lead was %q, want U0BOB committed", got)
	}
	select {
	case <-replied: // the reply went out after the ack, and is still blocked
	case <-time.After(5 * time.Second):
		t.Error("no ephemeral reply through the response_url")
	}
}

// Over Socket Mode a click is acked once committed too.
func TestSocketClickIsAckedAfterCommit(t *testing.T) {
	store := &gatedStore{}
	e := newEnv(t, store.wrap())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.RunSocketMode(ctx, socketmode.New(e.bot.API)) }()
	defer func() { cancel(); <-done }()
	if err := e.slack.WaitSocket(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	e.sender.Command("U0ALICE", e.general, "declare P1 checkout down", "")
	var chID string
	e.waitFor("the card", func() bool {
		ch := e.slack.ChannelByName("inc-1-checkout-down")
		if ch != nil && len(ch.Pins) == 1 {
			chID = ch.ID
			return true
		}
		return false
	})
	release := store.hold()
	acked := make(chan error, 1)
	go func() {
		_, err := e.slack.SendSocket("interactive", e.slack.BlockAction("U0BOB", chID, "incident:take-technical-lead", "role technical-lead me"), 10*time.Second)
		acked <- err
	}()
	select {
	case <-acked:
		release()
		t.Fatal("the click was acked before its change was committed")
	case <-time.After(300 * time.Millisecond):
	}
	release()
	if err := <-acked; err != nil {
		t.Fatal(err)
	}
	if got := e.sys.Incident(1).Holder(incident.RoleTechnicalLead); got != "U0BOB" {
		t.Errorf("when the ack arrived the technical lead was %q, want U0BOB committed", got)
	}
	e.waitFor("the reply", func() bool { return len(e.slack.Ephemerals()) == 1 })
}
