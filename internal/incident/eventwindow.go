package incident

import (
	"context"
	"slices"
)

// EventWindow picks a run of an incident's events: from the oldest (or, with Newest, from
// the newest back), skip Offset events and take at most Limit, between event numbers
// FromSeq and ToSeq when they are set, without or with the bot's
// housekeeping. The events come back in sequence order either way. A window reads only
// what it returns, however long the timeline: paged replies and the review use it instead
// of reading every event.
type EventWindow struct {
	Offset, Limit int
	Newest        bool // count Offset and Limit from the newest event backwards
	Housekeeping  bool // include the bot's housekeeping events (EventKind.Housekeeping)
	// FromSeq and ToSeq, when not 0, bound the events' numbers (both included).
	FromSeq, ToSeq int
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

// TimelineWindow returns the incident's events in window w, and the number of its latest
// event (how many events its timeline has, housekeeping included), from one read that
// grows with the window, not with the timeline.
func (s *Service) TimelineWindow(ctx context.Context, incidentID int64, w EventWindow) ([]TimelineEvent, int, error) {
	var (
		evs  []TimelineEvent
		last int
	)
	err := s.store.View(ctx, func(tx Tx) error {
		e, err := tx.LastEvent(incidentID)
		if err != nil || e == nil {
			return err
		}
		last = e.Seq
		evs, err = tx.EventsIn(incidentID, w)
		return err
	})
	return evs, last, err
}
