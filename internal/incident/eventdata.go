package incident

import "time"

// EventData is what a timeline event records, as data: the people and objects it is about
// and its typed fields. Which fields an event fills depends on its kind (see the renderers
// in internal/words); the rest stay empty and are left out of the stored JSON, so adding a
// field changes neither old events nor their hashes.
//
// Text fields hold what a person typed, as the chat sent it (a Slack message keeps its
// <@U…> mentions and escapes); renderers turn those into each surface's idiom. Nothing else
// here is markup: the domain writes no chat syntax.
type EventData struct {
	Users    []string `json:"users,omitempty"`    // the people it is about besides the actor, in order
	Others   []string `json:"others,omitempty"`   // people outside chat, by the name a service gave
	Was      string   `json:"was,omitempty"`      // who held a role before, or a previous state
	Role     Role     `json:"role,omitempty"`     // the crisis role it is about
	Channel  string   `json:"channel,omitempty"`  // a channel ID
	Severity Severity `json:"severity,omitempty"` // the incident's severity then (the new one for a change)
	From     Severity `json:"from,omitempty"`     // the severity before a change
	Status   Status   `json:"status,omitempty"`   // the incident's status then
	Title    string   `json:"title,omitempty"`    // the incident's title, or a playbook's
	Text     string   `json:"text,omitempty"`     // what a person wrote: a note, an update, a summary
	Detail   string   `json:"detail,omitempty"`   // what a service answered (a plan, a result, an error)
	Private  bool     `json:"private,omitempty"`
	Drill    bool     `json:"drill,omitempty"`

	Audiences []string  `json:"audiences,omitempty"` // who an update is for
	Roles     []Role    `json:"roles,omitempty"`     // roles that may approve
	Groups    []string  `json:"groups,omitempty"`    // approver groups that may approve
	Service   string    `json:"service,omitempty"`   // a service of the catalog
	Tier      Tier      `json:"tier,omitempty"`
	Playbook  string    `json:"playbook,omitempty"`
	Params    string    `json:"params,omitempty"` // a run's parameters as key=value, sorted
	Step      *StepRef  `json:"step,omitempty"`
	Pager     *PagerRef `json:"pager,omitempty"`

	Number  int    `json:"number,omitempty"`  // a follow-up's, an event's, an issue's number
	URL     string `json:"url,omitempty"`     // a link: an issue, a message, a PagerDuty incident
	Outcome string `json:"outcome,omitempty"` // how something ended: a step's result, a follow-up's closing
	Reason  string `json:"reason,omitempty"`  // why something was refused, or what a timer is
	How     string `json:"how,omitempty"`     // a variant of the kind (see the Event… constants)

	Percent     int           `json:"percent,omitempty"`
	Count       int           `json:"count,omitempty"`        // attempts, event counts
	Duration    time.Duration `json:"duration,omitempty"`     // an elapsed time, a window
	Objective   time.Duration `json:"objective,omitempty"`    // the RTO or RPO it is measured against
	ObjectiveOf string        `json:"objective_of,omitempty"` // the service that sets that objective
	Due         time.Time     `json:"due,omitzero"`           // a deadline
	When        time.Time     `json:"when,omitzero"`          // when something else happened (an update posted, a message written)
	Money       []Money       `json:"money,omitempty"`        // amounts: hourly and so far, in that order
	Shares      []Share       `json:"shares,omitempty"`       // customers affected per segment
	Effect      EffectKind    `json:"effect,omitempty"`       // the effect a failure report is about
	Head        string        `json:"head,omitempty"`         // anchored: the hash of the chain's head (event Count)
	Digest      string        `json:"digest,omitempty"`       // a plan's PlanDigest: the one approved, or the new one
}

// What the How field of some kinds says.
const (
	CardIncident            = "incident"     // card_posted, card_pinned: the incident card
	CardRun                 = "run"          // card_pinned: a playbook run's card
	ChannelAdopted          = "adopted"      // channel_created: found after a retry, made by an attempt that died
	PagedByEvents           = "events"       // paged: through the Events API (no PagerDuty incident to link)
	NotedBefore             = "before"       // pager_noted: an attempt that died had added the note
	FollowupClosedOnTracker = "tracker"      // followup_done: closed on the tracker (Others: by whom; Count: the issue)
	ImpactDataLoss          = "rpo"          // impact_set: the data loss window recorded (Duration, against Objective)
	ImpactDataLossMeasured  = "rpo_measured" // impact_set: the data loss a step measured at a switchover (Duration, against Objective; Step; Detail: how)
	FirstAck                = "first"        // acknowledged: the incident\'s first acknowledgement (Duration: after the declaration)
	DeclaredByPager         = "pagerduty"    // declared: by a PagerDuty incident (Pager)
	JoinedNotice            = "notice"       // pager_joined: the channel told of the alerts that joined (Count in the window, Number in all)
	CadenceMet              = "met"          // cadence: the update was posted in time (When)
	CadenceMissed           = "missed"       // cadence: it was not (Users: who owes it; Was: the commander told)
	CadenceDue              = "due"          // cadence: the report is due and the bot cannot see it (no tracker)
)

// What the How of review_filed says.
const (
	ReviewFirst          = "filed"           // the review was filed (URL, Number)
	ReviewUpdated        = "updated"         // the filed review was written again
	ReviewFollowupFiled  = "followup"        // a follow-up became an issue (Number: the follow-up)
	ReviewFollowupClosed = "followup_closed" // the issue of a follow-up done in chat was closed
	ReviewAnchorAdded    = "anchor"          // a timeline anchor was added to the review (Number: the anchored event; URL: the comment)
)

// What the How of step events says.
const (
	StepTwoPerson   = "two_person"  // step_requested: under the two-person rule
	StepStalePlan   = "stale_plan"  // step_refused: the approval waits for a fresh dry run (Reason)
	StepInterrupted = "interrupted" // step_unknown: it was running when the bot stopped
)

// AudienceReport is the cadence event's audience for the post-incident report's deadline.
const AudienceReport = "report"

// StepRef names a playbook step in an event.
type StepRef struct {
	Run   int64  `json:"run"`
	ID    int64  `json:"id"`  // the step's global ID
	Seq   int    `json:"seq"` // its place in the run, from 1
	Key   string `json:"key"` // its ID in the playbook
	Title string `json:"title"`
}

// ref names s in an event.
func (s *RunStep) ref() *StepRef {
	return &StepRef{Run: s.RunID, ID: s.ID, Seq: s.Seq, Key: s.Spec.StepID, Title: s.Spec.Title}
}

// PagerRef names a page or a PagerDuty incident in an event.
type PagerRef struct {
	ID     string `json:"id,omitempty"`     // the PagerDuty incident
	Number int    `json:"number,omitempty"` // its number in PagerDuty
	Target string `json:"target,omitempty"` // what was paged: escalation policy ..., schedule ...
	Agent  string `json:"agent,omitempty"`  // who acted in PagerDuty (a PagerDuty name, not a chat user)
	Event  string `json:"event,omitempty"`  // a PagerDuty event type without its prefix: acknowledged
	URL    string `json:"url,omitempty"`
	// Priority and Urgency are what PagerDuty said of an incident it triggered.
	Priority string `json:"priority,omitempty"`
	Urgency  string `json:"urgency,omitempty"`
}

// Money is an amount in whole dollars.
type Money int64

// Share is the share of a customer segment affected.
type Share struct {
	Segment string `json:"segment"`
	Percent int    `json:"percent"`
}
