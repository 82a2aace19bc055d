package storerow

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// WindowQuery is the query of an incident's event window w, with the store's placeholder
// for the incident ID ("?" or "$1"), limit and offset in that order. Both stores read the
// window through the (incident_id, seq) index, newest first when w.Newest; the caller
// reverses those to sequence order (ReverseEvents).
func WindowQuery(w incident.EventWindow, ph func(n int) string) string {
	order := "ASC"
	if w.Newest {
		order = "DESC"
	}
	bounds := ""
	if w.FromSeq > 0 {
		bounds += fmt.Sprintf(" AND seq >= %d", w.FromSeq)
	}
	if w.ToSeq > 0 {
		bounds += fmt.Sprintf(" AND seq <= %d", w.ToSeq)
	}
	return `SELECT ` + EventColumns + ` FROM timeline_events WHERE incident_id = ` + ph(1) + bounds + housekeepingFilter(w.Housekeeping) +
		` ORDER BY seq ` + order + ` LIMIT ` + ph(2) + ` OFFSET ` + ph(3)
}

// CountQuery counts an incident's events, with or without the bot's housekeeping.
func CountQuery(housekeeping bool, ph func(n int) string) string {
	return `SELECT COUNT(*) FROM timeline_events WHERE incident_id = ` + ph(1) + housekeepingFilter(housekeeping)
}

// housekeepingFilter leaves out the housekeeping kinds unless they are wanted. The kinds
// are the domain's constants, quoted here: no input reaches this text.
func housekeepingFilter(include bool) string {
	if include {
		return ""
	}
	var quoted []string
	for _, k := range incident.HousekeepingKinds() {
		quoted = append(quoted, "'"+string(k)+"'")
	}
	return ` AND kind NOT IN (` + strings.Join(quoted, ", ") + `)`
}

// ReverseEvents puts events read newest first back in sequence order.
func ReverseEvents(evs []incident.TimelineEvent) {
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
}

// ReadEventWindow reads, through each, the incident's events in window w, in sequence
// order, reading only those. Both stores call it.
func ReadEventWindow(each Each, d Dialect, incidentID int64, w incident.EventWindow) ([]incident.TimelineEvent, error) {
	if w.Limit <= 0 {
		return nil, nil
	}
	evs, err := ReadEvents(each, WindowQuery(w, d.Param), []any{incidentID, w.Limit, max(w.Offset, 0)})
	if err != nil {
		return nil, err
	}
	if w.Newest {
		ReverseEvents(evs)
	}
	return evs, nil
}

// EachStoredEvent calls fn, through each, with every event of every incident in
// (incident, seq) order, from one cursor, each event as stored (its Data not decoded).
// fn's error stops the walk and is returned as it is.
func EachStoredEvent(each Each, fn func(*incident.TimelineEvent) error) error {
	var stopped error
	err := each(`SELECT `+EventColumns+` FROM timeline_events ORDER BY incident_id, seq`, nil, func(sc Scanner) error {
		e, err := ScanStoredEvent(sc)
		if err != nil {
			return err
		}
		stopped = fn(e)
		return stopped
	})
	if stopped != nil {
		return stopped
	}
	if err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	return nil
}
