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
	Incident   *Incident
	Events     []TimelineEvent
	Runs       []Run
	Followups  []Followup
	Pages      []Page
	Objectives Objectives
	Estimate   Estimate
	Catalog    Catalog
	Now        time.Time
	// Names are the chat names of the users the review mentions (user ID -> name), for
	// readers outside chat; a user missing here shows as their ID.
	Names map[string]string
}

// Review is a rendered post-incident review.
type Review struct {
	Key    string // such as INC-42; trackers mark the issue with it
	Title  string
	Body   string // Markdown
	Labels []string
}

// ReviewWriter renders a review (internal/postmortem implements it).
type ReviewWriter interface {
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
		if err := c.event(actor, EventReviewRequested, fmt.Sprintf("%s asked for the post-incident review", mention(actor))); err != nil {
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
	d := ReviewData{Incident: inc, Catalog: o.Settings.Catalog, Now: o.Clock.Now()}
	err := o.Store.View(ctx, func(tx Tx) (err error) {
		if d.Events, err = tx.Events(inc.ID); err != nil {
			return err
		}
		if d.Runs, err = tx.Runs(inc.ID); err != nil {
			return err
		}
		if d.Followups, err = tx.Followups(inc.ID); err != nil {
			return err
		}
		d.Pages, err = tx.Pages(inc.ID)
		return err
	})
	if err != nil {
		return result{}, StoreFailed(err)
	}
	d.Objectives = inc.ComputeObjectives(o.Settings.Catalog)
	d.Estimate = inc.EstimateImpact(o.Settings.Catalog, d.Now)
	d.Names = o.userNames(ctx, d)
	review, err := o.Reviews.Write(d)
	if err != nil {
		return result{}, err
	}
	ref, err := o.Tracker.FileReview(ctx, review, inc.ReviewNumber)
	if err != nil {
		return result{}, err
	}
	first := inc.ReviewNumber == 0
	text := fmt.Sprintf("Post-incident review filed: %s", ref.URL)
	if !first {
		text = fmt.Sprintf("Post-incident review updated: %s", ref.URL)
	}
	r := result{
		apply: func(i *Incident) {
			i.ReviewNumber, i.ReviewURL = ref.Number, ref.URL
			if i.ReviewFiledAt.IsZero() {
				i.ReviewFiledAt = o.Clock.Now().UTC().Truncate(time.Millisecond)
			}
		},
		event:  EventReviewFiled,
		text:   text,
		follow: []followUp{{kind: EffectPost, discriminator: fmt.Sprintf("review-%d", e.ID), payload: EffectPayload{Text: ":memo: " + text}}},
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
			text:  fmt.Sprintf("Follow-up #%d filed: %s", id, ref.URL),
		}, nil
	}
	return result{}, nil
}

// userNames looks up the names of everyone the review mentions: actors, role holders,
// owners and mentions in the timeline's text. A failed lookup leaves that user unnamed;
// the review is filed regardless.
func (o *Outbox) userNames(ctx context.Context, d ReviewData) map[string]string {
	ids := map[string]bool{}
	add := func(text string) {
		for _, id := range MentionedUsers(text) {
			ids[id] = true
		}
	}
	for _, e := range d.Events {
		add(e.Text)
		if e.Actor != BotActor && e.Actor != "" {
			ids[e.Actor] = true
		}
	}
	for _, r := range CrisisRoles {
		if h := d.Incident.Holder(r); h != "" {
			ids[h] = true
		}
	}
	for _, f := range d.Followups {
		if f.Owner != "" {
			ids[f.Owner] = true
		}
	}
	names := map[string]string{}
	for id := range ids {
		if name, err := o.Chat.UserName(ctx, id); err == nil && name != "" {
			names[id] = name
		}
	}
	return names
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
			return result{event: EventReviewFiled, text: fmt.Sprintf("Closed the issue of follow-up #%d: %s", f.ID, f.IssueURL)}, nil
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
	due := inc.ResolvedAt.Add(ReportDeadline)
	who := RoleCommander.Title()
	if inc.Commander != "" {
		who += " " + mention(inc.Commander)
	}
	if o.Tracker == nil || o.Reviews == nil {
		text := fmt.Sprintf("Due: the post-incident report at %s (Incident commander); without a tracker the bot cannot tell whether it was written",
			due.UTC().Format("2006-01-02 15:04 UTC"))
		msg := fmt.Sprintf(":bell: The post-incident report of %s was due at %s, 24 hours after the resolution. %s, "+
			"if it is not written yet, write it and put its link on the timeline with `/incident note <link>` "+
			"(this bot files reviews only when a GitHub repository is configured).", inc.Key(), due.UTC().Format("15:04 UTC"), who)
		return result{event: EventCadence, text: text,
			follow: []followUp{{kind: EffectPost, discriminator: "report-due", payload: EffectPayload{Text: msg}}}}, nil
	}
	if !inc.ReviewFiledAt.IsZero() && !inc.ReviewFiledAt.After(due) {
		return result{event: EventCadence, text: fmt.Sprintf("Met: the post-incident report due at %s, filed at %s",
			due.UTC().Format("2006-01-02 15:04 UTC"), inc.ReviewFiledAt.UTC().Format("2006-01-02 15:04 UTC"))}, nil
	}
	text := fmt.Sprintf("Missed: the post-incident report due at %s (Incident commander)", due.UTC().Format("2006-01-02 15:04 UTC"))
	msg := fmt.Sprintf(":bell: The post-incident report of %s was due at %s. %s, run `/incident postmortem`.", inc.Key(),
		due.UTC().Format("15:04 UTC"), who)
	return result{event: EventCadence, text: text,
		follow: []followUp{{kind: EffectPost, discriminator: "report-missed", payload: EffectPayload{Text: msg}}}}, nil
}
