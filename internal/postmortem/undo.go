package postmortem

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// undoneText is what the steps table adds to the result of a step someone undid: which
// step undoes it and how that went ("" for a step nobody undid).
func undoneText(run *incident.Run, s *incident.RunStep) string {
	u := incident.UndoneBy(run, s)
	if u == nil {
		return ""
	}
	return fmt.Sprintf("; undone by step %s (%s)", u.Ref(run), strings.ReplaceAll(string(u.State), "_", " "))
}
