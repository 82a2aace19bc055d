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
// milliseconds, JSON as the text written; one codec, internal/storerow), so both behave alike
// and hashes verify on a copy.
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
	tunePool(cfg)
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
// transaction, up to maxAttempts times in all: fn must be safe to run again. When there is
// no primary (failing over), it runs again too while ctx leaves time (unavailable.go), and
// then fails with an incident.Unavailable error.
func (db *DB) Update(ctx context.Context, fn func(incident.Tx) error) error {
	started := time.Now()
	for attempt := 1; ; {
		err := db.run(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite}, true, fn)
		if db.again(ctx, err, started) {
			continue
		}
		if attempt == maxAttempts || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(rand.Int64N(int64(attempt) * int64(5*time.Millisecond)))):
		}
		attempt++
	}
}

// View runs fn in a read-only transaction on one snapshot, again while there is no
// primary, as Update does.
func (db *DB) View(ctx context.Context, fn func(incident.Tx) error) error {
	started := time.Now()
	for {
		err := db.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, false, fn)
		if !db.again(ctx, err, started) {
			return err
		}
	}
}

// again reports whether a transaction that failed with err should run again because the
// database was unavailable before its commit (after the pause retryUnavailable makes).
func (db *DB) again(ctx context.Context, err error, started time.Time) bool {
	var e *incident.Error
	return errors.As(err, &e) && e.Code == incident.EUNAVAILABLE && !errors.Is(err, errMidCommit) &&
		retryUnavailable(ctx, started)
}

// errMidCommit marks an Unavailable error met during COMMIT, which is never run again.
var errMidCommit = errors.New("the connection broke during COMMIT")

// run runs fn in one transaction on one connection. A failure that says there is no
// primary comes out as incident.Unavailable (incident.UnavailableMidCommit during COMMIT),
// and a connection that met it is not used again.
func (db *DB) run(ctx context.Context, opts pgx.TxOptions, write bool, fn func(incident.Tx) error) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return db.failed(ctx, nil, fmt.Errorf("connect: %w", err), write, false)
	}
	defer conn.Release()
	pgTx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		return db.failed(ctx, conn, fmt.Errorf("begin: %w", err), write, false)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		pgTx.Rollback(rctx)
	}()
	if err := fn(&Tx{tx: pgTx, ctx: ctx, write: write}); err != nil {
		return db.failed(ctx, conn, err, write, false)
	}
	if err := pgTx.Commit(ctx); err != nil {
		return db.failed(ctx, conn, fmt.Errorf("commit: %w", err), write, true)
	}
	return nil
}

// failed is the error that ends a transaction: err, or an incident.Unavailable wrapping it
// when it says there is no primary, after dropping the connection that met it.
func (db *DB) failed(ctx context.Context, conn *pgxpool.Conn, err error, write, committing bool) error {
	if !unavailable(ctx, conn, err, write) {
		return err
	}
	drop(conn, err)
	var e *incident.Error
	if errors.As(err, &e) && e.Code == incident.EUNAVAILABLE {
		return err // fn passed on an Unavailable from a nested call
	}
	if committing {
		return incident.UnavailableMidCommit(errors.Join(err, errMidCommit))
	}
	return incident.Unavailable(err)
}

// retryable reports whether err is PostgreSQL aborting a transaction that may succeed if
// run again: a serialization failure (40001) or a deadlock (40P01).
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}
