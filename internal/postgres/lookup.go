package postgres

import (
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
