package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// What a person is told in Slack when their request fails outside the command router: a
// domain error's message, not logged; for anything else a fault ID, and an Error line in
// the log under it.
func TestReplyError(t *testing.T) {
	faultRe := regexp.MustCompile(`fault ([0-9a-f]{8})`)
	for _, tc := range []struct {
		name   string
		err    error
		want   string
		logged bool
	}{
		{"invalid", incident.Errorf(incident.EINVALID, "That message is not in an incident's channel."), "That message is not in an incident's channel.", false},
		{"not found", incident.Errorf(incident.ENOTFOUND, "There is no incident here."), "There is no incident here.", false},
		{"forbidden", incident.Errorf(incident.EFORBIDDEN, "Only members may."), "Only members may.", false},
		{"conflict", fmt.Errorf("capture: %w", incident.Errorf(incident.ECONFLICT, "INC-1 is resolved.")), "INC-1 is resolved.", false},
		{"not ready", incident.Errorf(incident.ENOTREADY, "The channel is being created."), "The channel is being created.", false},
		{"internal", errors.New("sql: database is closed"), "Something went wrong on my side; it is logged as fault ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			b := &Bot{Log: slog.New(slog.NewTextHandler(&logs, nil))}
			got := b.replyError(context.Background(), tc.err, "capture a message", "channel", "C0INC")
			m := faultRe.FindStringSubmatch(got)
			switch {
			case !strings.HasPrefix(got, tc.want):
				t.Errorf("text %q, want %q", got, tc.want)
			case !tc.logged && (logs.Len() != 0 || m != nil):
				t.Errorf("a domain error was logged or given a fault ID: %q %s", got, logs.String())
			case tc.logged && (m == nil || strings.Contains(got, "sql:") ||
				!regexp.MustCompile(`level=ERROR msg="capture a message" channel=C0INC err=.*fault=`+m[1]).MatchString(logs.String())):
				t.Errorf("an internal error: text %q, log %s", got, logs.String())
			}
		})
	}
}
