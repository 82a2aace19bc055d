package incident

import (
	"context"
	"errors"
	"fmt"
)

// SchemaTooNewError says the database was migrated by a newer release than this binary:
// the binary does not know the schema, so it writes nothing it may not understand. At start
// the store refuses to open; a replica that finds out while it runs (a rolling upgrade
// migrated the database under it) stands down from background work: the outbox claims
// nothing, duties do not run, and /readyz says why.
type SchemaTooNewError struct {
	Database int // the highest migration applied to the database
	Binary   int // the highest migration this binary has
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("the database schema is at version %d, newer than this binary knows (%d): "+
		"a newer incidentbot migrated it; run that release or a later one", e.Database, e.Binary)
}

// IsSchemaTooNew reports whether err is or wraps a *SchemaTooNewError.
func IsSchemaTooNew(err error) bool {
	var e *SchemaTooNewError
	return errors.As(err, &e)
}

// Singleton duties: periodic work that must run on one replica at a time.
const (
	DutyDrillReminders = "drill-reminders" // posting each drill's reminder once per period
	DutyFollowupSync   = "followup-sync"   // closing follow-ups whose issues were closed
)

// Duties runs singleton duties on one replica at a time (GoAlert's processing lock: a lock
// held by one transaction, so it ends with the transaction, and works behind PgBouncer).
type Duties interface {
	// Duty runs fn holding the lock of the duty name and reports whether it ran: false,
	// nil when another replica holds the lock (or a migration is under way). fn's context
	// ends before the lock can lapse. When the database's schema is newer than this
	// binary, fn does not run and the error is a *SchemaTooNewError.
	Duty(ctx context.Context, name string, fn func(context.Context) error) (bool, error)
}
