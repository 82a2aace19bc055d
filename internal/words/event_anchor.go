package words

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Anchors of the hash chain (incident/anchor.go).
func init() {
	phrases[incident.EventAnchored] = func(e incident.TimelineEvent) Sentence {
		when := "hourly"
		if e.Data.How == incident.AnchorResolved {
			when = "at the resolution"
		}
		return say(fmt.Sprintf("Timeline anchored %s: %d events, head ", when, e.Data.Count), code(e.Data.Head)).sentence()
	}
	notices[incident.EventAnchored] = func(e incident.TimelineEvent, inc *incident.Incident) Sentence {
		a, _ := incident.AnchorOf(inc, e)
		return say(fmt.Sprintf("Timeline anchor: %d events. Kept outside the database so that a changed or shortened timeline shows (", a.Events),
			code("incidentbot timeline verify --anchors"), "): ", code(a.Line())).icon(IconLink).sentence()
	}

}
