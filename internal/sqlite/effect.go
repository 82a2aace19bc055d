package sqlite

import (
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// claimable is the condition on a pending effect e that it may be delivered now: due, and
// first in its lane (no earlier effect of the lane pending or inflight).
const claimable = `e.state = 'pending' AND e.next_attempt_at <= ? AND ` + firstInLane

// lapsed is the condition on an inflight effect e that its claim lapsed at now (its
// holder died or hangs): any replica may take it over.
const lapsed = `e.state = 'inflight' AND e.claimed_until <= ?`

// firstInLane: no earlier effect of e's lane is pending or inflight.
const firstInLane = `(e.lane = '' OR NOT EXISTS (
	SELECT 1 FROM effects b WHERE b.lane = e.lane AND b.lane <> '' AND b.state IN ('pending', 'inflight')
	  AND (b.lane_rank < e.lane_rank OR (b.lane_rank = e.lane_rank AND b.id < e.id))))`

// Enqueue inserts e unless an effect with its key exists, and reports whether it did.
func (t *Tx) Enqueue(e *incident.Effect) (bool, error) {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO effects (incident_id, kind, key, payload, state, attempts, next_attempt_at, last_error, created_at, lane, lane_rank, priority)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		e.IncidentID, string(e.Kind), e.Key, e.Payload.MarshalPayload(), string(e.State), e.Attempts,
		e.NextAttemptAt.UnixMilli(), e.LastError, e.CreatedAt.UnixMilli(), e.Lane, e.LaneRank, int(e.Priority))
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", e.Key, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	e.ID, err = res.LastInsertId()
	return true, err
}

// ClaimEffects claims up to limit effects for lease, in storerow.ClaimOrder (critical ones
// first, then the oldest due): pending ones due at now that are first in their lane, and
// inflight ones whose claim lapsed (the takeover counts as an attempt, so the handler first
// looks for what the dead delivery made). Each claimed effect takes the next claim token.
// Once a newer binary has migrated the database it claims nothing and returns a
// *incident.SchemaTooNewError.
func (t *Tx) ClaimEffects(now time.Time, limit int, lease time.Duration) ([]incident.Effect, error) {
	return t.ClaimPriority(now, incident.PriorityNormal, limit, lease)
}

// ClaimPriority claims like ClaimEffects, but only effects of priority min or higher.
func (t *Tx) ClaimPriority(now time.Time, min incident.Priority, limit int, lease time.Duration) ([]incident.Effect, error) {
	if err := schemaCurrent(t.ctx, t.tx); err != nil {
		return nil, err
	}
	rows, err := t.tx.QueryContext(t.ctx, `UPDATE effects SET
			attempts = attempts + (CASE WHEN state = 'inflight' THEN 1 ELSE 0 END),
			last_error = CASE WHEN state = 'inflight' THEN ? ELSE last_error END,
			state = 'inflight', claim = claim + 1, claimed_until = ?
		WHERE id IN (SELECT e.id FROM effects e WHERE ((`+claimable+`) OR (`+lapsed+`)) AND e.priority >= ?
		             ORDER BY `+storerow.ClaimOrder+` LIMIT ?)
		RETURNING `+storerow.EffectColumns, incident.LapsedClaim, now.Add(lease).UnixMilli(), now.UnixMilli(), now.UnixMilli(), int(min), limit)
	if err != nil {
		return nil, fmt.Errorf("claim effects: %w", err)
	}
	out, err := scanEffects(rows)
	if err != nil {
		return nil, err
	}
	storerow.SortClaimed(out) // RETURNING keeps no order
	return out, nil
}

// SaveEffect stores e's state, attempts, next attempt and last error, if e still holds its
// claim; a delivery whose claim another took over gets LostClaim and changes nothing.
func (t *Tx) SaveEffect(e *incident.Effect) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE effects SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?
		WHERE id = ? AND claim = ?`,
		string(e.State), e.Attempts, e.NextAttemptAt.UnixMilli(), e.LastError, e.ID, e.Claim)
	if err != nil {
		return fmt.Errorf("save effect %s: %w", e.Key, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return incident.LostClaim(e)
	}
	return nil
}

// RenewClaim extends e's claim to until, if e is inflight and still holds it.
func (t *Tx) RenewClaim(e *incident.Effect, until time.Time) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE effects SET claimed_until = ? WHERE id = ? AND claim = ? AND state = 'inflight'`,
		until.UnixMilli(), e.ID, e.Claim)
	if err != nil {
		return fmt.Errorf("renew the claim of %s: %w", e.Key, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return incident.LostClaim(e)
	}
	e.ClaimedUntil = until
	return nil
}

// NextEffectDue returns when the earliest pending effect that is first in its lane is due,
// or an inflight one's claim lapses, or the zero time. (One waiting behind another in its
// lane is not due before it.)
func (t *Tx) NextEffectDue() (time.Time, error) {
	var ms sql.NullInt64
	// A claim that lapses makes its effect claimable too (another replica's, or a hung one).
	if err := t.tx.QueryRowContext(t.ctx, `SELECT min(due) FROM (
			SELECT min(e.next_attempt_at) AS due FROM effects e WHERE `+claimable+`
			UNION ALL SELECT min(claimed_until) FROM effects WHERE state = 'inflight' AND claimed_until > 0)`,
		int64(math.MaxInt64)).Scan(&ms); err != nil {
		return time.Time{}, err
	}
	if !ms.Valid {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms.Int64), nil
}

// ReleaseInflight turns inflight effects back into pending ones and returns how many. The
// interrupted delivery counts as an attempt, so the next one first checks whether it
// succeeded.
func (t *Tx) ReleaseInflight() (int, error) {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE effects SET state = 'pending', attempts = attempts + 1,
		last_error = 'interrupted: the bot stopped during delivery' WHERE state = 'inflight'`)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// WakeParked makes the pending effects of kinds that were parked due at now.
func (t *Tx) WakeParked(kinds []incident.EffectKind, now time.Time) (int, error) {
	if len(kinds) == 0 {
		return 0, nil
	}
	// A prefix compared with substr, not LIKE: SQLite's LIKE ignores the case of ASCII
	// letters, and "PARKED: " does not start with ParkedPrefix.
	args := []any{now.UnixMilli(), now.UnixMilli(), utf8.RuneCountInString(incident.ParkedPrefix), incident.ParkedPrefix}
	marks := make([]string, len(kinds))
	for i, k := range kinds {
		marks[i], args = "?", append(args, string(k))
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE effects SET next_attempt_at = ?
		WHERE state = 'pending' AND next_attempt_at > ? AND substr(last_error, 1, ?) = ? AND kind IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("wake effects: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Effects returns the incident's effects in creation order.
func (t *Tx) Effects(incidentID int64) ([]incident.Effect, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+storerow.EffectColumns+` FROM effects WHERE incident_id = ? ORDER BY id`, incidentID)
	if err != nil {
		return nil, err
	}
	return scanEffects(rows)
}

func scanEffects(rows *sql.Rows) ([]incident.Effect, error) {
	defer rows.Close()
	var out []incident.Effect
	for rows.Next() {
		e, err := storerow.ScanEffect(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
