package words

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Topic is the channel topic: severity, status, commander and the title.
func Topic(inc *incident.Incident) Sentence {
	b := say(fmt.Sprintf("%s%s %s | %s | IC ", inc.DrillMark(), inc.Key(), inc.Severity, inc.Status))
	return b.add(Commander(inc).Parts, " | ", chat(inc.Title)).sentence()
}

// Commander is the incident commander, or "unfilled" (with who is on call for the role
// when PagerDuty said) for an incident nobody has taken command of yet.
func Commander(inc *incident.Incident) Sentence {
	if inc.Commander != "" {
		return say(person(inc.Commander)).sentence()
	}
	if oc := inc.Roles[incident.RoleCommander].OnCall; oc != "" {
		return say("unfilled, on call ", person(oc)).sentence()
	}
	return say("unfilled").sentence()
}
