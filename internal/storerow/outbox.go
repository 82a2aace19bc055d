package storerow

import (
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// EffectColumns are effects' columns, in the order ScanEffect reads them.
const EffectColumns = `id, incident_id, kind, key, payload, state, attempts, next_attempt_at, last_error, created_at, lane, lane_rank, claim, claimed_until`

// ScanEffect reads an outbox effect.
func ScanEffect(s Scanner) (incident.Effect, error) {
	var (
		e               incident.Effect
		kind, state, pl string
		next, created   int64
		until           int64
	)
	if err := s.Scan(&e.ID, &e.IncidentID, &kind, &e.Key, &pl, &state, &e.Attempts, &next, &e.LastError, &created, &e.Lane, &e.LaneRank,
		&e.Claim, &until); err != nil {
		return e, err
	}
	e.Kind, e.State = incident.EffectKind(kind), incident.EffectState(state)
	e.NextAttemptAt, e.CreatedAt = time.UnixMilli(next), time.UnixMilli(created)
	if until > 0 {
		e.ClaimedUntil = time.UnixMilli(until)
	}
	var err error
	if e.Payload, err = incident.UnmarshalPayload(pl); err != nil {
		return e, fmt.Errorf("effect %s: payload: %w", e.Key, err)
	}
	return e, nil
}

// FollowupColumns are followups' columns, in the order ScanFollowup reads them.
const FollowupColumns = `id, incident_id, text, owner, created_by, created_at, issue_url, issue_number, done_at, done_by, outcome`

// ScanFollowup reads a follow-up.
func ScanFollowup(s Scanner) (incident.Followup, error) {
	var f incident.Followup
	var created, done string
	if err := s.Scan(&f.ID, &f.IncidentID, &f.Text, &f.Owner, &f.CreatedBy, &created, &f.IssueURL, &f.IssueNumber,
		&done, &f.DoneBy, &f.Outcome); err != nil {
		return f, err
	}
	var err error
	if f.CreatedAt, err = ParseTime(created); err != nil {
		return f, err
	}
	if f.DoneAt, err = ParseTime(done); err != nil {
		return f, err
	}
	return f, nil
}
