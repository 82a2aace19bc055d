package incident

// LookupTx is the bounded lookups of the paths that answer a person: each reads through an
// index what it needs, however long the history or the incident's timeline.
type LookupTx interface {
	// IncidentByNumber returns the incident numbered n (locked in a write transaction, as
	// Incident is). Errors: ENOTFOUND.
	IncidentByNumber(n int) (*Incident, error)
	// EffectsOfKind returns the incident's effects of this kind, oldest first.
	EffectsOfKind(incidentID int64, kind EffectKind) ([]Effect, error)
}
