package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// runDuty runs pass as the singleton duty name at once and then every interval until ctx
// ends: on one replica at a time (the others skip the pass). Failures are logged and
// retried at the next pass. When the database's schema turns out newer than this binary,
// the duty stands down for good and says why.
func runDuty(ctx context.Context, duties incident.Duties, name string, every time.Duration, log *slog.Logger, pass func(context.Context) error) {
	for {
		ran, err := duties.Duty(ctx, name, pass)
		switch {
		case incident.IsSchemaTooNew(err):
			log.Error("standing down: this replica runs the duty no more", "duty", name, "err", err)
			return
		case err != nil && ctx.Err() == nil:
			log.Error("duty failed; retrying at the next pass", "duty", name, "err", err)
		case !ran:
			log.Debug("duty skipped: another replica is running it", "duty", name)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
