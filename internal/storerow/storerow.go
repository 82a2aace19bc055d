// Package storerow is the row codec both stores share (internal/sqlite and
// internal/postgres): the columns of a table, how a value is written to them and how a row
// is read back. Both stores keep values alike (times as millisecond UTC text, JSON as the
// text written), so a row reads the same from either and hashes verify on a copy.
package storerow

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Scanner is a row being read: *sql.Row and *sql.Rows, and pgx's Row and Rows, are ones.
type Scanner interface{ Scan(dest ...any) error }

// FormatTime stores a zero time as "" and others as incident.FormatTime does.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return incident.FormatTime(t)
}

// ParseTime reads a time FormatTime stored.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02T15:04:05.000Z", s)
}

// EventColumns are timeline_events' columns, in the order ScanStoredEvent reads them.
const EventColumns = `id, incident_id, seq, at, actor, kind, format, text, data, prev_hash, hash`

// ScanEvent reads an event with its Data decoded.
func ScanEvent(s Scanner) (*incident.TimelineEvent, error) {
	e, err := ScanStoredEvent(s)
	if err == nil && e.DataJSON != "" {
		// An event whose data does not decode is still returned: its hash check says it
		// was changed, rather than the whole timeline failing to load.
		_ = json.Unmarshal([]byte(e.DataJSON), &e.Data)
	}
	return e, err
}

// ScanStoredEvent reads an event as stored: its data in DataJSON, not decoded.
func ScanStoredEvent(s Scanner) (*incident.TimelineEvent, error) {
	var (
		e    incident.TimelineEvent
		at   string
		kind string
	)
	if err := s.Scan(&e.ID, &e.IncidentID, &e.Seq, &at, &e.Actor, &kind, &e.Format, &e.Text, &e.DataJSON, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.Kind = incident.EventKind(kind)
	var err error
	if e.At, err = ParseTime(at); err != nil {
		return nil, fmt.Errorf("event %d: %w", e.ID, err)
	}
	return &e, nil
}

// PageColumns are pages' columns, in the order ScanPage reads them.
const PageColumns = `id, incident_id, role, target, key, pager_id, url, status, acked_by, acked_at, created_at`

// pageTarget is a target as stored: the routing key, a secret, is kept out.
type pageTarget struct {
	EscalationPolicy string `json:"escalation_policy,omitempty"`
	Schedule         string `json:"schedule,omitempty"`
	User             string `json:"user,omitempty"`
	Events           bool   `json:"events,omitempty"`
}

// PageTarget is the value of a page's target column: whom it reached and whether through
// the Events API, never the routing key.
func PageTarget(p *incident.Page) string {
	b, _ := json.Marshal(pageTarget{p.Target.EscalationPolicy, p.Target.Schedule, p.Target.User, p.ViaEvents})
	return string(b)
}

// ScanPage reads a page.
func ScanPage(s Scanner) (*incident.Page, error) {
	var (
		p                  incident.Page
		role, target       string
		ackedAt, createdAt string
	)
	if err := s.Scan(&p.ID, &p.IncidentID, &role, &target, &p.Key, &p.PagerID, &p.URL, &p.Status, &p.AckedBy, &ackedAt, &createdAt); err != nil {
		return nil, err
	}
	p.Role = incident.Role(role)
	var pt pageTarget
	if err := json.Unmarshal([]byte(target), &pt); err != nil {
		return nil, fmt.Errorf("page %d: target: %w", p.ID, err)
	}
	p.Target = incident.PageTarget{EscalationPolicy: pt.EscalationPolicy, Schedule: pt.Schedule, User: pt.User}
	p.ViaEvents = pt.Events
	var err error
	if p.AckedAt, err = ParseTime(ackedAt); err != nil {
		return nil, err
	}
	if p.CreatedAt, err = ParseTime(createdAt); err != nil {
		return nil, err
	}
	return &p, nil
}

// RunColumns are runs' columns, in the order ScanRun reads them.
const RunColumns = `id, incident_id, playbook, title, params, started_by, started_at, card_ts`

// ScanRun reads a run without its steps.
func ScanRun(s Scanner) (*incident.Run, error) {
	var (
		r               incident.Run
		params, started string
	)
	if err := s.Scan(&r.ID, &r.IncidentID, &r.Playbook, &r.Title, &params, &r.StartedBy, &started, &r.CardTS); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(params), &r.Params); err != nil {
		return nil, fmt.Errorf("run %d: params: %w", r.ID, err)
	}
	var err error
	r.StartedAt, err = ParseTime(started)
	return &r, err
}
