package web

import (
	"context"
	"testing"

	"github.com/nephoran/incidentbot/internal/words"
)

// hangingChat never answers until the lookup gives up, like Slack in an outage.
type hangingChat struct{ asked int }

func (h *hangingChat) Person(ctx context.Context, id string) string {
	h.asked++
	<-ctx.Done()
	return ""
}

func (h *hangingChat) Channel(ctx context.Context, id string) string { return h.Person(ctx, id) }

// A page does not wait on chat for names: lookups share one budget, and once it is spent
// the page shows IDs (a dashboard is most needed while Slack is down).
func TestPagesDoNotWaitForChatToNamePeople(t *testing.T) {
	chat := &hangingChat{}
	p := &Pages{Names: chat}
	s := words.Sentence{Parts: []words.Part{{Kind: words.Person, Value: "U1"}, {Kind: words.Person, Value: "U2"}, {Kind: words.Channel, Value: "C1"}}}
	names := p.namesFor(context.Background(), []words.Sentence{s}, "U3", "U1")
	if chat.asked != 4 {
		t.Errorf("asked %d times, want once for each of U1, U2, U3 and C1", chat.asked)
	}
	if got := words.PlainText(s, names); got != "U1U2#C1" {
		t.Errorf("unnamed: %q", got)
	}
}
