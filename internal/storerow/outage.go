package storerow

import (
	"fmt"
	"slices"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// OutageColumns are the incident columns an incident.Outage has, in the order ScanOutage
// reads them.
const OutageColumns = `id, number, severity, status, declared_at, mitigated_at, resolved_at`

// OutagesQuery is the query of StatusTx.Outages (parameters: since, until, limit): the
// open incidents and those resolved at or after since, both through the index on (status,
// resolved_at), where resolvedAt is the expression that index is on (the column in SQLite;
// in the "C" collation in PostgreSQL, so text order is time order); of those, the public
// ones declared at or before until, the newest first.
func OutagesQuery(d Dialect, resolvedAt string) string {
	return `SELECT ` + OutageColumns + ` FROM incidents WHERE id IN (
			SELECT id FROM incidents WHERE status IN ('` + string(incident.StatusInvestigating) + `', '` + string(incident.StatusMitigated) + `')
			UNION ALL SELECT id FROM incidents WHERE status = '` + string(incident.StatusResolved) + `' AND ` + resolvedAt + ` >= ` + d.Param(1) + `)
		AND NOT private AND NOT drill AND declared_at <= ` + d.Param(2) + `
		ORDER BY id DESC LIMIT ` + d.Param(3)
}

// OutageChangesQuery reads the severity changes and service additions of the n incidents
// whose IDs are its parameters, through the (incident_id, kind, seq) index, in no order:
// ordered by seq, SQLite would read every event of the incidents through (incident_id,
// seq) instead.
func OutageChangesQuery(d Dialect, n int) string {
	return `SELECT ` + EventColumns + ` FROM timeline_events WHERE incident_id IN (` + params(d, 1, n) + `)
		AND kind IN ('` + string(incident.EventSeverityChanged) + `', '` + string(incident.EventServiceAdded) + `')`
}

// ScanOutage reads the OutageColumns of an incident.
func ScanOutage(s Scanner) (incident.Outage, error) {
	var (
		o                             incident.Outage
		sev, status                   string
		declared, mitigated, resolved string
	)
	if err := s.Scan(&o.ID, &o.Number, &sev, &status, &declared, &mitigated, &resolved); err != nil {
		return o, err
	}
	o.Severity, o.Status = incident.Severity(sev), incident.Status(status)
	var err error
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&o.DeclaredAt, declared}, {&o.MitigatedAt, mitigated}, {&o.ResolvedAt, resolved}} {
		if *t.dst, err = ParseTime(t.src); err != nil {
			return o, fmt.Errorf("incident %d: %w", o.ID, err)
		}
	}
	return o, nil
}

// ReadOutages reads, through each, the outages of StatusTx.Outages: the incidents in one
// query, then their services and their changes in one query each per IDChunk of them
// (the changes put in seq order here).
// resolvedAt is as for OutagesQuery. Both stores call it.
func ReadOutages(each Each, d Dialect, resolvedAt string, since, until time.Time, limit int) ([]incident.Outage, error) {
	var (
		out []incident.Outage
		at  = map[int64]int{}
	)
	err := each(OutagesQuery(d, resolvedAt), []any{FormatTime(since), FormatTime(until), limit}, func(sc Scanner) error {
		o, err := ScanOutage(sc)
		if err == nil {
			at[o.ID] = len(out)
			out = append(out, o)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the outages: %w", err)
	}
	for from := 0; from < len(out); from += IDChunk {
		chunk := make([]any, 0, IDChunk)
		for i := from; i < min(from+IDChunk, len(out)); i++ {
			chunk = append(chunk, out[i].ID)
		}
		err := each(ServicesOfQuery(d, len(chunk)), chunk, func(sc Scanner) error {
			var (
				id      int64
				service string
			)
			if err := sc.Scan(&id, &service); err != nil {
				return err
			}
			if i, ok := at[id]; ok {
				out[i].Services = append(out[i].Services, service)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read the outages' services: %w", err)
		}
		err = each(OutageChangesQuery(d, len(chunk)), chunk, func(sc Scanner) error {
			e, err := ScanEvent(sc)
			if err != nil {
				return err
			}
			if i, ok := at[e.IncidentID]; ok {
				out[i].Changes = append(out[i].Changes, *e)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read the outages' changes: %w", err)
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Changes, func(a, b incident.TimelineEvent) int { return a.Seq - b.Seq })
	}
	return out, nil
}
