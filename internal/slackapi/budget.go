package slackapi

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"golang.org/x/time/rate"
)

// Budget keeps the bot's Web API calls within Slack's rate limits before Slack answers 429:
// a token bucket per method, sized under the method's tier (REFERENCE.md section 4), and
// one per channel for chat.postMessage (about one message a second, short bursts). A call
// the outbox makes (its context carries the effect's priority) that the budget has no room
// for is not made: it returns an *incident.ThrottledError saying when there is room, and
// the outbox delays the effect without counting an attempt. Normal effects leave a quarter
// of each method's burst to critical ones (a new incident's channel, card, topic, invite).
// A call from a request handler is never held back; it spends from the budget all the same.
// After a 429 (which a budget can still meet: other clients of the workspace, a smaller
// tier than documented), the method is held back until its Retry-After.
type Budget struct {
	Now    func() time.Time // nil: time.Now; the outbox's clock, so that delays line up
	Limits map[string]Limit // by method; nil: DefaultLimits

	mu       sync.Mutex
	methods  map[string]*rate.Limiter
	channels map[string]*rate.Limiter // chat.postMessage, by channel
	paused   map[string]time.Time     // method -> until, after a 429
}

// Limit is a budget's allowance for one method: PerMinute on average, Burst at once.
type Limit struct {
	PerMinute float64
	Burst     int
}

// The budgets of Slack's tiers. Slack counts each tier per minute: a bucket of rate r and
// burst b spends at most b + r calls in any minute, kept one under the tier.
var (
	tier2 = Limit{PerMinute: 15, Burst: 4}  // Tier 2, 20+ a minute
	tier3 = Limit{PerMinute: 40, Burst: 9}  // Tier 3, 50+ a minute
	tier4 = Limit{PerMinute: 80, Burst: 19} // Tier 4, 100+ a minute
	// PostPerChannel is chat.postMessage's budget in one channel: under one a second.
	PostPerChannel = Limit{PerMinute: 54, Burst: 4}
)

// DefaultLimits are the budgets of the methods the Chat calls, by Slack's tiers;
// chat.postMessage has PostPerChannel in each channel besides its workspace-wide budget.
var DefaultLimits = map[string]Limit{
	"conversations.create": tier2, "conversations.setTopic": tier2, "conversations.list": tier2, "pins.add": tier2,
	"conversations.invite": tier3, "chat.update": tier3, "conversations.history": tier3, "conversations.info": tier3,
	"users.lookupByEmail": tier3, "users.info": tier4,
	"bookmarks.add": tier2, "bookmarks.edit": tier2, "bookmarks.list": tier3, "chat.getPermalink": tier3,
	"chat.postMessage": {PerMinute: 240, Burst: 30}, // several hundred a minute per workspace
}

// criticalShare is the part of a method's burst that normal effects leave to critical ones.
const criticalShare = 4

// take spends one call of method (in channel, for chat.postMessage), or says how long to
// wait for room: see Budget. A nil Budget spends nothing.
func (b *Budget) take(ctx context.Context, method, channel string) error {
	if b == nil {
		return nil
	}
	p, outbox := incident.PriorityFrom(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	var buckets []*rate.Limiter
	reserves := []float64{}
	if l := b.method(method); l != nil {
		buckets, reserves = append(buckets, l), append(reserves, float64(l.Burst()/criticalShare))
	}
	if method == "chat.postMessage" && channel != "" {
		buckets, reserves = append(buckets, b.channel(channel, now)), append(reserves, 0)
	}
	if !outbox {
		for _, l := range buckets {
			l.ReserveN(now, 1) // a request handler does not wait; later calls do
		}
		return nil
	}
	wait := time.Duration(0)
	if until, ok := b.paused[method]; ok {
		if until.After(now) {
			wait = until.Sub(now)
		} else {
			delete(b.paused, method)
		}
	}
	for i, l := range buckets {
		need := 1.0
		if p < incident.PriorityCritical {
			need += reserves[i]
		}
		if have := l.TokensAt(now); have < need {
			wait = max(wait, time.Duration(math.Ceil((need-have)/float64(l.Limit())*float64(time.Second))))
		}
	}
	if wait > 0 {
		return incident.Throttled(method, wait)
	}
	for _, l := range buckets {
		l.AllowN(now, 1)
	}
	return nil
}

// pause holds method back for d, after Slack answered 429 with Retry-After d.
func (b *Budget) pause(method string, d time.Duration) {
	if b == nil || d <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.init()
	until := b.now().Add(d)
	if until.After(b.paused[method]) {
		b.paused[method] = until
	}
}

func (b *Budget) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Budget) init() {
	if b.methods == nil {
		b.methods, b.channels, b.paused = map[string]*rate.Limiter{}, map[string]*rate.Limiter{}, map[string]time.Time{}
	}
}

// method returns method's bucket, or nil when it has no budget.
func (b *Budget) method(method string) *rate.Limiter {
	b.init()
	if l, ok := b.methods[method]; ok {
		return l
	}
	limits := b.Limits
	if limits == nil {
		limits = DefaultLimits
	}
	var l *rate.Limiter
	if lim, ok := limits[method]; ok {
		l = newBucket(lim)
	}
	b.methods[method] = l
	return l
}

// channel returns channel's bucket for posts, forgetting those full again (idle channels).
func (b *Budget) channel(channel string, now time.Time) *rate.Limiter {
	if l, ok := b.channels[channel]; ok {
		return l
	}
	if len(b.channels) >= 1000 {
		for id, l := range b.channels {
			if l.TokensAt(now) >= float64(l.Burst()) {
				delete(b.channels, id)
			}
		}
	}
	l := newBucket(PostPerChannel)
	b.channels[channel] = l
	return l
}

// newBucket is a full bucket of lim. Its first use sets its clock (x/time/rate starts
// one with no time as full).
func newBucket(lim Limit) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(lim.PerMinute/60), lim.Burst)
}
