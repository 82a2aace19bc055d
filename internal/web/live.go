package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Defaults of the live pages' notifier.
const (
	livePoll      = time.Second      // how often the store's log of changes is read
	liveHeartbeat = 25 * time.Second // a comment on every open stream, so proxies keep it
	liveMax       = 500              // open streams at once; more are refused (503)
	livePublicMax = 250              // of those, on the public status page: it needs no token
	liveWrite     = 10 * time.Second // how long a write to a stream may take
	liveSweep     = 20 * time.Second // how often every open page is rendered again, for its clocks
)

// Live tells the browsers showing a page when what it shows changes, over server-sent
// events (GET /events?page=<path>&since=<etag>). One goroutine, running while streams are
// open, reads the store's log of changes (LiveChanges: every replica's changes, on a
// shared PostgreSQL) every Poll; for each page open somewhere that the changes concern (an
// incident's page: that incident's changes; the others: any), it renders the page once
// and, when the page's ETag differs from the one its streams last had, sends them
// "changed". Every Sweep it renders every open page again, changes or not: a page's clocks
// ("3m left") move with time, and its browsers are told when what they show moved. A
// stream carries nothing but that word: what reaches a browser is what the
// page it may read shows, so the public status page's stream says nothing of a private
// incident that the status page does not.
type Live struct {
	// Changes reads the store's log of changes (Service.LiveChanges).
	Changes func(ctx context.Context, from int64) ([]incident.LiveChange, int64, error)
	// Render renders the page at path as a GET would, returning its ETag ("" when it
	// does not answer 200) and the incident it shows (0 for a page of every incident).
	Render func(ctx context.Context, path string) (etag string, incidentID int64)
	// Poll, Heartbeat, Sweep and Max: zero means livePoll, liveHeartbeat, liveSweep and liveMax.
	// PublicMax (zero: livePublicMax) bounds the streams of the public status page apart,
	// so that anyone opening many cannot keep the dashboard's from opening.
	Poll, Heartbeat, Sweep time.Duration
	Max, PublicMax         int
	Log                    *slog.Logger

	mu      sync.Mutex
	topics  map[string]*liveTopic
	streams int // open, the public ones among them
	public  int
	running bool
	closed  chan struct{}
	close   sync.Once
	done    sync.WaitGroup
}

// liveTopic is one page with open streams.
type liveTopic struct {
	path     string
	incident int64 // the incident it shows; 0: it shows every incident
	etag     string
	streams  map[chan struct{}]bool
}

func (l *Live) init() {
	if l.closed == nil {
		l.closed = make(chan struct{})
		l.topics = map[string]*liveTopic{}
	}
}

// Close ends every stream and the poll, for a server shutting down (http.Server.Shutdown
// waits for handlers, and a stream's handler would never end on its own). It can be
// called more than once.
func (l *Live) Close() {
	l.mu.Lock()
	l.init()
	l.mu.Unlock()
	l.close.Do(func() { close(l.closed) })
	l.done.Wait()
}

// Streams is how many streams are open.
func (l *Live) Streams() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.streams
}

// subscribe opens a stream on the page at path whose browser has the page with ETag since.
// It returns the channel told of changes, and whether the page changed already (since
// differs from the page's ETag now). It fails when Max streams are open or l is closed.
func (l *Live) subscribe(ctx context.Context, path, since string, public bool) (chan struct{}, bool, error) {
	l.mu.Lock()
	l.init()
	select {
	case <-l.closed:
		l.mu.Unlock()
		return nil, false, incident.Errorf(incident.EUNAVAILABLE, "The server is shutting down.")
	default:
	}
	if public && l.public >= orDefault(l.PublicMax, livePublicMax) || !public && l.streams-l.public >= orDefault(l.Max, liveMax) {
		l.mu.Unlock()
		return nil, false, incident.Errorf(incident.EUNAVAILABLE, "Too many pages are open live; reload this one to see what changed.")
	}
	l.streams++
	if public {
		l.public++
	}
	t := l.topics[path]
	if t == nil {
		t = &liveTopic{path: path, streams: map[chan struct{}]bool{}}
		l.topics[path] = t
	}
	ch := make(chan struct{}, 1)
	t.streams[ch] = true
	known := t.etag
	start := !l.running
	if start {
		l.running = true
		l.done.Add(1)
	}
	l.mu.Unlock()
	if start {
		// The poll's first position is read before this page is rendered: a change made
		// after the render is after the position, so the poll sees it.
		_, position, err := l.Changes(ctx, 0)
		if err != nil {
			position = 0 // the poll reads it again
		}
		go l.poll(position)
	}
	if known == since && since != "" {
		return ch, false, nil
	}
	// The page as it is now: the browser's copy may be older than the last change seen
	// (or this is the page's first stream).
	etag, id := l.Render(ctx, path)
	l.mu.Lock()
	t.etag, t.incident = etag, id
	l.mu.Unlock()
	return ch, etag != since, nil
}

// unsubscribe closes a stream.
func (l *Live) unsubscribe(path string, ch chan struct{}, public bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.streams--
	if public {
		l.public--
	}
	if t := l.topics[path]; t != nil {
		delete(t.streams, ch)
		if len(t.streams) == 0 {
			delete(l.topics, path)
		}
	}
}

func orDefault[T time.Duration | int](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// poll reads the log of changes every Poll while streams are open, and tells the streams
// of the pages that changed. It stops when the last stream closes (the next one starts it
// again, from a fresh position) or when l is closed.
func (l *Live) poll(position int64) {
	defer l.done.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-l.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	tick := time.NewTicker(orDefault(l.Poll, livePoll))
	defer tick.Stop()
	sweep := time.NewTicker(orDefault(l.Sweep, liveSweep))
	defer sweep.Stop()
	prev := map[int64]bool{} // the changes the last read returned (PostgreSQL may return them again)
	failing := false
	for {
		if position == 0 {
			if _, p, err := l.Changes(ctx, 0); err == nil {
				position = p
			}
		}
		swept := false
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-sweep.C:
			swept = true
		}
		l.mu.Lock()
		if l.streams == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		if position == 0 {
			continue
		}
		cs, next, err := l.Changes(ctx, position)
		if err != nil {
			if !failing && ctx.Err() == nil {
				l.Log.Warn("live pages: read the changes", "err", err)
			}
			failing = true
			continue
		}
		changed, all := map[int64]bool{}, failing || swept // after a failure, check every page again
		failing = false
		seen := make(map[int64]bool, len(cs))
		for _, c := range cs {
			seen[c.Seq] = true
			if !prev[c.Seq] {
				changed[c.IncidentID] = true
			}
		}
		prev, position = seen, next
		if len(changed) > 0 || all {
			l.check(ctx, changed, all)
		}
	}
}

// check renders again the open pages the changes concern, and tells the streams of those
// whose ETag changed.
func (l *Live) check(ctx context.Context, changed map[int64]bool, all bool) {
	l.mu.Lock()
	var due []*liveTopic
	for _, t := range l.topics {
		if all || t.incident == 0 || changed[t.incident] {
			due = append(due, t)
		}
	}
	l.mu.Unlock()
	for _, t := range due {
		etag, id := l.Render(ctx, t.path)
		l.mu.Lock()
		if etag != t.etag {
			t.etag, t.incident = etag, id
			for ch := range t.streams {
				select {
				case ch <- struct{}{}:
				default: // told already, not yet sent
				}
			}
		}
		l.mu.Unlock()
	}
}

// serve streams "changed" events for the page at path to w until the browser goes, the
// request ends or l is closed, with a heartbeat comment every Heartbeat. public: the page
// is the public status page, whose streams count against PublicMax.
func (l *Live) serve(w http.ResponseWriter, r *http.Request, path, since string, public bool) {
	ch, stale, err := l.subscribe(r.Context(), path, since, public)
	if err != nil {
		w.Header().Set("Retry-After", "30")
		WriteError(w, r, l.Log, err)
		return
	}
	defer l.unsubscribe(path, ch, public)
	rc := http.NewResponseController(w)
	// The server's ReadTimeout would end the stream (its lapse cancels the request), and
	// its WriteTimeout is for pages: a stream sets its own write deadline at each write.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	send := func(s string) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(liveWrite)) // the server's WriteTimeout is for pages, not streams
		if _, err := fmt.Fprint(w, s); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 5000\n\n") {
		return
	}
	if stale && !send("event: changed\ndata: \n\n") {
		return
	}
	beat := time.NewTicker(orDefault(l.Heartbeat, liveHeartbeat))
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-l.closed:
			return
		case <-beat.C:
			if !send(": ping\n\n") {
				return
			}
		case <-ch:
			if !send("event: changed\ndata: \n\n") {
				return
			}
		}
	}
}
