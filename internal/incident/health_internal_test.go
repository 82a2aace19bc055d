package incident

import (
	"errors"
	"testing"
	"time"
)

// Only a success ends an outage: a rate limit (perhaps answered by the bot's own pause,
// without a call), a refusal (perhaps the bot's own misconfiguration) and a failure of the
// bot's database say nothing about whether the service is back, and the last does not
// start an outage either.
func TestOnlyASuccessEndsAnOutage(t *testing.T) {
	var h health
	now := time.Unix(1_700_000_000, 0)
	const every = 2 * time.Second
	if h.observe("slack", false, true, StoreFailed(errors.New("database is locked")), now, every) || !h.downSince("slack").IsZero() {
		t.Fatal("a database failure marked Slack down")
	}
	h.observe("slack", false, true, Temporary(errors.New("503")), now, every)
	if h.downSince("slack").IsZero() {
		t.Fatal("a 503 did not mark Slack down")
	}
	for name, err := range map[string]error{
		"rate limit": RateLimited(time.Second, errors.New("429")),
		"refusal":    errors.New("channel_not_found"),
		"database":   StoreFailed(errors.New("database is locked")),
		"not ready":  Errorf(ENOTREADY, "no channel yet"),
	} {
		now = now.Add(every)
		probe, park := h.admit("slack", now, every)
		if !probe || !park.IsZero() {
			t.Fatalf("%s: no probe admitted when one was due", name)
		}
		if other, park := h.admit("slack", now, every); other || park.IsZero() {
			t.Fatalf("%s: a second probe was admitted while one was in flight", name)
		}
		if h.observe("slack", true, ErrorCode(err) != ENOTREADY, err, now, every) || h.downSince("slack").IsZero() {
			t.Errorf("a %s ended the outage", name)
		}
	}
	now = now.Add(every)
	probe, _ := h.admit("slack", now, every)
	if !h.observe("slack", probe, true, nil, now, every) || !h.downSince("slack").IsZero() {
		t.Error("a success did not end the outage")
	}
}
