package incident

import "time"

// LookupTx is the bounded lookups of the paths that answer a person: each reads through an
// index what it needs, however long the history or the incident's timeline.
type LookupTx interface {
	// IncidentByNumber returns the incident numbered n (locked in a write transaction, as
	// Incident is). Errors: ENOTFOUND.
	IncidentByNumber(n int) (*Incident, error)
	// EffectsOfKind returns the incident's effects of this kind, oldest first.
	EffectsOfKind(incidentID int64, kind EffectKind) ([]Effect, error)
	// RepeatCandidates returns, ascending, the IDs of the incidents declarer declared at or
	// after since whose title equals title but for the case of ASCII letters (the store may
	// also match other case differences): the only ones a repeated declaration can be.
	RepeatCandidates(declarer, title string, since time.Time) ([]int64, error)
}
