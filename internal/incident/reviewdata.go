package incident

// ReviewTimelineEnds is how many of the first and of the last events of a long timeline the
// review reads; the writer may show fewer to keep the issue within the tracker's limit.
const ReviewTimelineEnds = 50

// ReadReviewTimeline reads what the review of an incident shows of its timeline (the bot's
// housekeeping left out): every event when there are at most 2*ReviewTimelineEnds, else
// the first and the last ReviewTimelineEnds and the count of those between. It reads those
// events only, however long the timeline.
func ReadReviewTimeline(tx Tx, incidentID int64) (first, last []TimelineEvent, omitted int, err error) {
	total, err := tx.CountEvents(incidentID, false)
	if err != nil {
		return nil, nil, 0, err
	}
	if total <= 2*ReviewTimelineEnds {
		first, err = tx.EventsIn(incidentID, EventWindow{Limit: total})
		return first, nil, 0, err
	}
	if first, err = tx.EventsIn(incidentID, EventWindow{Limit: ReviewTimelineEnds}); err != nil {
		return nil, nil, 0, err
	}
	if last, err = tx.EventsIn(incidentID, EventWindow{Limit: ReviewTimelineEnds, Newest: true}); err != nil {
		return nil, nil, 0, err
	}
	return first, last, total - len(first) - len(last), nil
}
