package storerow

import (
	"fmt"
	"sort"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// EffectColumns are effects' columns, in the order ScanEffect reads them.
const EffectColumns = `id, incident_id, kind, key, payload, state, attempts, next_attempt_at, last_error, created_at, lane, lane_rank, claim, claimed_until, priority`

// ClaimOrder is the order in which both stores claim due effects (of effects aliased e):
// higher priorities first, then the earliest due, then the order of commit.
const ClaimOrder = `e.priority DESC, e.next_attempt_at, e.id`

// SortClaimed puts claimed effects in ClaimOrder (a store whose UPDATE ... RETURNING does
// not keep it).
func SortClaimed(effs []incident.Effect) {
	sort.SliceStable(effs, func(i, j int) bool {
		a, b := effs[i], effs[j]
		switch {
		case a.Priority != b.Priority:
			return a.Priority > b.Priority
		case !a.NextAttemptAt.Equal(b.NextAttemptAt):
			return a.NextAttemptAt.Before(b.NextAttemptAt)
		}
		return a.ID < b.ID
	})
}

// ScanEffect reads an outbox effect.
func ScanEffect(s Scanner) (incident.Effect, error) {
	var (
		e               incident.Effect
		kind, state, pl string
		next, created   int64
		until           int64
		priority        int
	)
	if err := s.Scan(&e.ID, &e.IncidentID, &kind, &e.Key, &pl, &state, &e.Attempts, &next, &e.LastError, &created, &e.Lane, &e.LaneRank,
		&e.Claim, &until, &priority); err != nil {
		return e, err
	}
	e.Kind, e.State, e.Priority = incident.EffectKind(kind), incident.EffectState(state), incident.Priority(priority)
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
