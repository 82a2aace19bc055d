// Package httpgate holds back calls to an outside API that asked the bot to wait. After a
// 429 with Retry-After, further calls with the same key are answered at once with the same
// 429 (the time left as Retry-After), without a request, until the pause is over. One rate
// limit so pauses that method for every caller, the outbox's workers and the request
// handlers alike, instead of each of them finding out by calling again.
package httpgate

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StatusEnhanceYourCalm is the rate limit of the APIs that answer 420 rather than 429
// (Statuspage documents both): a pause like a 429's.
const StatusEnhanceYourCalm = 420

// HeldHeader marks an answer the gate gave itself, without calling the API.
const HeldHeader = "X-Incidentbot-Held"

// Transport is an http.RoundTripper that pauses calls per key after a 429 (or a 420).
type Transport struct {
	Base http.RoundTripper          // nil: http.DefaultTransport
	Key  func(*http.Request) string // what a rate limit applies to; nil: the host
	Now  func() time.Time           // nil: time.Now

	mu    sync.Mutex
	until map[string]time.Time
}

// New returns a Transport over base keyed by key (nil: the host).
func New(base http.RoundTripper, key func(*http.Request) string) *Transport {
	return &Transport{Base: base, Key: key}
}

// SlackMethod keys Slack's Web API calls by method (/api/chat.postMessage), since Slack
// limits each method on its own.
func SlackMethod(r *http.Request) string {
	if i := strings.LastIndex(r.URL.Path, "/api/"); i >= 0 {
		return r.URL.Host + r.URL.Path[i:]
	}
	return r.URL.Host + r.URL.Path
}

// RoundTrip answers a paused key itself, and otherwise calls the API and starts a pause when
// it answers 429.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	key, now := t.key(r), t.now()
	if left := t.pausedFor(key, now); left > 0 {
		if r.Body != nil {
			r.Body.Close()
		}
		return held(r, left), nil
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err == nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == StatusEnhanceYourCalm) {
		t.pause(key, now.Add(retryAfter(resp.Header, now)))
	}
	return resp, err
}

// PausedFor returns how long calls with key are still held (0: not at all).
func (t *Transport) PausedFor(key string) time.Duration { return t.pausedFor(key, t.now()) }

func (t *Transport) pausedFor(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	until, ok := t.until[key]
	if !ok {
		return 0
	}
	if !until.After(now) {
		delete(t.until, key)
		return 0
	}
	return until.Sub(now)
}

func (t *Transport) pause(key string, until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.until == nil {
		t.until = map[string]time.Time{}
	}
	if until.After(t.until[key]) {
		t.until[key] = until
	}
}

func (t *Transport) key(r *http.Request) string {
	if t.Key != nil {
		return t.Key(r)
	}
	return r.URL.Host
}

func (t *Transport) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// retryAfter reads how long to wait from a 429: Retry-After in seconds or as a date, or
// PagerDuty's ratelimit-reset; a second when neither says.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
			return time.Duration(secs * float64(time.Second))
		}
		if at, err := http.ParseTime(v); err == nil && at.After(now) {
			return at.Sub(now)
		}
	}
	if secs, err := strconv.ParseFloat(h.Get("ratelimit-reset"), 64); err == nil && secs > 0 {
		return time.Duration(secs * float64(time.Second))
	}
	return time.Second
}

// held is the 429 the gate answers for a paused key: Retry-After in whole seconds (at
// least 1), a body each client reads as a rate limit.
func held(r *http.Request, left time.Duration) *http.Response {
	secs := strconv.Itoa(int(math.Ceil(left.Seconds())))
	body := `{"ok":false,"error":"ratelimited"}`
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Retry-After", secs)
	h.Set("ratelimit-reset", secs)
	h.Set(HeldHeader, "1")
	return &http.Response{
		Status: "429 Too Many Requests", StatusCode: http.StatusTooManyRequests,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
		Request: r,
	}
}
