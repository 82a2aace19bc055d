package postmortem_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postmortem"
)

// The review's RPO row: the window typed with /incident rpo alone, or the measured one with
// how it was measured (the typed one beside it), each against the target.
func TestReviewRPORow(t *testing.T) {
	w, err := postmortem.New("", nil)
	if err != nil {
		t.Fatal(err)
	}
	declared := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	measured := &incident.MeasuredRPO{Window: 45 * time.Second, LagBytes: 4096, Basis: "n2 was 4096 bytes behind; <its> last replayed transaction was 45s old", Step: "1.3 promote-db"}
	for _, tc := range []struct {
		name     string
		typed    time.Duration
		measured *incident.MeasuredRPO
		want     string
	}{
		{"none", -1, nil, "| RPO | 30s (intent-processing) | not recorded (`/incident rpo <window>`) | - |"},
		{"typed", 20 * time.Second, nil, "| RPO | 30s (intent-processing) | 20s | met |"},
		{"measured", -1, measured, "| RPO | 30s (intent-processing) | 45s, measured at the switchover of step 1.3 promote-db (n2 was 4096 bytes behind; &lt;its&gt; last replayed transaction was 45s old) | missed |"},
		{"measured and typed", 20 * time.Second, measured, "| RPO | 30s (intent-processing) | 45s, measured at the switchover of step 1.3 promote-db (n2 was 4096 bytes behind; &lt;its&gt; last replayed transaction was 45s old); recorded by hand: 20s | missed |"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inc := &incident.Incident{Number: 9, Title: "x", Severity: incident.P1, Status: incident.StatusResolved, DeclaredAt: declared,
				ResolvedAt: declared.Add(42 * time.Minute), RPOAchieved: tc.typed, RPOMeasured: tc.measured, Services: []string{"intent-processing"}}
			d := incident.ReviewData{Incident: inc, Now: declared.Add(time.Hour),
				Objectives: incident.Objectives{RPO: 30 * time.Second, RPOService: "intent-processing"}}
			r, err := w.Write(d)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.Body, tc.want+"\n") {
				row := ""
				for _, l := range strings.Split(r.Body, "\n") {
					if strings.HasPrefix(l, "| RPO") {
						row = l
					}
				}
				t.Errorf("RPO row:\n%s\nwant:\n%s", row, tc.want)
			}
		})
	}
}
