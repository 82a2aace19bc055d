package incident

import (
	"context"
	"fmt"
	"time"
)

// PageTarget is who a page reaches: an escalation policy, the on-call of a schedule, one
// PagerDuty user, or an Events API v2 routing key. Exactly one is set.
type PageTarget struct {
	EscalationPolicy string
	Schedule         string
	User             string
	RoutingKey       string
}

// String names the target for people (never the routing key, which is a secret).
func (t PageTarget) String() string {
	switch {
	case t.EscalationPolicy != "":
		return "escalation policy " + t.EscalationPolicy
	case t.Schedule != "":
		return "schedule " + t.Schedule
	case t.User != "":
		return "user " + t.User
	case t.RoutingKey != "":
		return "an Events API integration"
	}
	return "nobody"
}

// PageRequest is one page to send.
type PageRequest struct {
	Key     string // idempotency key: PagerDuty's incident_key or dedup_key; a retry never pages twice
	Title   string
	Urgency string // "high" or "low"
	Service string // PagerDuty service ID for REST pages
	Target  PageTarget
	Details string // the Slack channel link and any message
}

// PageRef identifies a page in PagerDuty.
type PageRef struct {
	ID  string // the PagerDuty incident ID (REST) or the dedup key (Events API)
	URL string
}

// OnCallPerson is someone PagerDuty says is on call.
type OnCallPerson struct {
	ID    string
	Name  string
	Email string
}

// PagingSettings say whom each severity pages and how each role is reached.
type PagingSettings struct {
	Enabled    bool // a PagerDuty token is configured
	Targets    map[Role]PageTarget
	BySeverity map[Severity][]Role
	Service    string // PagerDuty service for REST pages when the incident's service names none
	// Drill, when set, is where a drill's pages go instead of the roles' targets (a drill
	// escalation policy, say); a drill pages nobody without it.
	Drill PageTarget
}

// TargetFor is where a page of role in inc goes: the drill target for a drill, else the
// role's. The zero PageTarget means the role cannot be paged.
func (p PagingSettings) TargetFor(inc *Incident, role Role) PageTarget {
	if inc.Drill {
		return p.Drill
	}
	return p.Targets[role]
}

// DefaultPagingBySeverity is the plan's default: P0 everyone, P1 commander, technical and
// communications leads, P2 commander and technical lead, P3 nobody.
func DefaultPagingBySeverity() map[Severity][]Role {
	return map[Severity][]Role{
		P0: CrisisRoles,
		P1: {RoleCommander, RoleTechnicalLead, RoleCommunications},
		P2: {RoleCommander, RoleTechnicalLead},
		P3: nil,
	}
}

// Pager is the paging service. Methods return *TemporaryError for failures worth retrying.
type Pager interface {
	// Page creates the page, or finds the one an earlier attempt with the same key created.
	Page(ctx context.Context, req PageRequest) (PageRef, error)
	// Resolve resolves a page (or a linked PagerDuty incident) the bot knows.
	Resolve(ctx context.Context, target PageTarget, ref PageRef) error
	// Note adds a note to a PagerDuty incident.
	Note(ctx context.Context, pdIncidentID, text string) error
	// HasNote reports whether the incident already has a note with exactly this text (a
	// retry checks before noting twice).
	HasNote(ctx context.Context, pdIncidentID, text string) (bool, error)
	// UserByEmail finds a PagerDuty user ID by email; found is false if none.
	UserByEmail(ctx context.Context, email string) (id string, found bool, err error)
	// OnCall lists who is on call for an escalation policy or schedule now.
	OnCall(ctx context.Context, target PageTarget) ([]OnCallPerson, error)
}

// Page is a page the bot sent for an incident.
type Page struct {
	ID         int64
	IncidentID int64
	Role       Role // "" for a page to a person
	Target     PageTarget
	Key        string // idempotency key
	PagerID    string // PagerDuty incident ID or dedup key
	ViaEvents  bool   // sent through the Events API (PagerID is then the dedup key)
	URL        string
	Status     string // triggered, acknowledged, resolved
	AckedBy    string // PagerDuty's name for who acknowledged
	AckedAt    time.Time
	CreatedAt  time.Time
}

// Urgency maps a severity to PagerDuty's urgency: P0 and P1 wake people up.
func Urgency(s Severity) string {
	if s == P0 || s == P1 {
		return "high"
	}
	return "low"
}

// PageKey is the idempotency key of the n-th page of role (or person) for inc.
func PageKey(inc *Incident, who string, n int) string {
	return fmt.Sprintf("incidentbot/%d/%s/%d", inc.ID, who, n)
}
