package incident

import "context"

// Priority says which effects the outbox delivers first when more are due than it has
// workers for. The critical path of a new incident (its channel, the card, the topic, the
// declarer's invite and the pages) is critical: it is claimed before any other effect due,
// a few workers are kept for it (Outbox.Reserved), and the Slack budget keeps a share of
// each method's allowance for it. Everything else (card updates, on-call lookups, topic
// refreshes, reminders, announcements, notes) is normal and keeps its order of due time.
type Priority int

// The priorities, lowest first.
const (
	PriorityNormal   Priority = 0
	PriorityCritical Priority = 1
)

// priorityOf returns the priority of a new effect of kind with its key's discriminator.
func priorityOf(kind EffectKind, discriminator string) Priority {
	switch {
	case kind == EffectCreateChannel, kind == EffectPostCard, kind == EffectPage,
		kind == EffectInvite && discriminator == "declarer",
		kind == EffectSetTopic && discriminator == "initial":
		return PriorityCritical
	}
	return PriorityNormal
}

type priorityKey struct{}

// WithPriority marks ctx as the delivery of an effect of priority p, so that adapters that
// keep a budget of calls (slackapi) know who calls and how urgently.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

// PriorityFrom returns the priority ctx was marked with, and false for a call that is not
// an outbox delivery (a request handler's, which must not wait).
func PriorityFrom(ctx context.Context) (Priority, bool) {
	p, ok := ctx.Value(priorityKey{}).(Priority)
	return p, ok
}
