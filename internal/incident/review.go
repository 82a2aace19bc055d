package incident

import (
	"context"
	"fmt"
	"time"
)

// ReportDeadline is how long after resolution the post-incident report is due.
const ReportDeadline = 24 * time.Hour

// ReviewData is everything a post-incident review is written from.
type ReviewData struct {
	Incident *Incident
	// Events is the timeline the review shows, without the bot's housekeeping: all of it,
	// or for a long one its first ReviewTimelineEnds events, LaterEvents its last as many,
	// and Omitted the count of entries left out between them (ReadReviewTimeline).
	Events      []TimelineEvent
	LaterEvents []TimelineEvent
	Omitted     int
	Runs        []Run
	Followups   []Followup
	Pages       []Page
	Objectives  Objectives
	Estimate    Estimate
	Catalog     Catalog
	// Anchors are the heads of the chain written outside the database, oldest first.
	Anchors []Anchor
	Now     time.Time
	// Names and ChannelNames are the chat names of the users and channels the review
	// names (ID -> name), for readers outside chat; one missing here shows as its ID.
	Names, ChannelNames map[string]string
	// DashboardURL is the incident's page on the dashboard ("" without web.public_url).
	DashboardURL string
}

// Review is a rendered post-incident review.
type Review struct {
	Key    string // such as INC-42; trackers mark the issue with it
	Title  string
	Body   string // Markdown
	Labels []string
}

// ReviewWriter renders a review (internal/postmortem implements it). Named lists the chat
// users and channels the review of d will name, so that their names are read before Write.
type ReviewWriter interface {
	Named(d ReviewData) Named
	Write(d ReviewData) (Review, error)
}

// IssueRef is an issue in the tracker.
type IssueRef struct {
	Number int
	URL    string
}

// Tracker files reviews and follow-ups (GitHub). FileReview creates the incident's review
// issue, or updates the one it has (number, or found by its marker after a crash); it is
// safe to call again. Errors are *TemporaryError for rate limits and outages.
type Tracker interface {
	FileReview(ctx context.Context, r Review, number int) (IssueRef, error)
	FileFollowup(ctx context.Context, key string, f Followup, reviewURL string) (IssueRef, error)
}

// FileReview queues the writing and filing of the post-incident review (again: the same
// issue is updated). Errors: ENOTFOUND, EINVALID.
func (s *Service) FileReview(ctx context.Context, actor, channelID string) (*Incident, error) {
	if !s.settings.Reviews {
		return nil, Errorf(EINVALID, "Reviews are not set up: the bot has no GitHub repository (GITHUB_REPO) and token.")
	}
	return s.change(ctx, channelID, func(c *change) error {
		if err := c.event(actor, EventReviewRequested, EventData{}); err != nil {
			return err
		}
		return c.enqueue(EffectFileReview, fmt.Sprint(c.last.Seq), EffectPayload{})
	})
}

// fileReview writes the review from the current state and files it in the tracker.
func (o *Outbox) fileReview(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	if o.Tracker == nil || o.Reviews == nil {
		return result{}, fmt.Errorf("no tracker is configured")
	}
	d, err := LoadReview(ctx, o.Store, inc, o.Settings.Catalog, o.Clock.Now())
	if err != nil {
		return result{}, err
	}
	d.Names, d.ChannelNames = o.names(ctx, d)
	d.DashboardURL = DashboardURL(o.Settings.PublicURL, inc)
	review, err := o.Reviews.Write(d)
	if err != nil {
		return result{}, err
	}
	ref, err := o.Tracker.FileReview(ctx, review, inc.ReviewNumber)
	if err != nil {
		return result{}, err
	}
	first := inc.ReviewNumber == 0
	filed := EventData{URL: ref.URL, Number: ref.Number, How: ReviewFirst}
	if !first {
		filed.How = ReviewUpdated
	}
	r := result{
		apply: func(i *Incident) {
			i.ReviewNumber, i.ReviewURL = ref.Number, ref.URL
			if i.ReviewFiledAt.IsZero() {
				i.ReviewFiledAt = o.Clock.Now().UTC().Truncate(time.Millisecond)
			}
		},
		more:   queueAnchorsForReview,
		event:  EventReviewFiled,
		data:   filed,
		follow: []followUp{{kind: EffectPost, discriminator: fmt.Sprintf("review-%d", e.ID), tell: true}},
	}
	if first {
		r.follow = append(r.follow, refreshBookmark(BookmarkReview, "filed"))
	}
	if first && o.Settings.FollowupIssues {
		for _, f := range d.Followups {
			if f.IssueURL == "" {
				r.follow = append(r.follow, followUp{kind: EffectFileFollowup, discriminator: fmt.Sprint(f.ID), payload: EffectPayload{StepID: f.ID}})
			}
		}
	}
	return r, nil
}

// queueAnchorsForReview queues, once the review is filed, every anchor on the timeline as a
// comment on it (those queued before are not queued again): the comments keep each anchor
// whatever later updates of the review's body say. Read in the transaction that records the
// filing, so an anchor made while the review was being written is among them.
func queueAnchorsForReview(c *change) error {
	anchors, err := readAnchors(c.tx, c.inc)
	if err != nil {
		return err
	}
	for _, a := range anchors {
		if err := c.enqueueAnchorReview(a.Seq); err != nil {
			return err
		}
	}
	return nil
}

// fileFollowup turns a follow-up into an issue linked from the review.
func (o *Outbox) fileFollowup(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	var fs []Followup
	if err := o.Store.View(ctx, func(tx Tx) (err error) { fs, err = tx.Followups(inc.ID); return err }); err != nil {
		return result{}, StoreFailed(err)
	}
	for _, f := range fs {
		if f.ID != e.Payload.StepID || f.IssueURL != "" || f.Done() {
			continue // filed already, or done before it needed an issue
		}
		ref, err := o.Tracker.FileFollowup(ctx, inc.Key(), f, inc.ReviewURL)
		if err != nil {
			return result{}, err
		}
		id := f.ID
		return result{
			store: func(tx Tx, _ time.Time) error { return tx.SetFollowupIssue(id, ref) },
			more: func(c *change) error { // done while this was being filed: close what was just opened
				fs, err := c.tx.Followups(inc.ID)
				if err != nil {
					return err
				}
				for _, f := range fs {
					if f.ID == id && f.Done() {
						return c.enqueue(EffectCloseFollowup, fmt.Sprint(id), EffectPayload{StepID: id})
					}
				}
				return nil
			},
			event: EventReviewFiled,
			data:  EventData{How: ReviewFollowupFiled, Number: int(id), URL: ref.URL},
		}, nil
	}
	return result{}, nil
}

// names looks up the names of everyone and every channel the review names (the writer says
// which). A failed lookup leaves that one unnamed; the review is filed regardless.
func (o *Outbox) names(ctx context.Context, d ReviewData) (people, channels map[string]string) {
	o.namesOnce.Do(func() {
		if o.Names == nil {
			o.Names = NewNames(o.Chat, o.Clock)
		}
	})
	return o.Names.Known(ctx, o.Reviews.Named(d))
}

// closeFollowup closes the issue of a follow-up done in chat (closing a closed issue
// changes nothing, so a retry is harmless).
func (o *Outbox) closeFollowup(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	syncer, ok := o.Tracker.(FollowupSyncer)
	if !ok {
		return result{}, fmt.Errorf("the tracker cannot close issues")
	}
	var fs []Followup
	if err := o.Store.View(ctx, func(tx Tx) (err error) { fs, err = tx.Followups(inc.ID); return err }); err != nil {
		return result{}, StoreFailed(err)
	}
	for _, f := range fs {
		if f.ID == e.Payload.StepID && f.IssueNumber > 0 {
			if err := syncer.CloseFollowup(ctx, f.IssueNumber); err != nil {
				return result{}, err
			}
			return result{event: EventReviewFiled, data: EventData{How: ReviewFollowupClosed, Number: int(f.ID), URL: f.IssueURL}}, nil
		}
	}
	return result{}, nil
}

// reportTimer checks the 24-hour deadline of the post-incident report. Without a tracker
// the bot cannot see the report, so it reminds without claiming it met or missed.
func (o *Outbox) reportTimer(inc *Incident) (result, error) {
	if inc.ResolvedAt.IsZero() {
		return result{}, nil
	}
	d := EventData{Audiences: []string{AudienceReport}, Due: inc.ResolvedAt.Add(ReportDeadline).UTC(), Role: RoleCommander,
		Users: nonEmpty(inc.Commander)}
	switch {
	case o.Tracker == nil || o.Reviews == nil:
		d.How = CadenceDue // the bot cannot see whether it was written
		return result{event: EventCadence, data: d, follow: []followUp{{kind: EffectPost, discriminator: "report-due", tell: true}}}, nil
	case !inc.ReviewFiledAt.IsZero() && !inc.ReviewFiledAt.After(d.Due):
		d.How, d.When = CadenceMet, inc.ReviewFiledAt.UTC()
		return result{event: EventCadence, data: d}, nil
	}
	d.How = CadenceMissed
	return result{event: EventCadence, data: d, follow: []followUp{{kind: EffectPost, discriminator: "report-missed", tell: true}}}, nil
}
