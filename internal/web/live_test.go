package web_test

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
	"github.com/nephoran/incidentbot/internal/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// stream is an open GET /events.
type stream struct {
	resp   *http.Response
	events chan string // each event's name, "" when the stream ends
}

// openStream opens the stream of changes of page on srv, as the page's script does, with
// the page's ETag as the browser has it.
func openStream(t *testing.T, ctx context.Context, base, page, since string) *stream {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/events?page="+url.QueryEscape(page)+"&since="+url.QueryEscape(since), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /events?page=%s: %d %s", page, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &stream{resp: resp, events: make(chan string, 16)}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				s.events <- name
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return s
}

// next waits for the stream's next event (the test's deadline bounds the wait).
func (s *stream) next(t *testing.T, ctx context.Context) string {
	t.Helper()
	select {
	case e := <-s.events:
		return e
	case <-ctx.Done():
		t.Fatal("no event before the test's deadline")
		return ""
	}
}

// etagOf GETs path and returns its ETag, which must also be on the page.
func etagOf(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	etag := strings.Trim(rec.Header().Get("ETag"), `"`)
	if rec.Code != 200 || etag == "" || !strings.Contains(rec.Body.String(), `data-since="`+etag+`"`) {
		t.Fatalf("GET %s: %d, ETag %q, not on the page", path, rec.Code, etag)
	}
	return etag
}

func livePages(t *testing.T, sys *testenv.System) (*web.Pages, *httptest.Server) {
	t.Helper()
	pages := web.NewPages(sys.Service, slog.New(slog.DiscardHandler))
	pages.Live.Poll = 5 * time.Millisecond
	mux := http.NewServeMux()
	pages.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { pages.Close(); srv.Close() })
	return pages, srv
}

// A browser showing an incident's page, the dashboard or the status page is told when
// what it shows changes (and only then: the stream opens without an event while its copy
// is current); one whose copy is already out of date when it connects is told at once.
func TestOpenPagesAreToldOfChanges(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	pages, srv := livePages(t, sys)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	incPage := openStream(t, ctx, srv.URL, "/incidents/INC-1", etagOf(t, srv.Config.Handler, "/incidents/INC-1"))
	stale := etagOf(t, srv.Config.Handler, "/status")
	sys.Do("U0ALICE", ch, "note the cache is cold")
	if e := incPage.next(t, ctx); e != "changed" {
		t.Fatalf("the incident page's stream said %q, want changed", e)
	}
	// The status page does not show notes: its ETag stays, and a stream opened with it
	// stays quiet until an update for it is posted.
	status := openStream(t, ctx, srv.URL, "/status", etagOf(t, srv.Config.Handler, "/status"))
	if got := etagOf(t, srv.Config.Handler, "/status"); got != stale {
		t.Errorf("a note changed the status page's ETag from %s to %s", stale, got)
	}
	sys.Do("U0ALICE", ch, "update --status-page We are investigating.")
	if e := status.next(t, ctx); e != "changed" {
		t.Fatalf("the status page's stream said %q, want changed", e)
	}
	if pages.Live.Streams() != 2 {
		t.Errorf("%d streams open, want 2", pages.Live.Streams())
	}
	// A copy from before the update: told at once.
	late := openStream(t, ctx, srv.URL, "/status", stale)
	if e := late.next(t, ctx); e != "changed" {
		t.Fatalf("a stale copy's stream said %q, want changed", e)
	}
}

// The public status page's stream says nothing of a private incident: a private
// incident's notes, roles and runs leave the status page's ETag, which is all its stream
// tells, as it was; the dashboard's and its own page's streams are not public.
func TestTheStatusStreamLeaksNothingPrivate(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
	sys.Do("U0ALICE", general, "declare P2 intent-processing Payroll data exposed --private")
	sys.Deliver()
	if !sys.Incident(1).Private {
		t.Fatal("the incident is not private")
	}
	ch := sys.Incident(1).ChannelID
	pages := web.NewPages(sys.Service, slog.New(slog.DiscardHandler))
	pages.Token = "s3cret"
	mux := http.NewServeMux()
	pages.Register(mux)
	before := etagOf(t, mux, "/status")
	sys.Do("U0ALICE", ch, "note the attacker used <@U0BOB>'s token")
	sys.Do("U0ALICE", ch, "role tl <@U0BOB>")
	sys.Do("U0ALICE", ch, "update --status-page Payroll is leaking")
	sys.Deliver()
	if after := etagOf(t, mux, "/status"); after != before {
		t.Errorf("the private incident changed the status page's ETag (%s to %s)", before, after)
	}
	for _, page := range []string{"/", "/incidents/INC-1"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/events?page="+url.QueryEscape(page), nil))
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("the stream of %s without the token: %d, want 401", page, rec.Code)
		}
	}
	for path, want := range map[string]int{"/events": 400, "/events?page=https://evil.example/": 400, "/events?page=/console": 404, "/events?page=/metrics": 404} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
	}
}

// Streams are capped (one over the cap gets 503 and Retry-After), and closing the server
// ends every open stream: Close does not wait on them.
func TestStreamsAreCappedAndEndAtShutdown(t *testing.T) {
	sys := testenv.NewSystem(t)
	pages := web.NewPages(sys.Service, slog.New(slog.DiscardHandler))
	pages.Live.Max, pages.Live.PublicMax = 2, 1
	server := web.NewServer(slog.New(slog.DiscardHandler))
	pages.Register(server.Mux)
	server.OnShutdown(pages.Close)
	if err := server.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	base := "http://" + server.Addr()
	a, b := openStream(t, ctx, base, "/status", ""), openStream(t, ctx, base, "/", "")
	for _, s := range []*stream{a, b} { // no ETag given: told at once to fetch the page
		if e := s.next(t, ctx); e != "changed" {
			t.Fatalf("said %q, want changed", e)
		}
	}
	refused := func(page string) {
		t.Helper()
		resp, err := http.Get("http://" + server.Addr() + "/events?page=" + page)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("a stream of %s over the cap: %d, Retry-After %q; want 503 with Retry-After", page, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	// The public page's streams have a cap of their own: anyone opening many cannot keep
	// the dashboard's from opening; however its query is written, it is one page.
	refused("/status")
	refused("/status%3Fx%3D1")
	c := openStream(t, ctx, base, "/", "")
	if e := c.next(t, ctx); e != "changed" {
		t.Fatalf("a dashboard stream with the public ones full: said %q, want changed", e)
	}
	refused("/")
	shutdown, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := server.Close(shutdown); err != nil {
		t.Fatalf("Close with streams open: %v", err)
	}
	for _, s := range []*stream{a, b, c} {
		if e := s.next(t, ctx); e != "" {
			t.Errorf("after Close the stream said %q, want its end", e)
		}
	}
}

// With several replicas on one PostgreSQL database, a change made through one replica
// reaches the streams open on another.
func TestChangesReachTheStreamsOfOtherReplicas(t *testing.T) {
	dbURL := pgtest.New(t)
	replica := func() *incident.Service {
		db, err := postgres.Open(t.Context(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return incident.NewService(incident.ServiceConfig{Store: db, Settings: incident.Settings{Catalog: histCatalog}, Log: slog.New(slog.DiscardHandler)})
	}
	a, b := replica(), replica()
	pages := web.NewPages(b, slog.New(slog.DiscardHandler))
	pages.Live.Poll = 5 * time.Millisecond
	mux := http.NewServeMux()
	pages.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer pages.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	dash := openStream(t, ctx, srv.URL, "/", etagOf(t, mux, "/"))
	if _, err := a.Declare(ctx, incident.DeclareRequest{Actor: "U0ALICE", Title: "Declared on the other replica", Severity: incident.P2}); err != nil {
		t.Fatal(err)
	}
	if e := dash.next(t, ctx); e != "changed" {
		t.Fatalf("the dashboard's stream on replica b said %q, want changed", e)
	}
	if _, body := get(mux, "/"); !strings.Contains(body, "Declared on the other replica") {
		t.Errorf("replica b's dashboard lacks the incident")
	}
}

// A page's clocks move with time, changes or not: an open incident page is told once what
// it shows has moved ("3m left" became "1m left"), with no change to the incident.
func TestOpenPagesFollowTheirClocks(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	pages, srv := livePages(t, sys)
	pages.Live.Sweep = 5 * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	before := etagOf(t, srv.Config.Handler, "/incidents/INC-1")
	s := openStream(t, ctx, srv.URL, "/incidents/INC-1", before)
	sys.Clock.Advance(2 * time.Minute)
	if e := s.next(t, ctx); e != "changed" {
		t.Fatalf("the stream said %q, want changed", e)
	}
	if after := etagOf(t, srv.Config.Handler, "/incidents/INC-1"); after == before {
		t.Error("two minutes later the page is the same")
	}
}
