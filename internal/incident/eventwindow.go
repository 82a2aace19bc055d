package incident

import (
	"context"
	"slices"
)

// EventWindow picks a run of an incident's events: from the oldest (or, with Newest, from
// the newest back), skip Offset events and take at most Limit, without or with the bot's
// housekeeping. The events come back in sequence order either way. A window reads only
// what it returns, however long the timeline: paged replies and the review use it instead
// of reading every event.
type EventWindow struct {
	Offset, Limit int
	Newest        bool // count Offset and Limit from the newest event backwards
	Housekeeping  bool // include the bot's housekeeping events (EventKind.Housekeeping)
}

// EventWindowTx reads windows of a timeline (both stores implement it as part of Tx).
type EventWindowTx interface {
	// EventsIn returns the incident's events in window w, in sequence order (none when w
	// starts past the end; a Limit of 0 or less returns none).
	EventsIn(incidentID int64, w EventWindow) ([]TimelineEvent, error)
	// CountEvents counts the incident's events, with or without the bot's housekeeping.
	CountEvents(incidentID int64, housekeeping bool) (int, error)
}

// HousekeepingKinds are the event kinds whose Housekeeping is true: the bot's posts, card
// updates, topics and pins, which timelines leave out unless asked (stores filter by them).
func HousekeepingKinds() []EventKind { return slices.Clone(housekeepingKinds) }

var housekeepingKinds = []EventKind{EventTopicSet, EventCardPinned, EventCardUpdated, EventMessagePosted}

// TimelineWindow returns the incident's events in window w, and how many events its
// timeline has with or without housekeeping as w asks, from one read.
func (s *Service) TimelineWindow(ctx context.Context, incidentID int64, w EventWindow) ([]TimelineEvent, int, error) {
	var (
		evs   []TimelineEvent
		total int
	)
	err := s.store.View(ctx, func(tx Tx) (err error) {
		if total, err = tx.CountEvents(incidentID, w.Housekeeping); err != nil {
			return err
		}
		evs, err = tx.EventsIn(incidentID, w)
		return err
	})
	return evs, total, err
}
