package incident

import (
	"context"
	"time"
)

// LoadReview reads what the review of inc is written from, in one read: the ends of its
// timeline (ReadReviewTimeline), its runs, follow-ups and pages, with its objectives and
// impact as of now. Names are left for the caller to look up. Errors: StoreFailed.
func LoadReview(ctx context.Context, store Store, inc *Incident, cat Catalog, now time.Time) (ReviewData, error) {
	d := ReviewData{Incident: inc, Catalog: cat, Now: now}
	err := store.View(ctx, func(tx Tx) (err error) {
		if d.Events, d.LaterEvents, d.Omitted, err = ReadReviewTimeline(tx, inc.ID); err != nil {
			return err
		}
		if d.Runs, err = tx.Runs(inc.ID); err != nil {
			return err
		}
		if d.Followups, err = tx.Followups(inc.ID); err != nil {
			return err
		}
		if d.Anchors, err = readAnchors(tx, inc); err != nil {
			return err
		}
		d.Pages, err = tx.Pages(inc.ID)
		return err
	})
	if err != nil {
		return ReviewData{}, StoreFailed(err)
	}
	d.Objectives = inc.ComputeObjectives(cat)
	d.Estimate = inc.EstimateImpact(cat, now)
	return d, nil
}

// ReviewTimelineEnds is how many of the first and of the last events of a long timeline the
// review reads; the writer may show fewer to keep the issue within the tracker's limit.
const ReviewTimelineEnds = 30

// ReadReviewTimeline reads what the review of an incident shows of its timeline (the bot's
// housekeeping left out): every event when there are at most 2*ReviewTimelineEnds, else
// the first and the last ReviewTimelineEnds, and how many timeline entries lie between
// them (the bot's housekeeping among them: counted by event number, without reading them).
// It reads at most 3*ReviewTimelineEnds+1 events, however long the timeline.
func ReadReviewTimeline(tx Tx, incidentID int64) (first, last []TimelineEvent, between int, err error) {
	if first, err = tx.EventsIn(incidentID, EventWindow{Limit: 2*ReviewTimelineEnds + 1}); err != nil {
		return nil, nil, 0, err
	}
	if len(first) <= 2*ReviewTimelineEnds {
		return first, nil, 0, nil
	}
	first = first[:ReviewTimelineEnds]
	if last, err = tx.EventsIn(incidentID, EventWindow{Limit: ReviewTimelineEnds, Newest: true}); err != nil {
		return nil, nil, 0, err
	}
	return first, last, last[0].Seq - first[len(first)-1].Seq - 1, nil
}
