// Package postgres implements incidentbot's Store over PostgreSQL (github.com/jackc/pgx/v5),
// for several replicas sharing one database: embedded versioned migrations applied under a
// transaction-scoped lock, writes in READ COMMITTED transactions that lock what they change
// (an incident's row, the numbering row, the effects they claim with SKIP LOCKED) and are
// retried whole on a serialization failure or a deadlock, reads in read-only snapshots.
//
// It works behind PgBouncer in transaction pooling: no session state (no session advisory
// locks, no LISTEN/NOTIFY), and by default no named prepared statements (pgx's exec mode;
// a default_query_exec_mode parameter in the URL overrides it).
//
// Values are stored as internal/sqlite stores them (times as millisecond UTC text or unix
// milliseconds, JSON as the text written), so both behave alike and hashes verify on a copy.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nephoran/incidentbot/internal/incident"
)

// DB is an open database: a pool of connections.
type DB struct {
	pool *pgxpool.Pool
}

var _ incident.Store = (*DB)(nil)

// maxAttempts is how many times Update runs fn when PostgreSQL aborts the transaction for a
// serialization failure or a deadlock.
const maxAttempts = 5

// Open connects to the database at url (postgres://...) and applies pending migrations. It
// returns a *SchemaTooNewError when the database was migrated by a newer binary.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if !strings.Contains(url, "default_query_exec_mode") {
		// No named prepared statements: they do not survive PgBouncer's transaction pooling.
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(cfg), err)
	}
	db := &DB{pool: pool}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// redact names the database without its password.
func redact(cfg *pgxpool.Config) string {
	return fmt.Sprintf("postgres database %s on %s", cfg.ConnConfig.Database, cfg.ConnConfig.Host)
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Update runs fn in one read-write transaction and commits it if fn returns nil. When
// PostgreSQL aborts it for a serialization failure or a deadlock, fn runs again, in a new
// transaction, up to maxAttempts times in all: fn must be safe to run again.
func (db *DB) Update(ctx context.Context, fn func(incident.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.run(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite}, true, fn)
		if attempt == maxAttempts || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(rand.Int64N(int64(attempt) * int64(5*time.Millisecond)))):
		}
	}
}

// View runs fn in a read-only transaction on one snapshot.
func (db *DB) View(ctx context.Context, fn func(incident.Tx) error) error {
	return db.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, false, fn)
}

func (db *DB) run(ctx context.Context, opts pgx.TxOptions, write bool, fn func(incident.Tx) error) error {
	pgTx, err := db.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer pgTx.Rollback(context.WithoutCancel(ctx))
	if err := fn(&Tx{tx: pgTx, ctx: ctx, write: write}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// retryable reports whether err is PostgreSQL aborting a transaction that may succeed if
// run again: a serialization failure (40001) or a deadlock (40P01).
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}
