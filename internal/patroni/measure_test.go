package patroni

import (
	"strings"
	"testing"
	"time"
)

// The rule of Measure, case by case: the synchronous standby and a replica 0 bytes behind
// lose nothing; a replica behind is dated by its last replayed transaction; without a
// replay time there is no measurement.
func TestMeasure(t *testing.T) {
	now := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	status := func(replayed string) *NodeStatus {
		var s NodeStatus
		s.XLog.ReplayedTimestamp = replayed
		return &s
	}
	r := &Replication{Leader: "n1", Replicas: []Replica{
		{Name: "sync", Role: "sync_standby", Sync: true, Streaming: true, Lag: Lag{Bytes: 9000, Known: true}},
		{Name: "zero", Role: "replica", Streaming: true, Lag: Lag{Bytes: 0, Known: true}},
		{Name: "behind", Role: "replica", Streaming: true, Lag: Lag{Bytes: 4096, Known: true}},
		{Name: "unknown", Role: "replica", Lag: Lag{}},
	}}
	for _, tc := range []struct {
		name, candidate string
		status          *NodeStatus
		ok              bool
		window          time.Duration
		lag             int64
		says            string
	}{
		{"synchronous standby", "sync", nil, true, 0, 9000, "sync was the synchronous standby, so every acknowledged commit was on it; lag 9000 bytes"},
		{"0 bytes behind", "zero", nil, true, 0, 0, "zero was 0 bytes behind the leader"},
		{"behind, dated", "behind", status("2026-12-01 20:59:17.5+00:00"), true, 42*time.Second + 500*time.Millisecond, 4096,
			"behind was 4096 bytes (4.0 kB) behind; its last replayed transaction was 42.5s old when the switchover started"},
		{"behind, replay time in the future", "behind", status("2026-12-01 21:00:01+00:00"), true, 0, 4096, "was 0s old"},
		{"behind, status not read", "behind", nil, false, 0, 4096, "its replay time could not be read"},
		{"behind, nothing replayed", "behind", status("None"), false, 0, 4096, "has replayed no transaction"},
		{"lag unknown", "unknown", status(""), false, 0, 0, "unknown behind and has replayed no transaction"},
		{"not a replica", "n1", nil, false, 0, 0, "n1 was not a replica"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok, why := Measure(r, tc.candidate, tc.status, now)
			if ok != tc.ok {
				t.Fatalf("ok %v (%s), want %v", ok, why, tc.ok)
			}
			text := why
			if ok {
				text = m.Basis
				if m.Window != tc.window || m.LagBytes != tc.lag {
					t.Errorf("window %s, lag %d; want %s, %d", m.Window, m.LagBytes, tc.window, tc.lag)
				}
			}
			if !strings.Contains(text, tc.says) {
				t.Errorf("says %q, want %q", text, tc.says)
			}
		})
	}
}
