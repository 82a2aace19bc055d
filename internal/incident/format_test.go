package incident_test

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Durations read at a glance: seconds, minutes, hours and minutes, then days (follow-ups
// run for weeks).
func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 1500 * time.Millisecond: "2s", 59 * time.Second: "59s", 15 * time.Minute: "15m",
		90 * time.Minute: "1h30m", 23*time.Hour + 59*time.Minute: "23h59m", 24 * time.Hour: "1d",
		30 * 24 * time.Hour: "30d", 3*24*time.Hour + 5*time.Hour + 7*time.Minute: "3d5h",
	} {
		if got := incident.FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
