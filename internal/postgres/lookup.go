package postgres

import (
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// IncidentByNumber returns the incident numbered n (locked in a write transaction),
// through the unique index on number. Errors: ENOTFOUND.
func (t *Tx) IncidentByNumber(n int) (*incident.Incident, error) {
	return t.oneIncident(`WHERE number = $1`+t.forUpdate(), n)
}

// EffectsOfKind returns the incident's effects of one kind, oldest first, through the
// index on (incident_id, kind).
func (t *Tx) EffectsOfKind(incidentID int64, kind incident.EffectKind) ([]incident.Effect, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT `+storerow.EffectColumns+` FROM effects WHERE incident_id = $1 AND kind = $2 ORDER BY id`, incidentID, string(kind))
	if err != nil {
		return nil, err
	}
	return scanEffects(rows)
}

// RepeatCandidates returns, ascending, the IDs of the incidents declarer declared at or
// after since whose title equals title but for case (lower()), through the index on
// (declared_by, declared_at). In a write transaction it takes the incidents' set lock
// first, as IncidentIDsSince does: of two declarations racing, the second sees the first.
func (t *Tx) RepeatCandidates(declarer, title string, since time.Time) ([]int64, error) {
	if err := t.lockIncidentSet(); err != nil {
		return nil, err
	}
	return t.ids(`SELECT id FROM incidents WHERE declared_by = $1 AND declared_at >= $2 AND lower(title) = lower($3) ORDER BY id`,
		declarer, storerow.FormatTime(since), title)
}
