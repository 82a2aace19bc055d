package incident

import (
	"context"
	"fmt"
	"time"
)

// Followup is an action to take after the incident, listed in the review.
type Followup struct {
	ID         int64
	IncidentID int64
	Text       string
	Owner      string // user ID; "" when nobody owns it yet
	CreatedBy  string
	CreatedAt  time.Time
	IssueURL   string // the tracker issue it became, if any
	// IssueNumber is that issue's number (0 for none, or for issues filed before it was kept).
	IssueNumber int
	// DoneAt is when it was completed (zero: open), DoneBy by whom (a user ID, or the
	// tracker's login when the issue was closed there), Outcome how: "done" or "not planned".
	DoneAt  time.Time
	DoneBy  string
	Outcome string
}

// Follow-up outcomes. Only a done follow-up counts as an implemented improvement.
const (
	FollowupDone       = "done"
	FollowupNotPlanned = "not planned"
)

// Done reports whether the follow-up is closed, whatever the outcome.
func (f *Followup) Done() bool { return !f.DoneAt.IsZero() }

// ImplementationWindow is the plan's target for implementing an improvement ("Improvement
// Implementation: 95% within 30 days").
const ImplementationWindow = 30 * 24 * time.Hour

// FollowupState is a follow-up issue's state in the tracker.
type FollowupState struct {
	Closed   bool
	ClosedAt time.Time
	ClosedBy string // the tracker's login
	// NotPlanned: closed as not planned (GitHub's state_reason), not as completed.
	NotPlanned bool
}

// FollowupSyncer is the part of the tracker that follow-up completion needs: closing a
// follow-up's issue when it is done in chat, and reading issues closed in the tracker.
type FollowupSyncer interface {
	CloseFollowup(ctx context.Context, number int) error
	FollowupState(ctx context.Context, number int) (FollowupState, error)
}

// AddFollowup records a follow-up. Errors: ENOTFOUND, EINVALID.
func (s *Service) AddFollowup(ctx context.Context, actor, channelID, text, owner string) (*Followup, error) {
	text, err := checkText("A follow-up", text)
	if err != nil {
		return nil, err
	}
	f := &Followup{Text: text, Owner: owner, CreatedBy: actor}
	_, err = s.change(ctx, channelID, func(c *change) error {
		f.IncidentID, f.CreatedAt = c.inc.ID, c.stamp()
		if err := c.tx.InsertFollowup(f); err != nil {
			return err
		}
		return c.event(actor, EventFollowup, EventData{Number: int(f.ID), Text: text, Users: nonEmpty(owner)})
	})
	return f, err
}

// Followups returns the incident's follow-ups.
func (s *Service) Followups(ctx context.Context, incidentID int64) ([]Followup, error) {
	var out []Followup
	err := s.store.View(ctx, func(tx Tx) (err error) { out, err = tx.Followups(incidentID); return err })
	return out, err
}

// CompleteFollowup marks follow-up #id of the channel's incident done, also after the
// incident is resolved. Its owner, its author and the commander may; anyone may when it has
// no owner. A follow-up filed as an issue gets the issue closed. Errors: ENOTFOUND,
// EINVALID, ECONFLICT.
func (s *Service) CompleteFollowup(ctx context.Context, actor, channelID string, id int64) (*Followup, error) {
	var done *Followup
	_, err := s.change(ctx, channelID, func(c *change) error {
		fs, err := c.tx.Followups(c.inc.ID)
		if err != nil {
			return err
		}
		for i := range fs {
			if fs[i].ID == id {
				done = &fs[i]
			}
		}
		switch {
		case done == nil:
			return Errorf(ENOTFOUND, "%s has no follow-up #%d; /incident followups lists them.", c.inc.Key(), id)
		case done.Done():
			return Errorf(ECONFLICT, "Follow-up #%d is already closed (%s, %s).", id, done.Outcome, FormatTime(done.DoneAt))
		case done.Owner != "" && actor != done.Owner && actor != done.CreatedBy && actor != c.inc.Commander:
			return Errorf(EINVALID, "Follow-up #%d has an owner: they, its author or the incident commander can mark it done.", id)
		}
		done.DoneAt, done.DoneBy, done.Outcome = c.stamp(), actor, FollowupDone
		if err := c.tx.CompleteFollowup(done); err != nil {
			return err
		}
		if err := c.event(actor, EventFollowupDone, EventData{Number: int(id), Text: done.Text, Duration: done.DoneAt.Sub(done.CreatedAt)}); err != nil {
			return err
		}
		if done.IssueNumber > 0 {
			if err := c.enqueue(EffectCloseFollowup, fmt.Sprint(id), EffectPayload{StepID: id}); err != nil {
				return err
			}
		}
		return s.refreshReview(c, id)
	})
	return done, err
}

// refreshReview files the review again once it exists or is being filed, so its follow-up
// checklist shows what is done. Filings of one review run one at a time (their lane), so a
// refresh asked for during the first filing updates the issue that filing makes.
func (s *Service) refreshReview(c *change, followup int64) error {
	if !s.settings.Reviews {
		return nil
	}
	if c.inc.ReviewNumber == 0 {
		filing, err := c.reviewQueued()
		if err != nil || !filing {
			return err
		}
	}
	return c.enqueue(EffectFileReview, fmt.Sprintf("followup-%d-done", followup), EffectPayload{})
}

// reviewQueued reports whether a filing of the incident's review is pending or in flight.
func (c *change) reviewQueued() (bool, error) {
	effs, err := c.tx.EffectsOfKind(c.inc.ID, EffectFileReview)
	if err != nil {
		return false, err
	}
	for _, e := range effs {
		if e.State == EffectPending || e.State == EffectInflight {
			return true, nil
		}
	}
	return false, nil
}

// SyncFollowups reads the tracker's state of every open follow-up filed as an issue and
// closes those whose issue was closed there, at the time it was closed. It returns how
// many it closed. An error reading one issue stops the pass; the next pass retries.
func (s *Service) SyncFollowups(ctx context.Context, tracker FollowupSyncer) (int, error) {
	var open []Followup
	if err := s.store.View(ctx, func(tx Tx) (err error) { open, err = tx.OpenFollowupIssues(); return err }); err != nil {
		return 0, err
	}
	closed := 0
	for _, f := range open {
		st, err := tracker.FollowupState(ctx, f.IssueNumber)
		if err != nil {
			return closed, err
		}
		if !st.Closed {
			continue
		}
		changed := false
		_, err = s.changeByID(ctx, f.IncidentID, func(c *change) error {
			fs, err := c.tx.Followups(f.IncidentID)
			if err != nil {
				return err
			}
			for i := range fs {
				if cur := &fs[i]; cur.ID == f.ID && !cur.Done() { // not completed in chat meanwhile
					cur.DoneAt, cur.DoneBy, cur.Outcome = st.ClosedAt.UTC().Truncate(time.Millisecond), st.ClosedBy, FollowupDone
					if st.NotPlanned {
						cur.Outcome = FollowupNotPlanned
					}
					if cur.DoneAt.IsZero() {
						cur.DoneAt = c.stamp()
					}
					if err := c.tx.CompleteFollowup(cur); err != nil {
						return err
					}
					changed = true
					d := EventData{Number: int(cur.ID), Text: cur.Text, Others: nonEmpty(st.ClosedBy), Outcome: cur.Outcome,
						URL: cur.IssueURL, Count: cur.IssueNumber, How: FollowupClosedOnTracker}
					if err := c.event(BotActor, EventFollowupDone, d); err != nil {
						return err
					}
					return s.refreshReview(c, cur.ID)
				}
			}
			return nil
		})
		if err != nil {
			return closed, err
		}
		if changed {
			closed++
		}
	}
	return closed, nil
}
