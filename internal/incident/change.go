package incident

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"
)

// change loads the incident of channelID and runs fn on it inside one transaction, then
// saves the incident. fn's events and effects commit with it or not at all.
func (s *Service) change(ctx context.Context, channelID string, fn func(*change) error) (*Incident, error) {
	return s.changeWith(ctx, inChannel(channelID), fn)
}

// changeByID is change for an incident found by its ID.
func (s *Service) changeByID(ctx context.Context, id int64, fn func(*change) error) (*Incident, error) {
	return s.changeWith(ctx, byID(id), fn)
}

// loader finds the incident a use case acts on, inside its transaction.
type loader func(Tx) (*Incident, error)

func inChannel(channelID string) loader {
	return func(tx Tx) (*Incident, error) { return tx.IncidentByChannel(channelID) }
}

func byID(id int64) loader { return func(tx Tx) (*Incident, error) { return tx.Incident(id) } }

func (s *Service) changeWith(ctx context.Context, load loader, fn func(*change) error) (*Incident, error) {
	var inc *Incident
	enqueued := false
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if inc, err = load(tx); err != nil {
			return err
		}
		c := &change{tx: tx, inc: inc, now: s.clock.Now()}
		if err := fn(c); err != nil {
			return err
		}
		enqueued = c.enqueued
		return tx.UpdateIncident(inc)
	})
	if err != nil {
		return nil, err
	}
	if enqueued {
		s.notify()
	}
	return inc, nil
}

func (s *Service) notify() {
	if s.wake != nil {
		s.wake()
	}
}

func (s *Service) log() *slog.Logger {
	if s.logger != nil {
		return s.logger
	}
	return slog.Default()
}

// change is one transaction's work on one incident.
type change struct {
	tx       Tx
	inc      *Incident
	now      time.Time
	last     *TimelineEvent
	enqueued bool
}

func (c *change) stamp() time.Time { return c.now.UTC().Truncate(time.Millisecond) }

func (c *change) requireOpen() error {
	if !c.inc.Open() {
		return Errorf(ECONFLICT, "%s is resolved; declare a new incident if the problem is back.", c.inc.Key())
	}
	return nil
}

// event appends a timeline event chained to the incident's last one. Every event says who
// acted: one without an actor is a fault of the caller and aborts the whole change.
func (c *change) event(actor string, kind EventKind, d EventData) error {
	if strings.TrimSpace(actor) == "" {
		return Errorf(EINTERNAL, "A %s event on %s has no actor; nothing was recorded.", kind, c.inc.Key())
	}
	if c.last == nil {
		last, err := c.tx.LastEvent(c.inc.ID)
		if err != nil {
			return err
		}
		c.last = last
	}
	e := &TimelineEvent{IncidentID: c.inc.ID, Actor: actor, Kind: kind, Format: FormatData, Data: d}
	e.Chain(c.last, c.now)
	if err := c.tx.InsertEvent(e); err != nil {
		return err
	}
	c.last = e
	return nil
}

// enqueue adds an effect keyed by the incident, the kind and discriminator.
func (c *change) enqueue(kind EffectKind, discriminator string, p EffectPayload) error {
	return c.enqueueAt(kind, discriminator, p, c.now)
}

// enqueueAt adds an effect that is due at a later time: a durable timer.
func (c *change) enqueueAt(kind EffectKind, discriminator string, p EffectPayload, due time.Time) error {
	e := &Effect{IncidentID: c.inc.ID, Kind: kind, Key: fmt.Sprintf("inc%d:%s:%s", c.inc.ID, kind, discriminator),
		Payload: p, State: EffectPending, NextAttemptAt: due, CreatedAt: c.now, Priority: priorityOf(kind, discriminator)}
	e.Lane, e.LaneRank = laneOf(c.inc.ID, kind, p)
	added, err := c.tx.Enqueue(e)
	c.enqueued = c.enqueued || added
	return err
}

// tell queues the latest event's notice in the incident channel: the surface says it in
// its words (payload Seq names the event).
func (c *change) tell() error {
	return c.enqueue(EffectPost, fmt.Sprint(c.last.Seq), EffectPayload{Seq: c.last.Seq})
}

// announceChange tells the latest event in the channel and refreshes the card and topic
// after a state change.
func (c *change) announceChange() error {
	if err := c.tell(); err != nil {
		return err
	}
	seq := fmt.Sprint(c.last.Seq)
	if err := c.enqueue(EffectUpdateCard, seq, EffectPayload{}); err != nil {
		return err
	}
	return c.enqueue(EffectSetTopic, seq, EffectPayload{})
}

func utf8Len(s string) int { return utf8.RuneCountInString(s) }

// checkText cleans text (CleanText) and refuses it empty or too long.
func checkText(what, text string) (string, error) {
	text = strings.TrimSpace(CleanText(text))
	switch {
	case text == "":
		return "", Errorf(EINVALID, "%s needs some text.", what)
	case utf8.RuneCountInString(text) > MaxTextLen:
		return "", Errorf(EINVALID, "%s is too long; keep it to %d characters.", what, MaxTextLen)
	}
	return text, nil
}
