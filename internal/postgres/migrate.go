package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the key of the transaction-scoped advisory lock that migrations hold, so
// that replicas starting together migrate once. ("incbot" in ASCII.)
const migrationLock int64 = 0x696e63626f74

// SchemaTooNewError is the domain's: the database was migrated by a newer binary.
type SchemaTooNewError = incident.SchemaTooNewError

// migration is one embedded migration file, migrations/NNNN_name.sql.
type migration struct {
	version int
	name    string
	body    string
}

// migrations returns the embedded migrations in version order; versions run 1, 2, ... with
// no gap.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for i, name := range names {
		base := path.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || version != i+1 {
			return nil, fmt.Errorf("migration %s: want a name starting with %04d_", base, i+1)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: base, body: string(body)})
	}
	return out, nil
}

// LatestSchemaVersion is the highest migration this binary has.
func LatestSchemaVersion() int { return latestVersion() }

var latestVersion = sync.OnceValue(func() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
})

// migrate applies the migrations the database lacks, all in one transaction that first
// takes the migration lock: a replica starting at the same time waits, then finds them
// applied. A database at a newer version than this binary knows is refused. A database
// already at this binary's version is left alone without the lock, so a replica starting
// while another runs a duty (which holds the lock shared) does not wait for it.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if current, err := db.SchemaVersion(ctx); err == nil && current > latestVersion() {
		return &SchemaTooNewError{Database: current, Binary: latestVersion()}
	} else if err == nil && current == latestVersion() {
		return nil
	}
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read the schema version: %w", err)
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	if current > latest {
		return &SchemaTooNewError{Database: current, Binary: latest}
	}
	for _, m := range ms[current:] {
		if _, err := tx.Exec(ctx, m.body); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, incident.FormatTime(time.Now())); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// SchemaVersion returns the highest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// SchemaCurrent returns a *SchemaTooNewError when a newer binary has migrated the database
// since this one opened it, and nil while the schema is this binary's.
func (db *DB) SchemaCurrent(ctx context.Context) error {
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if v > latestVersion() {
		return &SchemaTooNewError{Database: v, Binary: latestVersion()}
	}
	return nil
}

// standBy, in a transaction about to do background work (claiming effects, a duty), takes
// the migration lock shared without waiting and checks the schema version. It reports
// false when a migration holds the lock or waits for it (the work skips this pass), and a
// *SchemaTooNewError when a newer binary migrated the database.
func standBy(ctx context.Context, tx pgx.Tx) (bool, error) {
	var free bool
	var version int
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock_shared($1),
		(SELECT coalesce(max(version), 0) FROM schema_migrations)`, migrationLock).Scan(&free, &version); err != nil {
		return false, fmt.Errorf("check the schema version: %w", err)
	}
	if version > latestVersion() {
		return false, &SchemaTooNewError{Database: version, Binary: latestVersion()}
	}
	return free, nil
}
