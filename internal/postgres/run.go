package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// CreateRun inserts a run and its steps, and sets their IDs.
func (t *Tx) CreateRun(r *incident.Run) error {
	params, _ := json.Marshal(r.Params)
	err := t.tx.QueryRow(t.ctx, `INSERT INTO runs (incident_id, playbook, title, params, started_by, started_at, card_ts)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, r.IncidentID, r.Playbook, r.Title, string(params), r.StartedBy,
		storerow.FormatTime(r.StartedAt), r.CardTS).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	for i := range r.Steps {
		s := &r.Steps[i]
		s.RunID = r.ID
		spec, _ := json.Marshal(s.Spec)
		err := t.tx.QueryRow(t.ctx, `INSERT INTO run_steps (run_id, seq, phase, phase_name, phase_after, phase_within, spec, state, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, r.ID, s.Seq, s.Phase, s.PhaseName, s.PhaseAfter.Milliseconds(),
			s.PhaseWithin.Milliseconds(), string(spec), string(s.State), storerow.FormatTime(s.UpdatedAt)).Scan(&s.ID)
		if err != nil {
			return fmt.Errorf("create run step %d: %w", s.Seq, err)
		}
	}
	return nil
}

// UpdateRun stores the run's card.
func (t *Tx) UpdateRun(r *incident.Run) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE runs SET card_ts = $1 WHERE id = $2`, r.CardTS, r.ID)
	if err != nil {
		return fmt.Errorf("update run %d: %w", r.ID, err)
	}
	return nil
}

// Run returns a run with its steps in order. Errors: ENOTFOUND.
func (t *Tx) Run(id int64) (*incident.Run, error) {
	r, err := storerow.ScanRun(t.tx.QueryRow(t.ctx, `SELECT `+storerow.RunColumns+` FROM runs WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, incident.Errorf(incident.ENOTFOUND, "No such playbook run.")
	}
	if err != nil {
		return nil, err
	}
	if r.Steps, err = t.steps(`WHERE run_id = $1 ORDER BY seq`, id); err != nil {
		return nil, err
	}
	return r, nil
}

// Runs returns the incident's runs, with their steps, oldest first.
func (t *Tx) Runs(incidentID int64) ([]incident.Run, error) {
	ids, err := t.ids(`SELECT id FROM runs WHERE incident_id = $1 ORDER BY id`, incidentID)
	if err != nil {
		return nil, err
	}
	var out []incident.Run
	for _, id := range ids {
		r, err := t.Run(id)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}

// UpdateRunStep stores a step's state and what happened to it.
func (t *Tx) UpdateRunStep(s *incident.RunStep) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE run_steps SET state = $1, requested_by = $2, approved_by = $3, decided_by = $4,
		attempts = $5, output = $6, card_ts = $7, updated_at = $8, plan = $9, planned_at = $10, approved_at = $11,
		approved_plan = $12, break_glass = $13, break_glasses = $14, voided = $15, plan_change = $16, prior = $17 WHERE id = $18`,
		string(s.State), s.RequestedBy, s.ApprovedBy, s.DecidedBy, s.Attempts, s.Output, s.CardTS, storerow.FormatTime(s.UpdatedAt),
		s.Plan, storerow.FormatTime(s.PlannedAt), storerow.FormatTime(s.ApprovedAt), s.ApprovedPlan,
		s.BreakGlass, s.BreakGlasses, s.Voided, s.PlanChange, storerow.FormatPrior(s.Prior), s.ID)
	if err != nil {
		return fmt.Errorf("update run step %d: %w", s.ID, err)
	}
	return nil
}

// RunStepRef returns the run of a step. Errors: ENOTFOUND.
func (t *Tx) RunStepRef(id int64) (int64, error) {
	var runID int64
	err := t.tx.QueryRow(t.ctx, `SELECT run_id FROM run_steps WHERE id = $1`, id).Scan(&runID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, incident.Errorf(incident.ENOTFOUND, "No such playbook step.")
	}
	return runID, err
}

// StepsInState returns every step in state, across runs.
func (t *Tx) StepsInState(state incident.StepState) ([]incident.RunStep, error) {
	return t.steps(`WHERE state = $1 ORDER BY id`, string(state))
}

const stepColumns = `id, run_id, seq, phase, phase_name, phase_after, phase_within, spec, state, requested_by,
	approved_by, decided_by, attempts, output, card_ts, updated_at, plan, planned_at, approved_at, approved_plan,
	break_glass, break_glasses, voided, plan_change, prior`

func (t *Tx) steps(where string, arg any) ([]incident.RunStep, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT `+stepColumns+` FROM run_steps `+where, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incident.RunStep
	for rows.Next() {
		var (
			s                 incident.RunStep
			after, within     int64
			spec, state, upd  string
			planned, approved string
			prior             string
		)
		if err := rows.Scan(&s.ID, &s.RunID, &s.Seq, &s.Phase, &s.PhaseName, &after, &within, &spec, &state,
			&s.RequestedBy, &s.ApprovedBy, &s.DecidedBy, &s.Attempts, &s.Output, &s.CardTS, &upd, &s.Plan, &planned,
			&approved, &s.ApprovedPlan, &s.BreakGlass, &s.BreakGlasses, &s.Voided, &s.PlanChange, &prior); err != nil {
			return nil, err
		}
		s.PhaseAfter, s.PhaseWithin = time.Duration(after)*time.Millisecond, time.Duration(within)*time.Millisecond
		s.State = incident.StepState(state)
		if err := json.Unmarshal([]byte(spec), &s.Spec); err != nil {
			return nil, fmt.Errorf("run step %d: %w", s.ID, err)
		}
		if s.UpdatedAt, err = storerow.ParseTime(upd); err != nil {
			return nil, err
		}
		if s.PlannedAt, err = storerow.ParseTime(planned); err != nil {
			return nil, err
		}
		if s.ApprovedAt, err = storerow.ParseTime(approved); err != nil {
			return nil, err
		}
		if s.Prior, err = storerow.ParsePrior(prior); err != nil {
			return nil, fmt.Errorf("run step %d: %w", s.ID, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
