package bot

import (
	"context"

	"github.com/nephoran/incidentbot/internal/incident"
)

// replyError is the Slack surface's error writer: what to tell, in an ephemeral message or
// under a form's field, the person whose request failed with err outside the command router
// (which writes the errors of commands the same way, through incident.Report). A domain
// error's message is shown and not logged; any other error is logged at Error level with
// what and args, and the person is told its fault ID.
func (b *Bot) replyError(ctx context.Context, err error, what string, args ...any) string {
	return incident.Report(ctx, b.Log, err, what, args...)
}
