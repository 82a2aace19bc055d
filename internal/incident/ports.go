package incident

import (
	"context"
	"time"
)

// Clock tells the time. Tests inject a fake one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// Store is durable state. Update runs fn in one write transaction (one writer at a time,
// so a read followed by a write inside fn is a compare-and-set); View runs fn read-only.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is what a transaction can read and write. Lookups return ENOTFOUND when nothing matches.
type Tx interface {
	NextIncidentNumber() (int, error)
	CreateIncident(inc *Incident) error // sets inc.ID
	UpdateIncident(inc *Incident) error
	Incident(id int64) (*Incident, error)
	IncidentByChannel(channelID string) (*Incident, error)
	IncidentIDs() ([]int64, error)
	IncidentIDsSince(since time.Time) ([]int64, error) // declared at or after since
	// RecentIncidents returns every open incident and the latest limit resolved ones, newest first.
	RecentIncidents(limit int) ([]Incident, error)
	// CountIncidents counts incidents by {status, severity}.
	CountIncidents() (map[[2]string]int, error)

	LastEvent(incidentID int64) (*TimelineEvent, error) // nil, nil when there is none
	InsertEvent(e *TimelineEvent) error                 // sets e.ID
	Events(incidentID int64) ([]TimelineEvent, error)   // in sequence order
	Event(incidentID int64, seq int) (*TimelineEvent, error)
	// EachEvent calls fn with every event of every incident, in (incident ID, seq) order,
	// reading them as it goes: memory stays constant however many there are. Each event is
	// as stored, enough to verify it: its data is in DataJSON, Data is not decoded. fn may
	// keep e but must not use the Tx (the read is still open); an error from fn stops the
	// walk and is returned as it is.
	EachEvent(fn func(e *TimelineEvent) error) error

	// Enqueue adds an effect unless one with the same key exists; it reports whether it did.
	Enqueue(e *Effect) (bool, error)
	// ClaimEffects claims up to limit effects for lease: pending ones due at now, and inflight
	// ones whose claim lapsed (a replica died holding them; the takeover counts as an
	// attempt). Each gets the next Claim token; with several replicas no effect is claimed
	// by two at once.
	// Of the effects due, higher priorities are claimed first, then the earliest due.
	ClaimEffects(now time.Time, limit int, lease time.Duration) ([]Effect, error)
	// ClaimPriority claims like ClaimEffects, but only effects of priority min or higher.
	ClaimPriority(now time.Time, min Priority, limit int, lease time.Duration) ([]Effect, error)
	// SaveEffect stores an effect's state, attempts, next attempt and last error, if it still
	// carries e.Claim; else it returns ECONFLICT (LostClaim) and changes nothing.
	SaveEffect(e *Effect) error
	// RenewClaim extends the claim e.Claim of an inflight effect to until; ECONFLICT when the
	// claim was taken over.
	RenewClaim(e *Effect, until time.Time) error
	// NextEffectDue returns when the earliest pending effect is due (zero if none).
	NextEffectDue() (time.Time, error)
	// ReleaseInflight turns inflight effects back into pending ones (at start-up), counting
	// the interrupted delivery as an attempt.
	ReleaseInflight() (int, error)
	// WakeParked makes the pending effects of these kinds that were parked (their last
	// error starts with ParkedPrefix) due at now, and returns how many.
	WakeParked(kinds []EffectKind, now time.Time) (int, error)
	Effects(incidentID int64) ([]Effect, error)
	// PendingInLane returns the pending effects of a lane (not ""), in lane order.
	PendingInLane(lane string) ([]Effect, error)
	// SupersedeEffects marks done, with note as their last error, those of the effects ids
	// still pending (a later delivery sent what they would have), and returns how many.
	SupersedeEffects(ids []int64, note string) (int, error)

	InsertPage(p *Page) error
	UpdatePage(p *Page) error
	Pages(incidentID int64) ([]Page, error)
	PageByPagerID(pagerID string) (*Page, error)
	IncidentByPagerDutyID(id string) (*Incident, error)
	// OpenIncidentOf returns the open incident, not a drill, that affects service and was
	// declared at or after since, the latest declared if several (locked in a write
	// transaction). Before it looks, a write transaction waits for every other one that may
	// declare an incident (as NextIncidentNumber does), so a trigger that finds none and
	// declares cannot race another trigger that does the same. Errors: ENOTFOUND.
	OpenIncidentOf(service string, since time.Time) (*Incident, error)

	InsertFollowup(f *Followup) error
	Followups(incidentID int64) ([]Followup, error)
	SetFollowupIssue(id int64, ref IssueRef) error
	CompleteFollowup(f *Followup) error      // records DoneAt, DoneBy and Outcome, once
	OpenFollowupIssues() ([]Followup, error) // open follow-ups filed as issues, of every incident

	// MarkSeen records key (a Slack event ID, say) and reports whether it was new.
	MarkSeen(key string, at time.Time) (bool, error)

	// ReminderPosted and MarkReminderPosted keep, for good, the drill reminders posted.
	ReminderPosted(key string) (bool, error)
	MarkReminderPosted(key string, at time.Time) error

	RunTx
	ListTx
	StatusTx
	EventWindowTx
	StatsTx
	LiveTx
	LookupTx
	StatusPageTx
}

// Channel is a chat channel the bot created.
type Channel struct {
	ID   string
	Name string
}

// Message is something the bot posts. Exactly one of Event, Text, Card, Announcement or
// Run is the content.
type Message struct {
	Key          string         // idempotency key, carried with the message so a retry can find it
	Event        *TimelineEvent // the notice of an event of Incident, said in the chat's words
	Draft        *Draft         // with a cadence reminder's Event: the update it drafts (draft.go)
	Text         string         // Slack text, queued by a release before typed events
	Card         *Incident      // the incident card
	Announcement *Incident      // the announcement of a new incident
	// Run with Step is a step's card; Run alone is the run's progress card. Incident and
	// Now go with them (deadlines are shown against Now).
	Run      *Run
	Step     *RunStep
	Incident *Incident
	Now      time.Time
}

// Chat is the chat platform, as the outbox needs it. Methods return *TemporaryError for
// failures worth retrying, an *Error with ECONFLICT for a taken channel name, ENOTFOUND when
// the channel is gone, and other errors for failures that retrying will not fix.
type Chat interface {
	CreateChannel(ctx context.Context, name string, private bool) (Channel, error)
	// FindChannel finds a channel by exact name among those the bot can see; found is false if none.
	FindChannel(ctx context.Context, name string) (ch Channel, found bool, err error)
	// SetTopic sets the channel's topic to the incident's summary line.
	SetTopic(ctx context.Context, channelID string, inc *Incident) error
	Invite(ctx context.Context, channelID string, users []string) error
	Post(ctx context.Context, channelID string, m Message) (ts string, err error)
	// FindPosted finds a recent message the bot posted with idempotency key key.
	FindPosted(ctx context.Context, channelID, key string) (ts string, found bool, err error)
	UpdateCard(ctx context.Context, channelID, ts string, inc *Incident) error
	// Update replaces a message the bot posted (a step or run card) with m.
	Update(ctx context.Context, channelID, ts string, m Message) error
	Pin(ctx context.Context, channelID, ts string) error
	// ChannelURL is a link that opens the channel.
	ChannelURL(channelID string) string
	// UserEmail returns a user's email address ("" when hidden).
	UserEmail(ctx context.Context, userID string) (string, error)
	// UserName returns a user's name as people know it, for text read outside chat.
	UserName(ctx context.Context, userID string) (string, error)
	// ChannelName returns a channel's name, for text read outside chat.
	ChannelName(ctx context.Context, channelID string) (string, error)
	// UserByEmail finds the chat user with this email; found is false if none.
	UserByEmail(ctx context.Context, email string) (userID string, found bool, err error)
	// SetBookmark makes the channel's bookmark titled b.Title link to b.Link: it adds it
	// when the channel has none of that title, edits it when it links elsewhere, and leaves
	// it alone when it already links there, so a retry never adds a second one.
	SetBookmark(ctx context.Context, channelID string, b Bookmark) error
	// Permalink is a link that opens the message ts of the channel.
	Permalink(ctx context.Context, channelID, ts string) (string, error)
}

// RunTx is what a transaction can do with playbook runs.
type RunTx interface {
	CreateRun(r *Run) error // sets the IDs of the run and its steps
	UpdateRun(r *Run) error
	Run(id int64) (*Run, error) // with its steps
	Runs(incidentID int64) ([]Run, error)
	UpdateRunStep(s *RunStep) error // its state, what happened to it and its Prior
	// AddRunStep appends a step to its run (s.RunID, s.Seq the next free place) and sets
	// its ID: an Undo's inverse step.
	AddRunStep(s *RunStep) error
	RunStepRef(id int64) (runID int64, err error)
	StepsInState(state StepState) ([]RunStep, error)
}
