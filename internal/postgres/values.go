package postgres

import (
	"encoding/json"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The values below are stored as internal/sqlite stores them.

// formatTime stores a zero time as "" and others as incident.FormatTime does.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return incident.FormatTime(t)
}

// parseTime reads a time formatTime stored.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02T15:04:05.000Z", s)
}

func impactJSON(m map[string]int) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func commsJSON(m map[string]time.Time) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func rpoMillis(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return d.Milliseconds()
}
