package incident_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

var faultRe = regexp.MustCompile(`fault ([0-9a-f]{8})`)

// A domain error is the person's to act on: they read its message and nothing is logged.
// Anything else is a fault: logged at Error level under an ID, which is all they are told.
func TestReport(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		want   string // the text, or its prefix for a fault
		logged bool
	}{
		{"invalid", incident.Errorf(incident.EINVALID, "An incident needs a title."), "An incident needs a title.", false},
		{"not found", incident.Errorf(incident.ENOTFOUND, "There is no incident INC-9."), "There is no incident INC-9.", false},
		{"forbidden", incident.Errorf(incident.EFORBIDDEN, "Only the incident commander may."), "Only the incident commander may.", false},
		{"conflict", incident.Errorf(incident.ECONFLICT, "INC-1 is resolved."), "INC-1 is resolved.", false},
		{"not ready", incident.Errorf(incident.ENOTREADY, "The channel is being created."), "The channel is being created.", false},
		{"unauthorized", incident.Errorf(incident.EUNAUTHORIZED, "invalid signature"), "invalid signature", false},
		{"wrapped domain error", fmt.Errorf("declare: %w", incident.Errorf(incident.ECONFLICT, "Declared already.")), "Declared already.", false},
		{"internal", errors.New("database is locked"), "Something went wrong on my side; it is logged as fault ", true},
		{"coded internal", incident.Errorf(incident.EINTERNAL, "The event has no actor."), "The event has no actor. (logged as fault ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, nil))
			got := incident.Report(context.Background(), log, tc.err, "command failed", "verb", "declare")
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("text %q, want %q", got, tc.want)
			}
			if !tc.logged {
				if buf.Len() != 0 || faultRe.MatchString(got) {
					t.Errorf("a domain error was logged or given a fault ID: %q %s", got, buf.String())
				}
				return
			}
			if strings.Contains(got, "database is locked") {
				t.Errorf("the person was told the details: %q", got)
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("not one log line: %v %s", err, buf.String())
			}
			m := faultRe.FindStringSubmatch(got)
			if m == nil || rec["level"] != "ERROR" || rec["msg"] != "command failed" || rec["verb"] != "declare" ||
				rec["fault"] != m[1] || rec["err"] != tc.err.Error() {
				t.Errorf("text %q, log %v: want an ERROR line with the error, the args and the fault ID the text names", got, rec)
			}
		})
	}
}

// Two faults get two IDs, so each report leads to its own log line.
func TestReportGivesEachFaultItsID(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	a := incident.Report(context.Background(), log, errors.New("x"), "failed")
	b := incident.Report(context.Background(), log, errors.New("x"), "failed")
	if a == b {
		t.Errorf("the same fault ID twice: %q", a)
	}
}

// The database failing over is an outage, not a fault: the person is told to try again (and,
// when the commit broke, that it may have been saved), and it is logged as a warning with
// the cause, which the error still unwraps to.
func TestReportUnavailable(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	for _, tc := range []struct {
		err  *incident.Error
		want string
	}{
		{incident.Unavailable(cause), "nothing was done. Try again in a few seconds."},
		{incident.UnavailableMidCommit(cause), "it may or may not have been. Check the incident's timeline"},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, nil))
		err := fmt.Errorf("note: %w", tc.err)
		got := incident.Report(context.Background(), log, err, "command failed", "verb", "note")
		if !strings.Contains(got, "The bot's database is unavailable") || !strings.Contains(got, tc.want) || faultRe.MatchString(got) {
			t.Errorf("text %q, want the database unavailable and %q, without a fault ID", got, tc.want)
		}
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatalf("not one log line: %v %s", err, buf.String())
		}
		if rec["level"] != "WARN" || rec["msg"] != "command failed" || rec["verb"] != "note" || rec["err"] != cause.Error() {
			t.Errorf("log %v: want a WARN line with the cause", rec)
		}
		if incident.ErrorCode(err) != incident.EUNAVAILABLE || !errors.Is(err, cause) {
			t.Errorf("code %q, Is(cause) %v", incident.ErrorCode(err), errors.Is(err, cause))
		}
	}
}
