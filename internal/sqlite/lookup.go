package sqlite

import (
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
