package incident

import (
	"context"
	"fmt"
	"time"
)

// maxNameAttempts bounds the names tried for one channel before giving up.
const maxNameAttempts = 10

// result is what a delivered effect changes: incident fields it learned, the timeline
// event that records it, and the effects that may now run.
type result struct {
	apply  func(*Incident)
	store  func(tx Tx, now time.Time) error // more to record in the same transaction
	more   func(c *change) error            // more changes to the incident, its timeline and effects
	event  EventKind
	data   EventData
	follow []followUp
	// supersedes are the effects this delivery makes needless (coalesce.go); the outbox
	// fills it in.
	supersedes []int64
}

type followUp struct {
	kind          EffectKind
	discriminator string
	payload       EffectPayload
	due           time.Time // zero: now
	tell          bool      // an EffectPost of the event the result records (its Seq goes in the payload)
}

func (o *Outbox) timer(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	switch e.Payload.Timer {
	case "rto":
		return o.rtoTimer(inc, e)
	case "cadence":
		return o.reminderTimer(inc, e)
	case "report":
		return o.reportTimer(inc)
	case joinTimer:
		return o.joinedTimer(ctx, inc, e)
	case anchorTimer:
		return o.anchorTimer(inc, e)
	}
	return result{}, fmt.Errorf("unknown timer %q", e.Payload.Timer)
}

func (o *Outbox) setTopic(ctx context.Context, inc *Incident, _ *Effect) (result, error) {
	if err := o.Chat.SetTopic(ctx, inc.ChannelID, inc); err != nil {
		return result{}, err
	}
	return result{event: EventTopicSet, data: EventData{Severity: inc.Severity, Status: inc.Status, Title: inc.Title, Users: nonEmpty(inc.Commander)}}, nil
}

func (o *Outbox) invite(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	if err := o.Chat.Invite(ctx, inc.ChannelID, e.Payload.Users); err != nil {
		return result{}, err
	}
	return result{event: EventInvited, data: EventData{Users: e.Payload.Users}}, nil
}

func (o *Outbox) postCard(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	o.suggest(inc)
	ts, err := o.post(ctx, inc.ChannelID, e, Message{Key: e.Key, Card: inc})
	if err != nil {
		return result{}, err
	}
	return result{
		apply:  func(i *Incident) { i.CardTS = ts },
		event:  EventCardPosted,
		data:   EventData{How: CardIncident},
		follow: []followUp{{kind: EffectPinCard, discriminator: ts}},
	}, nil
}

// pinCard pins the incident card, or the run card whose message the payload names.
func (o *Outbox) pinCard(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	ts, what := inc.CardTS, CardIncident
	if e.Payload.TS != "" {
		ts, what = e.Payload.TS, CardRun
	}
	if err := o.Chat.Pin(ctx, inc.ChannelID, ts); err != nil {
		return result{}, err
	}
	return result{event: EventCardPinned, data: EventData{How: what}}, nil
}

func (o *Outbox) updateCard(ctx context.Context, inc *Incident, _ *Effect) (result, error) {
	if inc.CardTS == "" {
		return result{}, Errorf(ENOTREADY, "the card is not posted yet")
	}
	o.suggest(inc)
	if err := o.Chat.UpdateCard(ctx, inc.ChannelID, inc.CardTS, inc); err != nil {
		return result{}, err
	}
	return result{event: EventCardUpdated, data: EventData{Severity: inc.Severity, Status: inc.Status}}, nil
}

func (o *Outbox) announce(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	ch := e.Payload.Channel
	if _, err := o.post(ctx, ch, e, Message{Key: e.Key, Announcement: inc}); err != nil {
		return result{}, err
	}
	return result{event: EventAnnounced, data: EventData{Channel: ch}}, nil
}

// postMessage posts the notice of the event the payload names (Seq), or, for a post queued
// by an older release, the Slack text it carries: in the incident channel, or in the
// payload's Channel when it names one (a break-glass approval told in the announce channel).
func (o *Outbox) postMessage(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	m := Message{Key: e.Key, Text: e.Payload.Text, Incident: inc}
	if e.Payload.Text == "" {
		var ev *TimelineEvent
		if err := o.Store.View(ctx, func(tx Tx) (err error) { ev, err = tx.Event(inc.ID, e.Payload.Seq); return err }); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return result{}, fmt.Errorf("the event #%d to post is not on the timeline", e.Payload.Seq)
			}
			return result{}, StoreFailed(err)
		}
		m.Event = ev
		m.Draft = o.reminderDraft(ctx, inc, ev)
	}
	ch := inc.ChannelID
	if e.Payload.Channel != "" {
		ch = e.Payload.Channel
	}
	ts, err := o.post(ctx, ch, e, m)
	if err != nil {
		return result{}, err
	}
	d := EventData{URL: ts, Number: e.Payload.Seq}
	if ch != inc.ChannelID {
		d.Channel = ch
	}
	return result{event: EventMessagePosted, data: d}, nil
}

// suggest fills in what the incident's card shows beyond the stored incident: the playbooks
// to offer and the recovery objectives.
func (o *Outbox) suggest(inc *Incident) {
	inc.Objectives = inc.ComputeObjectives(o.Settings.Catalog)
	inc.Estimate = inc.EstimateImpact(o.Settings.Catalog, o.Clock.Now())
	if f := o.Settings.SuggestPlaybooks; f != nil && inc.Open() {
		inc.Suggestions = f(inc)
	}
}

// post posts m once: when an earlier attempt may have succeeded before its result was
// recorded, it first looks for that message.
func (o *Outbox) post(ctx context.Context, channelID string, e *Effect, m Message) (string, error) {
	if e.Attempts > 0 {
		ts, found, err := o.Chat.FindPosted(ctx, channelID, e.Key)
		if err != nil {
			return "", err
		}
		if found {
			return ts, nil
		}
	}
	return o.Chat.Post(ctx, channelID, m)
}

// createChannel creates the incident channel, trying further names while they are taken.
// When an earlier attempt may have created it, it adopts the bot's channel of that name.
func (o *Outbox) createChannel(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	if inc.ChannelID != "" {
		return o.channelReady(inc, Channel{ID: inc.ChannelID, Name: inc.ChannelName}, false), nil
	}
	for attempt := 0; attempt < maxNameAttempts; attempt++ {
		name := ChannelName(o.Settings.ChannelPrefix, inc, attempt)
		if e.Attempts > 0 {
			ch, found, err := o.Chat.FindChannel(ctx, name)
			if err != nil {
				return result{}, err
			}
			if found {
				return o.channelReady(inc, ch, true), nil
			}
		}
		ch, err := o.Chat.CreateChannel(ctx, name, inc.Private)
		if ErrorCode(err) == ECONFLICT {
			continue
		}
		if err != nil {
			return result{}, err
		}
		return o.channelReady(inc, ch, false), nil
	}
	return result{}, fmt.Errorf("the names %s to -%d are all taken", ChannelName(o.Settings.ChannelPrefix, inc, 0), maxNameAttempts)
}

// channelReady records the channel and queues what needs it: invite, card, topic and the
// announcement, which do not depend on each other.
func (o *Outbox) channelReady(inc *Incident, ch Channel, adopted bool) result {
	d := EventData{Channel: ch.ID, Title: ch.Name}
	if adopted {
		d.How = ChannelAdopted
	}
	r := result{
		apply: func(i *Incident) { i.ChannelID, i.ChannelName = ch.ID, ch.Name },
		event: EventChannelCreated,
		data:  d,
		follow: []followUp{
			{kind: EffectPostCard, discriminator: "card"},
			{kind: EffectSetTopic, discriminator: "initial"},
		},
	}
	if inc.DeclaredBy != BotActor {
		r.follow = append(r.follow, followUp{kind: EffectInvite, discriminator: "declarer", payload: EffectPayload{Users: []string{inc.DeclaredBy}}})
	}
	if o.Pager != nil {
		r.follow = append(r.follow, followUp{kind: EffectPagerNotes, discriminator: "channel",
			payload: EffectPayload{Text: fmt.Sprintf("Slack channel for %s: %s", inc.Key(), o.Chat.ChannelURL(ch.ID))}})
	}
	r.follow = append(r.follow, o.channelBookmarks(inc)...)
	// Queued with the declaration since; kept for incidents declared before (same key).
	if a := o.Settings.AnnounceChannel; a != "" && !inc.Private {
		r.follow = append(r.follow, followUp{kind: EffectAnnounce, discriminator: "new", payload: EffectPayload{Channel: a}})
	}
	return r
}

// nonEmpty is a list of the user, or nil when there is none.
func nonEmpty(user string) []string {
	if user == "" {
		return nil
	}
	return []string{user}
}
