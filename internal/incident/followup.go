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
		msg := fmt.Sprintf("%s added follow-up #%d: %s", mention(actor), f.ID, text)
		if owner != "" {
			msg += " (owner " + mention(owner) + ")"
		}
		return c.event(actor, EventFollowup, msg)
	})
	return f, err
}

// Followups returns the incident's follow-ups.
func (s *Service) Followups(ctx context.Context, incidentID int64) ([]Followup, error) {
	var out []Followup
	err := s.Store.View(ctx, func(tx Tx) (err error) { out, err = tx.Followups(incidentID); return err })
	return out, err
}
