package postgres

import (
	"encoding/json"
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// AddRunStep appends a step to its run (an undo's inverse step) and sets its ID.
func (t *Tx) AddRunStep(s *incident.RunStep) error {
	spec, err := json.Marshal(s.Spec)
	if err != nil {
		return err
	}
	err = t.tx.QueryRow(t.ctx, `INSERT INTO run_steps (run_id, seq, phase, phase_name, phase_after, phase_within, spec, state,
		requested_by, updated_at, prior) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, s.RunID, s.Seq, s.Phase,
		s.PhaseName, s.PhaseAfter.Milliseconds(), s.PhaseWithin.Milliseconds(), string(spec), string(s.State), s.RequestedBy,
		storerow.FormatTime(s.UpdatedAt), storerow.FormatPrior(s.Prior)).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("add run step %d: %w", s.Seq, err)
	}
	return nil
}
