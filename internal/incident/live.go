package incident

import "context"

// LiveChange is one change to an incident that a page showing it may have to show: a
// timeline event, a change to its row, roles, pages, services or runs. Seq tells one change
// from another; it says nothing of the order they were made in.
type LiveChange struct {
	Seq        int64
	IncidentID int64
}

// LiveTx reads the log of changes the live pages follow (internal/web's notifier).
type LiveTx interface {
	// LiveChanges returns the changes made since the read that returned position from, and
	// the position of this read; with from 0, only the position. A change may come again
	// in the read after the one that first returned it (PostgreSQL's position is the
	// oldest transaction still running), but once a read leaves it out no later read
	// returns it. The store forgets changes older than an hour.
	LiveChanges(from int64) (changes []LiveChange, next int64, err error)
}

// LiveChanges reads the changes made since position from (see LiveTx). Errors: StoreFailed.
func (s *Service) LiveChanges(ctx context.Context, from int64) (changes []LiveChange, next int64, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		changes, next, err = tx.LiveChanges(from)
		return err
	})
	if err != nil {
		return nil, 0, StoreFailed(err)
	}
	return changes, next, nil
}
