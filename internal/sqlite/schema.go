package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// latestVersion is the highest migration this binary has.
var latestVersion = sync.OnceValue(func() int {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	latest := 0
	for _, name := range names {
		if v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0]); err == nil {
			latest = max(latest, v)
		}
	}
	return latest
})

// querier is what schemaCurrent reads through: a pool or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SchemaCurrent returns a *incident.SchemaTooNewError when a newer binary has migrated the
// database (another process on the same file, such as a newer release's `timeline verify`),
// and nil while the schema is this binary's.
func (db *DB) SchemaCurrent(ctx context.Context) error {
	return schemaCurrent(ctx, db.read)
}

func schemaCurrent(ctx context.Context, q querier) error {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if v > latestVersion() {
		return &incident.SchemaTooNewError{Database: v, Binary: latestVersion()}
	}
	return nil
}

// dutyHold bounds one pass of a duty.
const dutyHold = 2 * time.Minute

var _ incident.Duties = (*DB)(nil)

// Duty runs fn unless a pass of the duty name is running in this process. One SQLite file
// has one bot process (its writer), so a process-wide lock is the whole of it; no write
// transaction is held while fn talks to Slack or GitHub.
func (db *DB) Duty(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	if err := db.SchemaCurrent(ctx); err != nil {
		return false, err
	}
	m, _ := db.duties.LoadOrStore(name, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	if !mu.TryLock() {
		return false, nil
	}
	defer mu.Unlock()
	passCtx, cancel := context.WithTimeout(ctx, dutyHold)
	defer cancel()
	return true, fn(passCtx)
}
