package incident

import (
	"encoding/json"
	"fmt"
	"time"
)

// MeasuredRPO is the data loss a playbook step measured when it switched a database over
// (a patroni.switchover step reads the candidate's replication lag right before it
// switches), as opposed to the window a person types with `/incident rpo`. The review and
// the KPIs use the measured one where there is one; the typed one stays on the timeline.
type MeasuredRPO struct {
	Window   time.Duration // the RPO achieved (stored in milliseconds)
	LagBytes int64         // how far behind the candidate was, in bytes of WAL
	// Basis says how Window follows from the lag, for the timeline and the review: "n2 was
	// the synchronous standby, 0 bytes behind".
	Basis string
	Step  string // the step that measured it: 1.3 promote-db
}

// measuredJSON is MeasuredRPO as stored, with the window in milliseconds.
type measuredJSON struct {
	WindowMS int64  `json:"window_ms"`
	LagBytes int64  `json:"lag_bytes"`
	Basis    string `json:"basis"`
	Step     string `json:"step,omitempty"`
}

// MarshalJSON stores the window in milliseconds, as rpo_achieved is.
func (m MeasuredRPO) MarshalJSON() ([]byte, error) {
	return json.Marshal(measuredJSON{WindowMS: m.Window.Milliseconds(), LagBytes: m.LagBytes, Basis: m.Basis, Step: m.Step})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (m *MeasuredRPO) UnmarshalJSON(data []byte) error {
	var j measuredJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*m = MeasuredRPO{Window: time.Duration(j.WindowMS) * time.Millisecond, LagBytes: j.LagBytes, Basis: j.Basis, Step: j.Step}
	return nil
}

// ParseMeasuredRPO reads the stored form of an incident's measured RPO ("" is none).
func ParseMeasuredRPO(text string) (*MeasuredRPO, error) {
	if text == "" {
		return nil, nil
	}
	var m MeasuredRPO
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return nil, fmt.Errorf("measured rpo %q: %w", text, err)
	}
	return &m, nil
}

// FormatMeasuredRPO is the stored form of m: JSON, "" for none.
func FormatMeasuredRPO(m *MeasuredRPO) string {
	if m == nil {
		return ""
	}
	data, _ := json.Marshal(m) // cannot fail
	return string(data)
}

// DataLoss is the RPO achieved that the review and the KPIs use: the measured one where a
// step measured one (then measured is true), else the window recorded with `/incident
// rpo`; ok is false when there is neither.
func (inc *Incident) DataLoss() (window time.Duration, measured, ok bool) {
	if inc.RPOMeasured != nil {
		return inc.RPOMeasured.Window, true, true
	}
	if inc.RPOAchieved >= 0 {
		return inc.RPOAchieved, false, true
	}
	return 0, false, false
}

// recordMeasuredRPO keeps the largest data loss the incident's steps measured (each
// switchover may lose data; the worst is what the incident lost at most) and puts the
// measurement on the timeline, against the incident's RPO.
func (c *change) recordMeasuredRPO(cat Catalog, m MeasuredRPO, step *StepRef) error {
	if c.inc.RPOMeasured == nil || m.Window > c.inc.RPOMeasured.Window {
		kept := m
		c.inc.RPOMeasured = &kept
	}
	o := c.inc.ComputeObjectives(cat)
	return c.event(BotActor, EventImpactSet, EventData{How: ImpactDataLossMeasured, Duration: m.Window,
		Objective: o.RPO, ObjectiveOf: o.RPOService, Step: step, Detail: m.Basis})
}
