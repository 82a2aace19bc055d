package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nephoran/incidentbot/internal/incident"
)

// When the primary fails over (Patroni promotes the standby), the bot has no database for
// a few seconds. A multi-host URL with target_session_attrs=read-write lets pgx find the new
// primary by itself: each new connection tries the hosts in order and keeps the first that
// takes writes. What this file adds:
//
//   - every connection that met such a failure is dropped, never reused: a broken one pgx
//     closes itself; one to a server that went read-only (a demoted primary, SQLSTATE
//     25006) is closed here;
//   - a transaction that failed that way before its commit is run again, after a pause,
//     while its context leaves time to answer (Slack waits 3 s);
//   - what is still failing comes out as incident.Unavailable ("try again in a few seconds"),
//     or incident.UnavailableMidCommit when the connection broke during COMMIT: PostgreSQL
//     may have committed it, so it is not run again here.

// Pool settings that notice a dead primary: a connection idle for over a second is pinged
// when acquired (pgxpool's default) and given pingTimeout to answer; idle ones are checked
// every healthCheckPeriod; a new one gives up on a host after defaultConnectTimeout unless
// the URL sets connect_timeout.
const (
	pingTimeout           = time.Second
	healthCheckPeriod     = 10 * time.Second
	defaultConnectTimeout = 2 * time.Second
)

// Retrying a transaction that found no primary: every unavailablePause, while the context
// has more than answerMargin left (at most unavailableBudget without a deadline).
const (
	unavailablePause  = 200 * time.Millisecond
	answerMargin      = 500 * time.Millisecond
	unavailableBudget = 2 * time.Second
)

// rollbackTimeout bounds the rollback of a failed transaction, which runs without the
// caller's context (it may have expired) on a connection that may be dead.
const rollbackTimeout = time.Second

// tunePool applies the settings above to cfg.
func tunePool(cfg *pgxpool.Config) {
	cfg.PingTimeout = pingTimeout
	cfg.HealthCheckPeriod = healthCheckPeriod
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
}

// readOnlyState is read_only_sql_transaction: a write on a server in recovery (a standby),
// or in a read-only transaction.
const readOnlyState = "25006"

// sqlstates that mean the server cannot take this transaction now, but a primary may soon:
// it went read-only (a standby, or a demoted primary), it is shutting down or starting, or
// the connection failed (class 08).
var unavailableStates = map[string]bool{
	readOnlyState: true,
	"57P01":       true, // admin_shutdown
	"57P02":       true, // crash_shutdown
	"57P03":       true, // cannot_connect_now
}

// unavailable reports whether err, met on conn (nil when none was acquired) in a read-write
// transaction (write) or a read-only one, says there is no primary to talk to rather than
// that the transaction itself was wrong. A domain error that fn returned is never one, nor
// is a write in a read-only transaction (25006 there is the caller's mistake).
func unavailable(ctx context.Context, conn *pgxpool.Conn, err error, write bool) bool {
	if err == nil || errors.Is(err, context.Canceled) && ctx.Err() == context.Canceled {
		return false // the caller gave up
	}
	var de *incident.Error
	if errors.As(err, &de) && de.Code != incident.EINTERNAL {
		return de.Code == incident.EUNAVAILABLE
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if pgErr.Code == readOnlyState && !write {
			return false
		}
		return unavailableStates[pgErr.Code] || strings.HasPrefix(pgErr.Code, "08")
	}
	var connectErr *pgconn.ConnectError
	return conn != nil && conn.Conn().IsClosed() || errors.As(err, &connectErr) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
}

// drop closes conn when err is PostgreSQL refusing writes or going away on a connection
// that is still open, so the pool destroys it on release instead of handing it out again.
func drop(conn *pgxpool.Conn, err error) {
	var pgErr *pgconn.PgError
	if conn == nil || !errors.As(err, &pgErr) || !unavailableStates[pgErr.Code] || conn.Conn().IsClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	conn.Conn().Close(ctx)
}

// retryUnavailable reports whether a transaction that found no primary should run again
// now, after pausing: while ctx has time to spare, and for no longer than
// unavailableBudget after started.
func retryUnavailable(ctx context.Context, started time.Time) bool {
	until := started.Add(unavailableBudget)
	if d, ok := ctx.Deadline(); ok && d.Add(-answerMargin).Before(until) {
		until = d.Add(-answerMargin)
	}
	if time.Now().Add(unavailablePause).After(until) {
		return false
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(unavailablePause):
		return true
	}
}
