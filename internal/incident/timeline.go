package incident

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// EventKind names what a timeline event records.
type EventKind string

// The event kinds.
const (
	EventDeclared        EventKind = "declared"
	EventChannelCreated  EventKind = "channel_created"
	EventTopicSet        EventKind = "topic_set"
	EventInvited         EventKind = "invited"
	EventCardPosted      EventKind = "card_posted"
	EventCardPinned      EventKind = "card_pinned"
	EventCardUpdated     EventKind = "card_updated"
	EventAnnounced       EventKind = "announced"
	EventMessagePosted   EventKind = "message_posted"
	EventStatusUpdate    EventKind = "status_update"
	EventSeverityChanged EventKind = "severity_changed"
	EventNote            EventKind = "note"
	EventRoleAssigned    EventKind = "role_assigned"
	EventPaged           EventKind = "paged"
	EventOnCall          EventKind = "oncall"
	EventPagerNoted      EventKind = "pager_noted"
	EventPagerResolved   EventKind = "pager_resolved"
	EventAcknowledged    EventKind = "acknowledged"
	EventPagerActivity   EventKind = "pager_activity"
	EventPagerJoined     EventKind = "pager_joined"
	EventRunStarted      EventKind = "run_started"
	EventStepRequested   EventKind = "step_requested"
	EventStepApproved    EventKind = "step_approved"
	EventStepRefused     EventKind = "step_refused"
	EventStepRejected    EventKind = "step_rejected"
	EventStepRunning     EventKind = "step_running"
	EventStepResult      EventKind = "step_result"
	EventStepSkipped     EventKind = "step_skipped"
	EventStepDone        EventKind = "step_done"
	EventStepReset       EventKind = "step_reset"
	EventStepUnknown     EventKind = "step_unknown"
	EventStepPlanned     EventKind = "step_planned"
	EventStepVoided      EventKind = "step_voided"
	EventStepUndo        EventKind = "step_undo"
	EventServiceAdded    EventKind = "service_added"
	EventImpactSet       EventKind = "impact_set"
	EventCadence         EventKind = "cadence"
	EventCaptured        EventKind = "captured"
	EventCorrection      EventKind = "correction"
	EventReviewRequested EventKind = "review_requested"
	EventReviewFiled     EventKind = "review_filed"
	EventBoardReminder   EventKind = "board_reminder"
	EventFollowup        EventKind = "followup"
	EventFollowupDone    EventKind = "followup_done"
	EventRTOWarning      EventKind = "rto_warning"
	EventMitigated       EventKind = "mitigated"
	EventResolved        EventKind = "resolved"
	EventEffectFailing   EventKind = "effect_failing"
	EventEffectFailed    EventKind = "effect_failed"
	EventAnchored        EventKind = "anchored" // the chain's head, posted outside the database (anchor.go)
	// EventStatusPagePublished: an event was published on the hosted status page
	// (statuspage.go): How, Outcome the public status, Number the event, URL the page's link.
	EventStatusPagePublished EventKind = "status_page_published"
)

// TimelineEvent is one fact on an incident's append-only, hash-chained timeline.
type TimelineEvent struct {
	ID         int64
	IncidentID int64
	Seq        int       // 1 for the first event of the incident
	At         time.Time // UTC, millisecond precision, never before the previous event
	Actor      string    // a user ID or BotActor
	Kind       EventKind
	// Format is how the event is stored and hashed: FormatData (Data) for every event this
	// release writes, FormatText (Text, Slack text) for those written before it.
	Format int
	Data   EventData
	// DataJSON is Data as stored and hashed. Chain sets it; a store reading an event keeps
	// the bytes it read, so a stored change that decoding would hide still fails the hash.
	DataJSON string
	Text     string // FormatText only
	PrevHash string // "" for the first event
	Hash     string
}

// The storage formats of timeline events. Each keeps its own hash, so events written by
// an older release keep verifying.
const (
	FormatText = 1 // the event's words as Slack text, the only format before typed data
	FormatData = 2 // the event's data (EventData); the words come from the renderers
)

// Chain sets e's Seq, At, PrevHash and Hash so that it follows prev (nil for the first event).
// At is now truncated to the millisecond, or prev's time if the clock went backwards.
func (e *TimelineEvent) Chain(prev *TimelineEvent, now time.Time) {
	if e.Format == 0 {
		e.Format = FormatData
	}
	if e.Format == FormatData {
		e.DataJSON = e.marshalData()
	}
	e.At = now.UTC().Truncate(time.Millisecond)
	e.Seq = 1
	e.PrevHash = ""
	if prev != nil {
		e.Seq = prev.Seq + 1
		e.PrevHash = prev.Hash
		if e.At.Before(prev.At) {
			e.At = prev.At
		}
	}
	e.Hash = e.ComputeHash()
}

func (e *TimelineEvent) marshalData() string {
	b, err := json.Marshal(e.Data)
	if err != nil {
		panic(fmt.Sprintf("timeline event data does not encode: %v", err)) // only plain fields: cannot happen
	}
	return string(b)
}

// FormatTime renders t as the timeline does: UTC to the millisecond.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// ChainBreak describes the first event of a timeline that does not verify.
type ChainBreak struct {
	Event  TimelineEvent
	Reason string
}

// VerifyChain checks that events (one incident's, in order) form an unbroken chain, and
// returns the first break, or nil.
func VerifyChain(events []TimelineEvent) *ChainBreak {
	var v ChainVerifier
	for i := range events {
		if b := v.Add(&events[i]); b != nil {
			return b
		}
	}
	return nil
}

// ChainVerifier checks one incident's chain an event at a time, holding only what the next
// event is checked against (the previous event's seq, hash and time), so a timeline of any
// length verifies in constant memory. The zero value expects the first event.
type ChainVerifier struct {
	n        int // events accepted
	prevSeq  int
	prevHash string
	prevAt   time.Time
}

// Add checks e, the next event of the chain, and returns the break it makes, or nil. A break
// does not advance the verifier: later events are checked against the last one that
// verified. Add keeps nothing of e but its seq, hash and time (a caller may reuse e's
// struct); the break holds a copy of e.
func (v *ChainVerifier) Add(e *TimelineEvent) *ChainBreak {
	first := v.n == 0
	switch {
	case first && (e.Seq != 1 || e.PrevHash != ""):
		return &ChainBreak{*e, "the first event does not start the chain"}
	case !first && e.Seq != v.prevSeq+1:
		return &ChainBreak{*e, "sequence gap: an event is missing before it"}
	case !first && e.PrevHash != v.prevHash:
		return &ChainBreak{*e, "it does not link to the previous event's hash"}
	case !first && e.At.Before(v.prevAt):
		return &ChainBreak{*e, "its time is before the previous event's"}
	case e.ComputeHash() != e.Hash:
		return &ChainBreak{*e, "its content does not match its hash"}
	}
	v.n++
	v.prevSeq, v.prevHash, v.prevAt = e.Seq, e.Hash, e.At
	return nil
}

// Len returns how many events verified so far.
func (v *ChainVerifier) Len() int { return v.n }

// FormatDuration renders d for people: "42s", "17m", "2h05m".
func FormatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case int(d.Hours())%24 == 0:
		return fmt.Sprintf("%dd", int(d.Hours())/24)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

// Housekeeping reports whether events of kind k are the bot's own bookkeeping (posts, card
// updates, topics, pins): left out of `/incident timeline` and the review unless asked for.
func (k EventKind) Housekeeping() bool {
	return slices.Contains(housekeepingKinds, k)
}
