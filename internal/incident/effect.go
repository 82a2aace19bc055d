package incident

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// EffectKind names a side effect that the outbox delivers after a command commits.
type EffectKind string

// The effect kinds.
const (
	EffectCreateChannel EffectKind = "create_channel" // then invite, topic, card and announcement
	EffectSetTopic      EffectKind = "set_topic"
	EffectInvite        EffectKind = "invite"
	EffectPostCard      EffectKind = "post_card" // then pin_card
	EffectPinCard       EffectKind = "pin_card"
	EffectUpdateCard    EffectKind = "update_card"
	EffectAnnounce      EffectKind = "announce"
	EffectPost          EffectKind = "post"        // a text message in the incident channel
	EffectPage          EffectKind = "page"        // page a role or a person through PagerDuty
	EffectOnCall        EffectKind = "oncall"      // find a role's on-call people and invite them
	EffectPagerNotes    EffectKind = "pager_notes" // then one pager_note per linked PagerDuty incident
	EffectPagerNote     EffectKind = "pager_note"
	EffectPagerResolves EffectKind = "pager_resolves" // then one pager_resolve per open page
	EffectPagerResolve  EffectKind = "pager_resolve"
	EffectPostRunCard   EffectKind = "post_run_card"  // then pin it
	EffectPostStepCard  EffectKind = "post_step_card" // one step's card, then the next one's: in order
	EffectUpdateRunCard EffectKind = "update_run_card"
	EffectUpdateStep    EffectKind = "update_step_card"
	EffectExecuteStep   EffectKind = "execute_step"
	EffectPlanStep      EffectKind = "plan_step" // a server-side dry run, shown on the step card
	EffectTimer         EffectKind = "timer"     // due at NextAttemptAt: durable, survives restarts
	EffectFileReview    EffectKind = "file_review"
	EffectFileFollowup  EffectKind = "file_followup"
	EffectCloseFollowup EffectKind = "close_followup" // its issue, once it is done in chat
	EffectAnchorReview  EffectKind = "anchor_review"  // a timeline anchor, as a comment on the filed review
	EffectBookmark      EffectKind = "bookmark"       // one of the channel's bookmarks, linked to what it names now
	EffectStatusPage    EffectKind = "status_page"    // publish an event on the hosted status page (statuspage.go)
)

// EffectState is where an effect stands in the outbox.
type EffectState string

// The effect states. Pending effects are due at NextAttemptAt; inflight ones are being
// delivered; done and failed are final. Nothing is ever deleted.
const (
	EffectPending  EffectState = "pending"
	EffectInflight EffectState = "inflight"
	EffectDone     EffectState = "done"
	EffectFailed   EffectState = "failed"
)

// Effect is one side effect in the durable outbox.
type Effect struct {
	ID         int64
	IncidentID int64
	Kind       EffectKind
	Key        string // idempotency key, unique: enqueueing the same key twice is a no-op
	// Lane orders delivery: of the effects of one lane, only the first pending one (by
	// LaneRank, then ID) is delivered; "" is no lane. See laneOf.
	Lane     string
	LaneRank int
	// Priority orders the claims of due effects: critical ones first (priority.go).
	Priority      Priority
	Payload       EffectPayload
	State         EffectState
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	// Claim is the fencing token of the delivery that holds the effect: each claim takes the
	// next number, and a delivery can record its result, or start an action, only while the
	// effect still carries its token. ClaimedUntil is when the claim lapses unless renewed;
	// then any replica may take the effect over (a takeover counts as an attempt).
	Claim        int64
	ClaimedUntil time.Time
}

// EffectPayload carries what an effect needs beyond the incident's current state.
type EffectPayload struct {
	Text    string   `json:"text,omitempty"`
	Users   []string `json:"users,omitempty"`
	Channel string   `json:"channel,omitempty"` // a channel other than the incident's
	Role    Role     `json:"role,omitempty"`
	Key     string   `json:"key,omitempty"`      // a page's idempotency key
	PagerID string   `json:"pager_id,omitempty"` // a PagerDuty incident (or dedup key) to act on
	TS      string   `json:"ts,omitempty"`       // a message to act on
	RunID   int64    `json:"run_id,omitempty"`
	StepID  int64    `json:"step_id,omitempty"`
	Seq     int      `json:"seq,omitempty"`
	Timer   string   `json:"timer,omitempty"`   // what a timer is for: rto
	Percent int      `json:"percent,omitempty"` // of the RTO
	Target  int64    `json:"target,omitempty"`  // the RTO in milliseconds when it was set
	// Bookmark names the channel bookmark an EffectBookmark keeps current.
	Bookmark BookmarkKind `json:"bookmark,omitempty"`
}

// MarshalPayload encodes p for storage.
func (p EffectPayload) MarshalPayload() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// UnmarshalPayload decodes a stored payload.
func UnmarshalPayload(s string) (EffectPayload, error) {
	var p EffectPayload
	if s == "" {
		return p, nil
	}
	err := json.Unmarshal([]byte(s), &p)
	return p, err
}

// LapsedClaim is the last error of an effect taken over because the claim of the delivery
// that held it lapsed: its replica stopped, or hung past its lease.
const LapsedClaim = "interrupted: the claim of its delivery lapsed (the replica stopped or hung)"

// LostClaim is the error of a delivery that no longer holds its claim on e: another replica
// took e over, so this one may record nothing and start nothing. Its code is ECONFLICT.
func LostClaim(e *Effect) error {
	return &Error{Code: ECONFLICT, Message: fmt.Sprintf("effect %s: claim %d was taken over; this delivery records nothing", e.Key, e.Claim), lostClaim: true}
}

// IsLostClaim reports whether err is (or wraps) a LostClaim.
func IsLostClaim(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.lostClaim
}
