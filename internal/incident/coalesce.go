package incident

import "fmt"

// Coalescing: a card (the incident's, a run's, a step's) and a channel topic show the state
// as it is when they are sent, so when several refreshes of one are queued, only one needs
// sending. Their kinds have a lane each (lane.go), so refreshes of one card go one at a
// time; the delivery of one reads, before the state it renders, the refreshes queued behind
// it, and once it has succeeded marks them done, their last error saying which delivery
// sent their state. Each change they followed is on the timeline already; the card_updated
// (or topic_set) event of the delivery records what was sent.

// SupersededPrefix starts the last error of an effect marked done without a delivery of its
// own, because a later delivery of its card sent the state it would have.
const SupersededPrefix = "superseded: "

// queuedBehind returns the IDs of the effects of e's kind pending behind it in its lane,
// when its kind coalesces. Read before the state e's delivery renders, everything they
// followed is in that state.
func queuedBehind(tx Tx, e *Effect) ([]int64, error) {
	if !e.Kind.spec().coalesce || e.Lane == "" {
		return nil, nil
	}
	pending, err := tx.PendingInLane(e.Lane)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, p := range pending {
		if p.ID != e.ID && p.Kind == e.Kind {
			ids = append(ids, p.ID)
		}
	}
	return ids, nil
}

// supersede marks done the effects ids that e's delivery made needless, saying so on each.
func supersede(tx Tx, e *Effect, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	note := fmt.Sprintf("%snot sent: %s, delivered after it was queued, sent the state it would have", SupersededPrefix, e.Key)
	if _, err := tx.SupersedeEffects(ids, note); err != nil {
		return fmt.Errorf("supersede the refreshes queued behind %s: %w", e.Key, err)
	}
	return nil
}
