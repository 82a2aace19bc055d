package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/nephoran/incidentbot/internal/incident"
)

// DutyHold bounds one pass of a duty: its context ends after this long. The transaction
// that holds the duty's lock is idle meanwhile (the duty talks to Slack or GitHub), so the
// server ends it a little later (idle_in_transaction_session_timeout) if this replica
// hangs, and the lock is free again.
const DutyHold = 2 * time.Minute

var _ incident.Duties = (*DB)(nil)

// Duty runs fn holding the lock of the duty name, GoAlert's processing lock: a transaction
// takes the migration lock shared without waiting (a migration holds it exclusively), checks
// the schema version, then locks the duty's row FOR UPDATE NOWAIT. Another replica that
// holds the row makes NOWAIT fail with 55P03 and this pass is skipped. The lock is the
// transaction's, so it ends when the transaction does (committed, rolled back, or its
// connection lost), and it works behind PgBouncer in transaction pooling.
func (db *DB) Duty(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	if _, err := db.pool.Exec(ctx, `INSERT INTO duties (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, name); err != nil {
		return false, fmt.Errorf("duty %s: %w", name, err)
	}
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return false, fmt.Errorf("duty %s: begin: %w", name, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	idle := strconv.FormatInt((DutyHold + 30*time.Second).Milliseconds(), 10)
	if _, err := tx.Exec(ctx, `SELECT set_config('idle_in_transaction_session_timeout', $1, true), set_config('lock_timeout', '5000', true)`, idle); err != nil {
		return false, fmt.Errorf("duty %s: %w", name, err)
	}
	if free, err := standBy(ctx, tx); !free || err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM duties WHERE name = $1 FOR UPDATE NOWAIT`, name); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available: another replica has it
			return false, nil
		}
		return false, fmt.Errorf("duty %s: lock: %w", name, err)
	}
	passCtx, cancel := context.WithTimeout(ctx, DutyHold)
	defer cancel()
	if err := fn(passCtx); err != nil {
		return true, err
	}
	if err := tx.Commit(ctx); err != nil {
		return true, fmt.Errorf("duty %s: release: %w", name, err)
	}
	return true, nil
}
