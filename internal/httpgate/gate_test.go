package httpgate_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/httpgate"
	"github.com/slack-go/slack"
)

// A 429 from one Slack method pauses that method for every caller for Retry-After: the
// calls meanwhile are answered by the gate (slack-go sees a rate limit with the time left),
// other methods go on, and the method is called again once the pause is over.
func TestA429PausesThatMethodForEveryone(t *testing.T) {
	var posts, topics atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/chat.postMessage":
			if posts.Add(1) == 1 {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(`{"ok":true,"channel":"C1","ts":"1.2"}`))
		default:
			topics.Add(1)
			w.Write([]byte(`{"ok":true,"channel":{"id":"C1"}}`))
		}
	}))
	defer srv.Close()
	now := time.Unix(1_700_000_000, 0)
	gate := httpgate.New(nil, httpgate.SlackMethod)
	gate.Now = func() time.Time { return now }
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/api/"), slack.OptionHTTPClient(&http.Client{Transport: gate}))

	post := func() error { _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); return err }
	if err := post(); err == nil {
		t.Fatal("the first post was not rate limited")
	}
	now = now.Add(10 * time.Second)
	for i := 0; i < 20; i++ {
		err := post()
		rl, ok := err.(*slack.RateLimitedError)
		if !ok || rl.RetryAfter != 20*time.Second {
			t.Fatalf("a post during the pause: %v, want a rate limit with 20s left", err)
		}
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("Slack got %d posts during the pause, want only the first", n)
	}
	if _, err := api.SetTopicOfConversation("C1", "topic"); err != nil || topics.Load() != 1 {
		t.Errorf("another method was held too: %v", err)
	}
	now = now.Add(20 * time.Second)
	if err := post(); err != nil || posts.Load() != 2 {
		t.Errorf("after the pause: %v, %d posts", err, posts.Load())
	}
}

// Retry-After as an HTTP date, and PagerDuty's ratelimit-reset, are read too; without
// either the pause is a second.
func TestRetryAfterForms(t *testing.T) {
	now := time.Unix(1_700_000_000, 0).UTC()
	for name, tc := range map[string]struct {
		header, value string
		want          time.Duration
	}{
		"seconds":         {"Retry-After", "7", 7 * time.Second},
		"date":            {"Retry-After", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		"ratelimit-reset": {"ratelimit-reset", "12", 12 * time.Second},
		"none":            {"X-Other", "", time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set(tc.header, tc.value)
				w.WriteHeader(http.StatusTooManyRequests)
			}))
			defer srv.Close()
			gate := httpgate.New(nil, nil)
			gate.Now = func() time.Time { return now }
			resp, err := (&http.Client{Transport: gate}).Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			req, _ := http.NewRequest("GET", srv.URL, nil)
			if got := gate.PausedFor(req.URL.Host); got != tc.want {
				t.Errorf("paused for %s, want %s", got, tc.want)
			}
		})
	}
}

// Statuspage's other rate limit, 420, pauses the calls like a 429; the gate answers those
// held with a 429.
func TestA420PausesLikeA429(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "10")
		w.WriteHeader(httpgate.StatusEnhanceYourCalm)
	}))
	defer srv.Close()
	gate := httpgate.New(nil, nil)
	client := &http.Client{Transport: gate}
	for i, want := range []int{httpgate.StatusEnhanceYourCalm, http.StatusTooManyRequests, http.StatusTooManyRequests} {
		resp, err := client.Get(srv.URL + "/v1/pages/p/incidents")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("call %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the API got %d calls during the pause, want 1", n)
	}
}
