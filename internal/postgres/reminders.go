package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReminderPosted reports whether the drill reminder key was posted.
func (t *Tx) ReminderPosted(key string) (bool, error) {
	var at int64
	err := t.tx.QueryRow(t.ctx, `SELECT posted_at FROM drill_reminders WHERE key = $1`, key).Scan(&at)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("reminder posted: %w", err)
	}
	return true, nil
}

// MarkReminderPosted records that the drill reminder key was posted at at.
func (t *Tx) MarkReminderPosted(key string, at time.Time) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO drill_reminders (key, posted_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("mark reminder posted: %w", err)
	}
	return nil
}
