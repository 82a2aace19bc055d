package incident

import (
	"strings"
)

// Role is a crisis role of the BCDR plan's crisis management team.
type Role string

// The crisis roles.
const (
	RoleCommander          Role = "incident-commander"
	RoleTechnicalLead      Role = "technical-lead"
	RoleBusinessContinuity Role = "business-continuity-lead"
	RoleCommunications     Role = "communications-lead"
	RoleLegalCompliance    Role = "legal-compliance-lead"
)

// CrisisRoles lists the roles in the order the plan gives them.
var CrisisRoles = []Role{RoleCommander, RoleTechnicalLead, RoleBusinessContinuity, RoleCommunications, RoleLegalCompliance}

// roleAliases are the short names people type at 3 a.m.
var roleAliases = map[string]Role{
	"ic": RoleCommander, "commander": RoleCommander,
	"tl": RoleTechnicalLead, "tech": RoleTechnicalLead, "tech-lead": RoleTechnicalLead,
	"bc": RoleBusinessContinuity, "bcl": RoleBusinessContinuity, "business-continuity": RoleBusinessContinuity,
	"comms": RoleCommunications, "communications": RoleCommunications,
	"legal": RoleLegalCompliance, "compliance": RoleLegalCompliance,
}

// ParseRole accepts a role's name or a short alias (ic, tl, bc, comms, legal). It returns
// EINVALID naming the roles for anything else.
func ParseRole(s string) (Role, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, r := range CrisisRoles {
		if s == string(r) {
			return r, nil
		}
	}
	if r, ok := roleAliases[s]; ok {
		return r, nil
	}
	return "", Errorf(EINVALID, "%s is not a crisis role. The roles are %s (or ic, tl, bc, comms, legal).", Quote(s), joinRoles(CrisisRoles))
}

// Title is the role as people say it.
func (r Role) Title() string {
	switch r {
	case RoleCommander:
		return "Incident commander"
	case RoleTechnicalLead:
		return "Technical lead"
	case RoleBusinessContinuity:
		return "Business continuity lead"
	case RoleCommunications:
		return "Communications lead"
	case RoleLegalCompliance:
		return "Legal and compliance lead"
	}
	return string(r)
}

// Short is the role's abbreviation for tight spaces (topic, card fields).
func (r Role) Short() string {
	switch r {
	case RoleCommander:
		return "IC"
	case RoleTechnicalLead:
		return "TL"
	case RoleBusinessContinuity:
		return "BC"
	case RoleCommunications:
		return "Comms"
	case RoleLegalCompliance:
		return "Legal"
	}
	return string(r)
}

// RoleState is who holds a role in an incident, and who PagerDuty says is on call for it.
type RoleState struct {
	Holder string // user ID; "" when unfilled
	OnCall string // user ID of the on-call person found through PagerDuty; "" when unknown
}

// Holder returns who holds role in inc ("" when unfilled). The commander is always known.
func (inc *Incident) Holder(r Role) string {
	if r == RoleCommander {
		return inc.Commander
	}
	return inc.Roles[r].Holder
}

func joinRoles(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}
