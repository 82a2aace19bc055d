// Package storecopy copies everything incidentbot keeps from its SQLite database into an
// empty PostgreSQL database: `incidentbot migrate --to postgres://...`.
//
// Every table is copied value for value: ids, numbers, times as the text SQLite holds, JSON
// and timeline hashes byte for byte, the outbox with its states, attempts, claims and lanes.
// So the copy verifies (its hash chains are recomputed over the same bytes) and a bot
// serving on it goes on where the SQLite one stopped.
//
// The source is read in one read transaction, one consistent snapshot; the target is
// written in one transaction that locks its tables, refuses them unless they are empty,
// inserts the tables in foreign-key order with COPY, reads every row back and compares it
// with the source's, and sets each identity sequence past the highest copied id: all of it
// commits, or nothing does. The tables and columns copied are a plan written for one schema
// version on each side; a database of another version, or with a table or a column the plan
// does not know, is refused rather than copied in part.
package storecopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/sqlite"
)

// Report is what a migration did.
type Report struct {
	// SchemaBefore is the SQLite database's schema version before migrate opened it;
	// opening migrated it forward to SQLiteSchema when it was older, as serve would.
	SchemaBefore int
	Counts       []Count // the rows copied, per table in copy order
	Elapsed      time.Duration
}

// Rows returns how many rows of table were copied.
func (r *Report) Rows(table string) int64 {
	for _, c := range r.Counts {
		if c.Table == table {
			return c.Rows
		}
	}
	return 0
}

// Summary lists the rows copied, such as "4 incidents, 425 events, ...".
func (r *Report) Summary() string {
	parts := make([]string, len(r.Counts))
	for i, c := range r.Counts {
		parts[i] = fmt.Sprintf("%d %s", c.Rows, c.What)
	}
	return strings.Join(parts, ", ")
}

// CheckURL refuses a target that is not a postgres:// or postgresql:// URL.
func CheckURL(target string) error {
	// As pgx tells a URL from a keyword/value string; pgx parses the rest (several hosts,
	// a unix socket directory in host=) when it connects.
	if !strings.HasPrefix(target, "postgres://") && !strings.HasPrefix(target, "postgresql://") {
		return fmt.Errorf("--to must be a PostgreSQL URL, postgres://user:password@host:port/database (or postgresql://), not %q", redactURL(target))
	}
	return nil
}

// redactURL hides the password of a URL that parses, and shows nothing of one that does not
// but looks like it holds one.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	if strings.Contains(s, "password") || strings.Contains(s, "@") {
		return "(not shown: it may hold a password)"
	}
	return s
}

// Migrate copies the SQLite database at path into the empty PostgreSQL database at target.
// It opens each as the bot does, which applies the migrations it lacks (the SQLite one is
// migrated forward in place, as serve would), and refuses one whose schema is not the
// version this binary copies, a target that is not empty, and a target that is not a
// postgres:// URL. On an error with a nil Report nothing was copied; with a Report, the copy
// was committed and then its row counts on a new read differed (another writer).
func Migrate(ctx context.Context, path, target string) (*Report, error) {
	began := time.Now()
	if err := CheckURL(target); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("there is no SQLite database at %s (db:, INCIDENTBOT_DB); nothing to copy", path)
		}
		return nil, fmt.Errorf("the SQLite database %s: %w", path, err)
	}
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	rep := &Report{}
	if rep.SchemaBefore, err = sqliteVersion(ctx, src); err != nil {
		return nil, err
	}
	if err := migrateSource(ctx, path); err != nil {
		return nil, err
	}
	if err := migrateTarget(ctx, target); err != nil {
		return nil, err
	}
	dst, err := connect(ctx, target)
	if err != nil {
		return nil, err
	}
	defer dst.Close(context.WithoutCancel(ctx))
	if rep.Counts, err = copyAll(ctx, src, dst); err != nil {
		return nil, err
	}
	rep.Elapsed = time.Since(began)
	if err := recount(ctx, dst, rep.Counts); err != nil {
		return rep, err // committed: the report says what
	}
	return rep, nil
}

// connect opens one connection to the target, as internal/postgres connects: without named
// prepared statements unless the URL asks for them (they do not survive PgBouncer's
// transaction pooling).
func connect(ctx context.Context, target string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(target)
	if err != nil {
		return nil, fmt.Errorf("the PostgreSQL URL: %w", err)
	}
	if !strings.Contains(target, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to the PostgreSQL database: %w", err)
	}
	return conn, nil
}

// recount counts the rows of each table on the target, committed, and compares them with
// the rows copied.
func recount(ctx context.Context, dst *pgx.Conn, counts []Count) error {
	var wrong []string
	for _, c := range counts {
		var n int64
		if err := dst.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{c.Table}.Sanitize()).Scan(&n); err != nil {
			return fmt.Errorf("count the rows of %s on PostgreSQL: %w", c.Table, err)
		}
		if n != c.Rows {
			wrong = append(wrong, fmt.Sprintf("%s: %d copied, %d on PostgreSQL", c.Table, c.Rows, n))
		}
	}
	if len(wrong) > 0 {
		return fmt.Errorf("after the commit the row counts differ (another process writes to the PostgreSQL database?): %s",
			strings.Join(wrong, "; "))
	}
	return nil
}

// openSource opens the SQLite file for reading only.
func openSource(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// sqliteVersion reads the highest migration applied to the SQLite database (0 for none).
func sqliteVersion(ctx context.Context, db *sql.DB) (int, error) {
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
		return 0, fmt.Errorf("read the SQLite schema version: %w", err)
	}
	if tables == 0 {
		return 0, nil
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the SQLite schema version: %w", err)
	}
	return v, nil
}

// migrateSource opens the SQLite database as the bot does, which migrates it forward, and
// refuses one at another version than the plan's (one a newer binary migrated).
func migrateSource(ctx context.Context, path string) error {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("open the SQLite database %s: %w", path, err)
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read the SQLite schema version: %w", err)
	}
	switch {
	case v > SQLiteSchema:
		return fmt.Errorf("the SQLite database %s is at schema version %d, and this binary copies version %d: "+
			"a newer incidentbot migrated it; run migrate with that release", path, v, SQLiteSchema)
	case v < SQLiteSchema:
		return fmt.Errorf("the SQLite database %s is at schema version %d after migrating, and this binary copies version %d", path, v, SQLiteSchema)
	}
	return nil
}

// migrateTarget opens the PostgreSQL database as the bot does, which creates the schema, and
// refuses one at another version than the plan's.
func migrateTarget(ctx context.Context, target string) error {
	db, err := postgres.Open(ctx, target)
	if err != nil {
		return fmt.Errorf("open the PostgreSQL database: %w", err)
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read the PostgreSQL schema version: %w", err)
	}
	if v != PostgresSchema {
		return fmt.Errorf("the PostgreSQL database is at schema version %d, and this binary copies to version %d", v, PostgresSchema)
	}
	return nil
}
