package postgres

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// PendingInLane returns the pending effects of lane (not "": no lane), in lane order.
func (t *Tx) PendingInLane(lane string) ([]incident.Effect, error) {
	if lane == "" {
		return nil, nil
	}
	rows, err := t.tx.Query(t.ctx, `SELECT `+storerow.EffectColumns+` FROM effects
		WHERE lane = $1 AND lane <> '' AND state IN ('pending', 'inflight') AND state = 'pending' ORDER BY lane_rank, id`, lane) // the first terms are effects_lane's
	if err != nil {
		return nil, fmt.Errorf("pending effects of lane %s: %w", lane, err)
	}
	return scanEffects(rows)
}

// SupersedeEffects marks done, with note as their last error, those of the effects ids that
// are still pending, and returns how many it marked.
func (t *Tx) SupersedeEffects(ids []int64, note string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	tag, err := t.tx.Exec(t.ctx, `UPDATE effects SET state = 'done', last_error = $1
		WHERE state = 'pending' AND id = ANY($2)`, note, ids)
	if err != nil {
		return 0, fmt.Errorf("supersede effects: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
