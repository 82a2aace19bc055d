package incident

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CapturedMessage is a chat message put on the timeline.
type CapturedMessage struct {
	Author    string // user ID
	Text      string
	TS        string // the chat's message ID
	Permalink string
	At        time.Time // when it was written
}

// CaptureMessage adds a message of the incident channel to the timeline (pinned, marked with
// a :pushpin: reaction, or sent by the message shortcut), once however it is captured. The
// event's actor is the message's author, so they can correct it. It reports whether it was
// new. Errors: ENOTFOUND, EINVALID.
func (s *Service) CaptureMessage(ctx context.Context, actor, channelID, how string, m CapturedMessage) (*Incident, bool, error) {
	text := strings.TrimSpace(CleanText(m.Text))
	if text == "" {
		return nil, false, Errorf(EINVALID, "That message has no text to put on the timeline.")
	}
	text = cut(text, MaxTextLen)
	fresh := false
	inc, err := s.change(ctx, channelID, func(c *change) error {
		var err error
		if fresh, err = c.tx.MarkSeen(fmt.Sprintf("capture:%s:%s", channelID, m.TS), c.now); err != nil || !fresh {
			return err
		}
		d := EventData{Text: text, Users: nonEmpty(actor), How: how, URL: m.Permalink}
		if !m.At.IsZero() {
			d.When = m.At.UTC().Truncate(time.Millisecond)
		}
		return c.event(m.Author, EventCaptured, d)
	})
	return inc, fresh, err
}

// correctable are the kinds of event people wrote and may correct.
var correctable = map[EventKind]bool{EventNote: true, EventCaptured: true, EventStatusUpdate: true}

// CorrectEvent records a correction of event #seq by its author or the commander. The
// original stays in the hash chain; the correction is a new event pointing at it. Errors:
// ENOTFOUND, EINVALID, EFORBIDDEN.
func (s *Service) CorrectEvent(ctx context.Context, actor, channelID string, seq int, text string) (*Incident, error) {
	text, err := checkText("A correction", text)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, channelID, func(c *change) error {
		orig, err := c.tx.Event(c.inc.ID, seq) // one event, not the whole timeline
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(ENOTFOUND, "%s has no event #%d; /incident timeline shows the numbers.", c.inc.Key(), seq)
		}
		if err != nil {
			return err
		}
		if !correctable[orig.Kind] {
			return Errorf(EINVALID, "Event #%d is a %s recorded by the bot; only notes, captured messages and updates can be corrected.", seq, orig.Kind)
		}
		if actor != orig.Actor && actor != c.inc.Commander {
			return Errorf(EFORBIDDEN, "Only the author of event #%d or the incident commander can correct it.", seq)
		}
		return c.event(actor, EventCorrection, EventData{Number: seq, Text: text})
	})
}
