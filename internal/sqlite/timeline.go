package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

const eventColumns = `id, incident_id, seq, at, actor, kind, text, prev_hash, hash`

// LastEvent returns the incident's latest event, or nil when it has none.
func (t *Tx) LastEvent(incidentID int64) (*incident.TimelineEvent, error) {
	row := t.tx.QueryRowContext(t.ctx, `SELECT `+eventColumns+` FROM timeline_events
		WHERE incident_id = ? ORDER BY seq DESC LIMIT 1`, incidentID)
	e, err := scanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return e, err
}

// InsertEvent appends e; the (incident, seq) pair is unique, so a lost race fails loudly.
func (t *Tx) InsertEvent(e *incident.TimelineEvent) error {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO timeline_events (incident_id, seq, at, actor, kind, text, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.IncidentID, e.Seq, incident.FormatTime(e.At), e.Actor, string(e.Kind), e.Text, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// Events returns the incident's events in sequence order.
func (t *Tx) Events(incidentID int64) ([]incident.TimelineEvent, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+eventColumns+` FROM timeline_events WHERE incident_id = ? ORDER BY seq`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []incident.TimelineEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		evs = append(evs, *e)
	}
	return evs, rows.Err()
}

type scanner interface{ Scan(...any) error }

func scanEvent(s scanner) (*incident.TimelineEvent, error) {
	var (
		e    incident.TimelineEvent
		at   string
		kind string
	)
	if err := s.Scan(&e.ID, &e.IncidentID, &e.Seq, &at, &e.Actor, &kind, &e.Text, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.Kind = incident.EventKind(kind)
	var err error
	if e.At, err = parseTime(at); err != nil {
		return nil, fmt.Errorf("event %d: %w", e.ID, err)
	}
	return &e, nil
}
