package incident

import (
	"context"
	"errors"
)

// Draft builds again the draft that ref names, in the incident of channelID, for the moment
// ref.At. Errors: ENOTFOUND; EINVALID (ref names no reminder); ECONFLICT when the
// audience got an update since the draft was written (DraftPosted tells whether it was this
// draft) or the incident is resolved.
func (s *Service) Draft(ctx context.Context, channelID string, ref DraftRef) (Draft, error) {
	var d Draft
	err := s.store.View(ctx, func(tx Tx) error {
		inc, reminder, recent, err := draftInputs(tx, channelID, ref.Reminder)
		if err != nil {
			return err
		}
		if err := draftStillOpen(tx, inc, reminder, ref, "", ""); err != nil {
			return err
		}
		d, err = NewDraft(inc, reminder, recent, s.settings.Catalog, ref.At)
		return err
	})
	return d, err
}

// FreshDraft builds the draft of reminder (a cadence event's number) in the incident of
// channelID as of now. Errors: ENOTFOUND, EINVALID, ECONFLICT (resolved).
func (s *Service) FreshDraft(ctx context.Context, channelID string, reminder int) (Draft, error) {
	var d Draft
	err := s.store.View(ctx, func(tx Tx) error {
		inc, ev, recent, err := draftInputs(tx, channelID, reminder)
		if err != nil {
			return err
		}
		d, err = NewDraft(inc, ev, recent, s.settings.Catalog, s.clock.Now())
		return err
	})
	return d, err
}

// PostDraft posts text as the update of the audience of ref's reminder, as PostUpdate
// posts it with that audience's flag (the team's update has none), recording how it was
// made (UpdateDrafted, UpdateEdited) and which draft it was. It posts only if the audience
// got no update since the draft was written, checked in the transaction that posts: a
// second click, or a second submission of the same form, posts nothing. Errors:
// ENOTFOUND, EINVALID, ECONFLICT (DraftPosted tells a repeat of this draft from another
// update posted meanwhile).
func (s *Service) PostDraft(ctx context.Context, actor, channelID string, ref DraftRef, how, text string) (*Incident, error) {
	text, err := checkText("An update", text)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, channelID, func(c *change) error {
		if err := c.requireOpen(); err != nil {
			return err
		}
		reminder, err := c.tx.Event(c.inc.ID, ref.Reminder)
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(EINVALID, "%s has no event #%d to answer with a drafted update.", c.inc.Key(), ref.Reminder)
		}
		if err != nil {
			return err
		}
		if err := draftStillOpen(c.tx, c.inc, reminder, ref, how, text); err != nil {
			return err
		}
		audience, _, _ := reminderAudience(reminder)
		var audiences []string
		if audience != AudienceTeam {
			audiences = []string{audience}
		}
		return s.recordUpdate(c, actor, EventData{Text: text, Audiences: audiences, How: how, Number: ref.Reminder, When: ref.At.UTC()})
	})
}

// draftInputs reads what a draft is built from: the incident of channelID, the reminder
// event it answers and the latest events.
func draftInputs(tx Tx, channelID string, reminder int) (*Incident, *TimelineEvent, []TimelineEvent, error) {
	inc, err := tx.IncidentByChannel(channelID)
	if err != nil {
		return nil, nil, nil, err
	}
	ev, err := tx.Event(inc.ID, reminder)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, nil, Errorf(EINVALID, "%s has no event #%d to draft an update for.", inc.Key(), reminder)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if _, _, err := reminderAudience(ev); err != nil {
		return nil, nil, nil, err
	}
	recent, err := tx.EventsIn(inc.ID, EventWindow{Newest: true, Limit: draftWindow})
	return inc, ev, recent, err
}

// draftStillOpen refuses a draft of a resolved incident, and one whose audience got an
// update after the draft was written (ref.Since is no longer their latest). A draft posted
// already is refused as posted (DraftPosted), unless how and text are given and differ from
// what was posted: then it is another person's post of it, which this one is not a repeat of.
func draftStillOpen(tx Tx, inc *Incident, reminder *TimelineEvent, ref DraftRef, how, text string) error {
	if !inc.Open() {
		return Errorf(ECONFLICT, "%s is resolved; declare a new incident if the problem is back.", inc.Key()) // as a typed update is refused
	}
	audience, _, err := reminderAudience(reminder)
	if err != nil {
		return err
	}
	// Looked for first: posted in the millisecond of the update it follows, the draft
	// leaves the audience's latest update time as it was.
	recent, err := tx.EventsIn(inc.ID, EventWindow{Newest: true, Limit: draftWindow})
	if err != nil {
		return err
	}
	for i := len(recent) - 1; i >= 0; i-- {
		e := recent[i]
		if e.Kind != EventStatusUpdate || e.Data.Number != ref.Reminder || !e.Data.When.Equal(ref.At) ||
			(e.Data.How != UpdateDrafted && e.Data.How != UpdateEdited) {
			continue
		}
		at := e.At.UTC().Format("15:04:05 UTC")
		if how != "" && (e.Data.How != how || e.Data.Text != text) { // not a repeat: another post of the draft
			return Errorf(ECONFLICT, "The %s was posted from this draft at %s (event #%d), so this text was not posted.", UpdateName(audience), at, e.Seq)
		}
		return &postedError{Errorf(ECONFLICT, "This draft was posted already, at %s (event #%d).", at, e.Seq)}
	}
	last := inc.Comms[audience]
	if last.Equal(ref.Since) {
		return nil
	}
	return Errorf(ECONFLICT, "The %s was posted at %s, after this draft was written; nothing more was posted. Its next reminder comes with a new draft.",
		UpdateName(audience), last.UTC().Format("15:04:05 UTC"))
}

// postedError is the refusal of a draft posted already.
type postedError struct{ err *Error }

func (e *postedError) Error() string { return e.err.Message }
func (e *postedError) Unwrap() error { return e.err }

// DraftPosted reports whether err refuses a draft because it was posted already (a second
// click, a form submitted twice): the surface may take it for done.
func DraftPosted(err error) bool {
	var p *postedError
	return errors.As(err, &p)
}

// reminderDraft is the draft that goes with the notice of a missed cadence reminder, or nil
// when there is none (another event, the incident resolved, a read that failed: the
// reminder goes out without its draft rather than not at all).
func (o *Outbox) reminderDraft(ctx context.Context, inc *Incident, ev *TimelineEvent) *Draft {
	if ev.Kind != EventCadence || ev.Data.How != CadenceMissed || !inc.Open() {
		return nil
	}
	if _, _, err := reminderAudience(ev); err != nil {
		return nil
	}
	var recent []TimelineEvent
	if err := o.Store.View(ctx, func(tx Tx) (err error) {
		recent, err = tx.EventsIn(inc.ID, EventWindow{Newest: true, Limit: draftWindow})
		return err
	}); err != nil {
		o.Log.Warn("draft of a reminder: read the timeline", "incident", inc.Key(), "err", err)
		return nil
	}
	d, err := NewDraft(inc, ev, recent, o.Settings.Catalog, o.Clock.Now())
	if err != nil {
		return nil
	}
	return &d
}
