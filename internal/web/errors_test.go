package web_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/web"
)

var faultRe = regexp.MustCompile(`fault ([0-9a-f]{8})`)

// A failed request's status comes from its error's code, its body is the domain error's
// message, and only an internal error is logged, under the fault ID the body names.
func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		body   string
		logged bool
	}{
		{"invalid", incident.Errorf(incident.EINVALID, "malformed payload"), 400, "malformed payload", false},
		{"unauthorized", incident.Errorf(incident.EUNAUTHORIZED, "invalid signature"), 401, "invalid signature", false},
		{"forbidden", incident.Errorf(incident.EFORBIDDEN, "This form did not come from the console."), 403, "This form did not come from the console.", false},
		{"not found", incident.Errorf(incident.ENOTFOUND, "There is no incident INC-9."), 404, "There is no incident INC-9.", false},
		{"conflict", incident.Errorf(incident.ECONFLICT, "replayed request"), 409, "replayed request", false},
		{"not ready", incident.Errorf(incident.ENOTREADY, "The channel is being created."), 503, "The channel is being created.", false},
		{"wrapped", fmt.Errorf("page: %w", incident.Errorf(incident.ENOTFOUND, "No such step.")), 404, "No such step.", false},
		{"body too large", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 1024}), 413, "The request body is over its limit of 1024 bytes.", false},
		{"internal", errors.New("sql: database is closed"), 500, "Something went wrong on my side; it is logged as fault ", true},
		{"coded internal", incident.Errorf(incident.EINTERNAL, "No actor."), 500, "No actor. (logged as fault ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			w := httptest.NewRecorder()
			web.WriteError(w, httptest.NewRequest("POST", "/console/declare", nil), slog.New(slog.NewTextHandler(&logs, nil)), tc.err)
			body := w.Body.String()
			if w.Code != tc.status || !strings.HasPrefix(body, tc.body) || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
				t.Errorf("%d %q (%s), want %d %q", w.Code, body, w.Header().Get("Content-Type"), tc.status, tc.body)
			}
			if got := web.StatusOf(tc.err); got != tc.status {
				t.Errorf("StatusOf: %d, want %d", got, tc.status)
			}
			m := faultRe.FindStringSubmatch(body)
			switch {
			case !tc.logged && (logs.Len() != 0 || m != nil):
				t.Errorf("a domain error was logged or given a fault ID: %q %s", body, logs.String())
			case tc.logged && (m == nil || !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "fault="+m[1]) ||
				!strings.Contains(logs.String(), "path=/console/declare") || strings.Contains(body, "sql:")):
				t.Errorf("an internal error: body %q, log %s: want an ERROR line with the path and the fault ID the body names, and no details in the body", body, logs.String())
			}
		})
	}
}

// When the database fails, the pages and the console say so as faults: a 500 naming the
// fault ID (the incident page said 404, as if the incident did not exist, the others 503),
// an error naming it on the console (it was logged at Info level, as a refusal), and an
// Error line in the log under that ID.
func TestDatabaseFailuresAreFaults(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	mux := http.NewServeMux()
	web.NewPages(sys.Service, log).Register(mux)
	web.NewConsole(sys.Router, operators(t), log).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := consoleClient{t, srv}
	_, _, page := c.do("GET", "/console", "U0ALICE", alicePW, nil)
	csrf := csrfRe.FindStringSubmatch(page)[1]
	if code, _, _ := c.do("GET", "/incidents/1", "", "", nil); code != 200 {
		t.Fatalf("the incident page before the failure: %d", code)
	}

	sys.DB.Close()
	faults := map[string]string{}
	for _, path := range []string{"/", "/incidents/1", "/status", "/console"} {
		code, _, body := c.do("GET", path, "U0ALICE", alicePW, nil)
		m := faultRe.FindStringSubmatch(body)
		if code != 500 || m == nil {
			t.Errorf("%s: %d %q, want 500 naming a fault", path, code, body)
			continue
		}
		faults[path] = m[1]
	}
	code, loc, _ := c.do("POST", "/console/incidents/1/update", "U0ALICE", alicePW, url.Values{"csrf": {csrf}, "text": {"Failing over."}})
	if m := faultRe.FindStringSubmatch(loc); code != 303 || !strings.Contains(loc, "error=Something went wrong") || m == nil {
		t.Errorf("console update: %d %s, want an error naming a fault", code, loc)
	} else {
		faults["update"] = m[1]
	}
	for what, id := range faults {
		if !regexp.MustCompile(`level=ERROR .*fault=` + id).MatchString(logs.String()) {
			t.Errorf("%s: no Error line for fault %s in\n%s", what, id, logs.String())
		}
	}
	if strings.Contains(logs.String(), "console action refused") {
		t.Errorf("a fault was logged as a refusal:\n%s", logs.String())
	}
}

// The database failing over answers 503 (try again) with the message, logged as a warning.
func TestWriteErrorUnavailable(t *testing.T) {
	var logs bytes.Buffer
	w := httptest.NewRecorder()
	web.WriteError(w, httptest.NewRequest("POST", "/slack/events", nil), slog.New(slog.NewTextHandler(&logs, nil)),
		incident.Unavailable(errors.New("connection refused")))
	if w.Code != 503 || !strings.HasPrefix(w.Body.String(), "The bot's database is unavailable right now") ||
		!strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("%d %q, log %s", w.Code, w.Body.String(), logs.String())
	}
}
