package postgres

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
)

const effectColumns = `id, incident_id, kind, key, payload, state, attempts, next_attempt_at, last_error, created_at, lane, lane_rank`

// claimable is the condition on a pending effect e that it may be delivered at $1: due, and
// first in its lane (no earlier effect of the lane pending or inflight).
const claimable = `e.state = 'pending' AND e.next_attempt_at <= $1 AND (e.lane = '' OR NOT EXISTS (
	SELECT 1 FROM effects b WHERE b.lane = e.lane AND b.lane <> '' AND b.state IN ('pending', 'inflight')
	  AND (b.lane_rank < e.lane_rank OR (b.lane_rank = e.lane_rank AND b.id < e.id))))`

// Enqueue inserts e unless an effect with its key exists, and reports whether it did. Of
// concurrent transactions enqueueing one key, one inserts it.
func (t *Tx) Enqueue(e *incident.Effect) (bool, error) {
	var id int64
	err := t.tx.QueryRow(t.ctx, `INSERT INTO effects (incident_id, kind, key, payload, state, attempts, next_attempt_at, last_error, created_at, lane, lane_rank)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (key) DO NOTHING RETURNING id`,
		e.IncidentID, string(e.Kind), e.Key, e.Payload.MarshalPayload(), string(e.State), e.Attempts,
		e.NextAttemptAt.UnixMilli(), e.LastError, e.CreatedAt.UnixMilli(), e.Lane, e.LaneRank).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", e.Key, err)
	}
	e.ID = id
	return true, nil
}

// ClaimEffects marks up to limit pending effects due at now as inflight, oldest due first,
// each the first of its lane. Rows another transaction holds are skipped (SKIP LOCKED), so
// concurrent claimers on several replicas never claim one effect twice and never wait.
func (t *Tx) ClaimEffects(now time.Time, limit int) ([]incident.Effect, error) {
	rows, err := t.tx.Query(t.ctx, `WITH c AS (
			SELECT e.id FROM effects e WHERE `+claimable+`
			ORDER BY e.next_attempt_at, e.id LIMIT $2 FOR UPDATE OF e SKIP LOCKED)
		UPDATE effects SET state = 'inflight' FROM c WHERE effects.id = c.id
		RETURNING `+qualified("effects", effectColumns), now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("claim effects: %w", err)
	}
	out, err := scanEffects(rows)
	if err != nil {
		return nil, fmt.Errorf("claim effects: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.NextAttemptAt.Equal(b.NextAttemptAt) {
			return a.NextAttemptAt.Before(b.NextAttemptAt)
		}
		return a.ID < b.ID
	})
	return out, nil
}

// SaveEffect stores e's state, attempts, next attempt and last error.
func (t *Tx) SaveEffect(e *incident.Effect) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE effects SET state = $1, attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $5`,
		string(e.State), e.Attempts, e.NextAttemptAt.UnixMilli(), e.LastError, e.ID)
	if err != nil {
		return fmt.Errorf("save effect %s: %w", e.Key, err)
	}
	return nil
}

// NextEffectDue returns when the earliest pending effect that is first in its lane is due,
// or the zero time. (One waiting behind another in its lane is not due before it.)
func (t *Tx) NextEffectDue() (time.Time, error) {
	var ms *int64
	if err := t.tx.QueryRow(t.ctx, `SELECT min(e.next_attempt_at) FROM effects e WHERE `+claimable, int64(math.MaxInt64)).Scan(&ms); err != nil {
		return time.Time{}, err
	}
	if ms == nil {
		return time.Time{}, nil
	}
	return time.UnixMilli(*ms), nil
}

// ReleaseInflight turns inflight effects back into pending ones and returns how many. The
// interrupted delivery counts as an attempt, so the next one first checks whether it
// succeeded.
func (t *Tx) ReleaseInflight() (int, error) {
	tag, err := t.tx.Exec(t.ctx, `UPDATE effects SET state = 'pending', attempts = attempts + 1,
		last_error = 'interrupted: the bot stopped during delivery' WHERE state = 'inflight'`)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// WakeParked makes the pending effects of kinds that were parked due at now.
func (t *Tx) WakeParked(kinds []incident.EffectKind, now time.Time) (int, error) {
	if len(kinds) == 0 {
		return 0, nil
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	tag, err := t.tx.Exec(t.ctx, `UPDATE effects SET next_attempt_at = $1
		WHERE state = 'pending' AND next_attempt_at > $1 AND starts_with(last_error, $2) AND kind = ANY($3)`,
		now.UnixMilli(), incident.ParkedPrefix, names)
	if err != nil {
		return 0, fmt.Errorf("wake effects: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Effects returns the incident's effects in creation order.
func (t *Tx) Effects(incidentID int64) ([]incident.Effect, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT `+effectColumns+` FROM effects WHERE incident_id = $1 ORDER BY id`, incidentID)
	if err != nil {
		return nil, err
	}
	return scanEffects(rows)
}

func scanEffects(rows pgx.Rows) ([]incident.Effect, error) {
	defer rows.Close()
	var out []incident.Effect
	for rows.Next() {
		var (
			e               incident.Effect
			kind, state, pl string
			next, created   int64
		)
		if err := rows.Scan(&e.ID, &e.IncidentID, &kind, &e.Key, &pl, &state, &e.Attempts, &next, &e.LastError, &created, &e.Lane, &e.LaneRank); err != nil {
			return nil, err
		}
		e.Kind, e.State = incident.EffectKind(kind), incident.EffectState(state)
		e.NextAttemptAt, e.CreatedAt = time.UnixMilli(next), time.UnixMilli(created)
		var err error
		if e.Payload, err = incident.UnmarshalPayload(pl); err != nil {
			return nil, fmt.Errorf("effect %s: payload: %w", e.Key, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
