package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// LastEvent returns the incident's latest event, or nil when it has none. In a write
// transaction it first locks the incident's row, so the event appended after it is the only
// one with its sequence number, whichever replica appends.
func (t *Tx) LastEvent(incidentID int64) (*incident.TimelineEvent, error) {
	if t.write {
		if _, err := t.tx.Exec(t.ctx, `SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE`, incidentID); err != nil {
			return nil, fmt.Errorf("lock incident %d: %w", incidentID, err)
		}
	}
	row := t.tx.QueryRow(t.ctx, `SELECT `+storerow.EventColumns+` FROM timeline_events
		WHERE incident_id = $1 ORDER BY seq DESC LIMIT 1`, incidentID)
	e, err := storerow.ScanEvent(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return e, err
}

// InsertEvent appends e; the (incident, seq) pair is unique, so a lost race fails loudly.
// The data is stored as the text that was hashed, byte for byte.
func (t *Tx) InsertEvent(e *incident.TimelineEvent) error {
	data := ""
	if e.Format != incident.FormatText {
		data = e.DataJSON
	}
	err := t.tx.QueryRow(t.ctx, `INSERT INTO timeline_events (incident_id, seq, at, actor, kind, format, text, data, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, e.IncidentID, e.Seq, incident.FormatTime(e.At), e.Actor,
		string(e.Kind), e.Format, e.Text, data, e.PrevHash, e.Hash).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// Event returns the incident's event number seq. Errors: ENOTFOUND.
func (t *Tx) Event(incidentID int64, seq int) (*incident.TimelineEvent, error) {
	row := t.tx.QueryRow(t.ctx, `SELECT `+storerow.EventColumns+` FROM timeline_events WHERE incident_id = $1 AND seq = $2`, incidentID, seq)
	e, err := storerow.ScanEvent(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, incident.Errorf(incident.ENOTFOUND, "The incident has no event #%d.", seq)
	}
	return e, err
}

// Events returns the incident's events in sequence order.
func (t *Tx) Events(incidentID int64) ([]incident.TimelineEvent, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT `+storerow.EventColumns+` FROM timeline_events WHERE incident_id = $1 ORDER BY seq`, incidentID)
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
