package sqlite

import (
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// IncidentByNumber returns the incident numbered n, through the unique index on number.
// Errors: ENOTFOUND.
func (t *Tx) IncidentByNumber(n int) (*incident.Incident, error) {
	return t.oneIncident(`WHERE number = ?`, n)
}

// EffectsOfKind returns the incident's effects of one kind, oldest first, through the
// index on (incident_id, kind).
func (t *Tx) EffectsOfKind(incidentID int64, kind incident.EffectKind) ([]incident.Effect, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+storerow.EffectColumns+` FROM effects WHERE incident_id = ? AND kind = ? ORDER BY id`, incidentID, string(kind))
	if err != nil {
		return nil, err
	}
	return scanEffects(rows)
}

// RepeatCandidates returns, ascending, the IDs of the incidents declarer declared at or
// after since whose title equals title but for case (lower()), through the index on
// (declared_by, declared_at).
func (t *Tx) RepeatCandidates(declarer, title string, since time.Time) ([]int64, error) {
	return t.ids(`SELECT id FROM incidents WHERE declared_by = ? AND declared_at >= ? AND lower(title) = lower(?) ORDER BY id`,
		declarer, storerow.FormatTime(since), title)
}
