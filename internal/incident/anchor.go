package incident

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// An anchor is the head of an incident's hash chain (how many events it had, and the hash
// of the newest) written outside the database: posted in the incident channel and added to
// the filed review. The chain makes every earlier event depend on the head, so a database
// whose event number Events does not carry that hash, or that lacks it (the newest events
// deleted), no longer matches what was written outside. The bot anchors every AnchorEvery
// while an incident is open and once more at its resolution; each anchor is an anchored
// event on the timeline (it records the event before it), told in the channel and, once the
// review is filed, added to it as a comment (EffectAnchorReview).
type Anchor struct {
	Incident string    // the incident's key, such as INC-42
	Events   int       // the chain's length then: the number of its head
	Head     string    // the hash of event number Events
	At       time.Time // when it was made; zero when read from outside
	How      string    // AnchorHourly or AnchorResolved; "" when read from outside
	Seq      int       // the anchored event that recorded it; 0 when read from outside
}

// AnchorEvery is how often an open incident's chain is anchored.
const AnchorEvery = time.Hour

// What the How of an anchored event says.
const (
	AnchorHourly   = "hourly"   // made while the incident is open, every AnchorEvery
	AnchorResolved = "resolved" // made at the resolution, after the resolved event
)

// MaxAnchors bounds the anchors read of one incident (a year of hourly ones and more).
const MaxAnchors = 10000

// anchorTimer is the Timer of an hourly anchor's effect.
const anchorTimer = "anchor"

// AnchorOf returns the anchor an anchored event of inc records; ok is false for an event of
// another kind.
func AnchorOf(inc *Incident, e TimelineEvent) (a Anchor, ok bool) {
	if e.Kind != EventAnchored {
		return Anchor{}, false
	}
	return Anchor{Incident: inc.Key(), Events: e.Data.Count, Head: e.Data.Head, At: e.At, How: e.Data.How, Seq: e.Seq}, true
}

// Line is the anchor as one line of text, the form it takes wherever it is written (the
// channel, the review, its comments) and that ParseAnchors reads back:
// "incidentbot-anchor INC-42 events=41 head=<64 hex digits>".
func (a Anchor) Line() string {
	return fmt.Sprintf("incidentbot-anchor %s events=%d head=%s", a.Incident, a.Events, a.Head)
}

var anchorLine = regexp.MustCompile(`incidentbot-anchor (INC-[0-9]+) events=([0-9]+) head=([0-9a-f]{64})\b`)

// ParseAnchors reads every anchor line in text, in order; lines of other incidents are
// kept (the caller picks those it checks).
func ParseAnchors(text string) []Anchor {
	var out []Anchor
	for _, m := range anchorLine.FindAllStringSubmatch(text, -1) {
		n, err := strconv.Atoi(m[2])
		if err != nil || n < 1 {
			continue
		}
		out = append(out, Anchor{Incident: m[1], Events: n, Head: m[3]})
	}
	return out
}

// Check compares the anchor with the database: e is its event number Events (nil when the
// database has none) and last the number of its newest event (0 for none). It returns ""
// when they match, else what does not, for people.
func (a Anchor) Check(e *TimelineEvent, last int) string {
	switch {
	case e == nil && last < a.Events:
		return fmt.Sprintf("anchored at %d events (head %s) but the database has %d: events #%d to #%d are missing (deleted?)",
			a.Events, short(a.Head), last, last+1, a.Events)
	case e == nil:
		return fmt.Sprintf("anchored at %d events (head %s) but the database has no event #%d (deleted?)", a.Events, short(a.Head), a.Events)
	case e.Hash != a.Head:
		return fmt.Sprintf("anchored at %d events with head %s, but event #%d in the database has hash %s: the timeline up to it was rewritten",
			a.Events, short(a.Head), a.Events, short(e.Hash))
	}
	return ""
}

// short is the start of a hash, enough for people to tell two apart.
func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12] + "…"
	}
	return hash
}

// AnchorCommenter is the part of the tracker that adds anchors to a filed review: as a
// comment on its issue, once (an anchor already there is found, not added again). It
// returns the comment's URL. Errors are *TemporaryError for rate limits and outages.
type AnchorCommenter interface {
	CommentAnchor(ctx context.Context, number int, a Anchor) (url string, err error)
}

// anchor records the chain's head (the event before it) as an anchored event, tells it in
// the channel and, when the review is filed, queues it for the review. The key of each
// effect names the anchored event, so it is made once however often the change is retried.
func (c *change) anchor(how string) error {
	head := c.last
	if head == nil {
		var err error
		if head, err = c.tx.LastEvent(c.inc.ID); err != nil {
			return err
		}
		if head == nil {
			return nil // no chain to anchor
		}
		c.last = head
	}
	if err := c.event(BotActor, EventAnchored, EventData{Count: head.Seq, Head: head.Hash, How: how}); err != nil {
		return err
	}
	if err := c.tell(); err != nil {
		return err
	}
	if c.inc.ReviewNumber != 0 {
		return c.enqueueAnchorReview(c.last.Seq)
	}
	return nil
}

// enqueueAnchorReview queues the anchor that event seq records for the filed review.
func (c *change) enqueueAnchorReview(seq int) error {
	return c.enqueue(EffectAnchorReview, fmt.Sprint(seq), EffectPayload{Seq: seq})
}

// scheduleAnchor sets the first hourly anchor of a new incident.
func (c *change) scheduleAnchor() error {
	return c.scheduleAnchorAt(1, c.inc.DeclaredAt.Add(AnchorEvery))
}

func (c *change) scheduleAnchorAt(n int, due time.Time) error {
	return c.enqueueAt(EffectTimer, fmt.Sprintf("anchor-%d", n), EffectPayload{Timer: anchorTimer, Seq: n, Target: due.UnixMilli()}, due)
}

// anchorTimer anchors an open incident's chain and sets the next anchor an hour after this
// one was due; a resolved incident was anchored at its resolution and stops here. The
// anchor is made in the transaction that records the timer (so the head is the newest
// event then) and the timer is delivered once, also with several replicas (its claim).
func (o *Outbox) anchorTimer(inc *Incident, e *Effect) (result, error) {
	if !inc.Open() {
		return result{}, nil
	}
	n, due := e.Payload.Seq, time.UnixMilli(e.Payload.Target).UTC()
	return result{more: func(c *change) error {
		if !c.inc.Open() {
			return nil
		}
		if err := c.anchor(AnchorHourly); err != nil {
			return err
		}
		return c.scheduleAnchorAt(n+1, due.Add(AnchorEvery))
	}}, nil
}

// anchorReview adds the anchor an anchored event records to the incident's filed review.
func (o *Outbox) anchorReview(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	ac, ok := o.Tracker.(AnchorCommenter)
	if !ok {
		return result{}, fmt.Errorf("the tracker cannot add anchors to reviews")
	}
	if inc.ReviewNumber == 0 {
		return result{}, fmt.Errorf("the review of %s is not filed", inc.Key())
	}
	var ev *TimelineEvent
	if err := o.Store.View(ctx, func(tx Tx) (err error) { ev, err = tx.Event(inc.ID, e.Payload.Seq); return err }); err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return result{}, fmt.Errorf("the anchored event #%d is not on the timeline", e.Payload.Seq)
		}
		return result{}, StoreFailed(err)
	}
	a, ok := AnchorOf(inc, *ev)
	if !ok {
		return result{}, fmt.Errorf("event #%d is a %s event, not an anchor", ev.Seq, ev.Kind)
	}
	url, err := ac.CommentAnchor(ctx, inc.ReviewNumber, a)
	if err != nil {
		return result{}, err
	}
	return result{event: EventReviewFiled, data: EventData{How: ReviewAnchorAdded, Number: a.Seq, Count: a.Events, Head: a.Head, URL: url}}, nil
}

// readAnchors reads the anchors on inc's timeline, oldest first.
func readAnchors(tx Tx, inc *Incident) ([]Anchor, error) {
	byID, err := tx.LatestEventsOfKind([]int64{inc.ID}, EventAnchored, MaxAnchors)
	if err != nil {
		return nil, err
	}
	var out []Anchor
	for _, e := range byID[inc.ID] {
		if a, ok := AnchorOf(inc, e); ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// Anchors returns the anchors on the incident's timeline, oldest first. Errors: ENOTFOUND.
func (s *Service) Anchors(ctx context.Context, incidentID int64) ([]Anchor, error) {
	var out []Anchor
	err := s.store.View(ctx, func(tx Tx) error {
		inc, err := tx.Incident(incidentID)
		if err != nil {
			return err
		}
		out, err = readAnchors(tx, inc)
		return err
	})
	return out, err
}
