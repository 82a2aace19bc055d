package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// LastEvent returns the incident's latest event, or nil when it has none.
func (t *Tx) LastEvent(incidentID int64) (*incident.TimelineEvent, error) {
	row := t.tx.QueryRowContext(t.ctx, `SELECT `+storerow.EventColumns+` FROM timeline_events
		WHERE incident_id = ? ORDER BY seq DESC LIMIT 1`, incidentID)
	e, err := storerow.ScanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return e, err
}

// InsertEvent appends e; the (incident, seq) pair is unique, so a lost race fails loudly.
func (t *Tx) InsertEvent(e *incident.TimelineEvent) error {
	data := ""
	if e.Format != incident.FormatText {
		data = e.DataJSON
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO timeline_events (incident_id, seq, at, actor, kind, format, text, data, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.IncidentID, e.Seq, incident.FormatTime(e.At), e.Actor, string(e.Kind), e.Format, e.Text, data, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// Event returns the incident's event number seq. Errors: ENOTFOUND.
func (t *Tx) Event(incidentID int64, seq int) (*incident.TimelineEvent, error) {
	row := t.tx.QueryRowContext(t.ctx, `SELECT `+storerow.EventColumns+` FROM timeline_events WHERE incident_id = ? AND seq = ?`, incidentID, seq)
	e, err := storerow.ScanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, incident.Errorf(incident.ENOTFOUND, "The incident has no event #%d.", seq)
	}
	return e, err
}

// Events returns the incident's events in sequence order.
func (t *Tx) Events(incidentID int64) ([]incident.TimelineEvent, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+storerow.EventColumns+` FROM timeline_events WHERE incident_id = ? ORDER BY seq`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []incident.TimelineEvent
	for rows.Next() {
		e, err := storerow.ScanEvent(rows)
		if err != nil {
			return nil, err
		}
		evs = append(evs, *e)
	}
	return evs, rows.Err()
}

// EachEvent calls fn with every event of every incident in (incident, seq) order, scanning
// row by row from one cursor, each event as stored (its Data not decoded). fn's error stops
// the walk and is returned as it is.
func (t *Tx) EachEvent(fn func(*incident.TimelineEvent) error) error {
	return storerow.EachStoredEvent(t.each, fn)
}
