package postmortem

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// undoneText is what the steps table adds to the result of a step someone asked to undo:
// which step is its undo and how that went ("" for a step nobody asked to undo).
func undoneText(run *incident.Run, s *incident.RunStep) string {
	u := incident.UndoneBy(run, s)
	if u == nil {
		return ""
	}
	return fmt.Sprintf("; its undo is step %s (%s)", u.Ref(run), strings.ReplaceAll(string(u.State), "_", " "))
}
