// Package incident is incidentbot's domain: incidents, their timeline, the side effects they
// imply, and the Service that implements the use cases. It defines the ports (Store, Chat,
// Clock) that adapters implement, and imports no SDK.
package incident

import (
	"fmt"
	"time"
)

// BotActor is the actor recorded for what the bot does on its own.
const BotActor = "incidentbot"

// Incident is one incident: its facts, where it lives in chat, and its state.
type Incident struct {
	ID          int64
	Number      int
	Title       string
	Description string
	Severity    Severity
	Service     string   // the service named at declaration; "" when none was
	Tier        Tier     // its tier; 0 when no service was named
	Services    []string // every affected service, Service first; the RTO clock runs on the tightest
	Status      Status
	Private     bool // a private channel; kept out of every public surface
	Drill       bool // an exercise: marked DRILL everywhere; pages only a drill target, acts only on drill clusters

	DeclaredBy string // user ID
	Commander  string // user ID; the declarer until handed off
	// Roles holds the other crisis roles (the commander is Commander) and on-call people.
	Roles         map[Role]RoleState
	OriginChannel string // where it was declared

	ChannelID   string // "" until the channel exists
	ChannelName string
	CardTS      string // the pinned incident card, "" until posted

	DeclaredAt  time.Time
	MitigatedAt time.Time // zero until mitigated
	ResolvedAt  time.Time // zero until resolved
	Summary     string    // the resolution summary

	PagerDutyID  string // the PagerDuty incident that triggered this one, if any
	PagerDutyURL string
	AckedAt      time.Time // the first acknowledgement in PagerDuty (MTTA); zero until then
	AckedBy      string
	Impact       map[string]int       // customer segment -> percent affected
	Comms        map[string]time.Time // audience -> when it last got an update (cadence)

	ReviewNumber  int // the post-incident review's issue number in the tracker; 0 until filed
	ReviewURL     string
	ReviewFiledAt time.Time     // the first filing
	RPOAchieved   time.Duration // the data loss window recorded with rpo; -1 when not recorded
	// RPOMeasured is the largest data loss a step measured (a database switchover); nil
	// when none did. DataLoss says which of the two the review and the KPIs use.
	RPOMeasured *MeasuredRPO

	// Suggestions are playbooks that fit the incident, offered on its card, and Objectives
	// its recovery targets. Not stored: the outbox fills them in before rendering.
	Suggestions []string
	Objectives  Objectives
	Estimate    Estimate
}

// Key is the incident's human identifier, such as INC-42.
func (inc *Incident) Key() string { return fmt.Sprintf("INC-%d", inc.Number) }

// Open reports whether the incident is not yet resolved.
func (inc *Incident) Open() bool { return inc.Status != StatusResolved }

// DrillMark is "[DRILL] " for exercises and "" otherwise, to put in front of what people see.
func (inc *Incident) DrillMark() string {
	if inc.Drill {
		return "[DRILL] "
	}
	return ""
}
