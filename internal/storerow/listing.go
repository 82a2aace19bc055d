package storerow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Dialect is what the two stores' SQL differs in, for the queries built here.
type Dialect struct {
	// Param is the placeholder of the nth parameter (from 1): "?" or "$n".
	Param func(n int) string
	// ServiceOrder is the column of incident_services that keeps the order services were
	// added in (rowid in SQLite, pos in PostgreSQL).
	ServiceOrder string
	// IDCast types a parameter that is an ID where nothing else does (in VALUES).
	IDCast string
}

// IncidentRangeQuery is the query of ListTx.IncidentRange and its arguments: the incidents'
// columns, as ScanIncident reads them. It reads through the partial indexes on the open and
// the resolved incidents' IDs.
func IncidentRangeQuery(d Dialect, r incident.IncidentRange) (string, []any) {
	var (
		where = []string{`status <> 'resolved'`}
		args  []any
	)
	if r.Resolved {
		where[0] = `status = 'resolved'`
	}
	if r.Public {
		where = append(where, `NOT private`)
	}
	if r.Holder != "" {
		args = append(args, r.Holder, r.Holder)
		// Checked on each incident of the range (EXISTS, not IN), so the cost is the
		// range's, not the holder's whole history.
		where = append(where, `(commander = `+d.Param(len(args)-1)+` OR EXISTS (SELECT 1 FROM incident_roles r WHERE r.incident_id = incidents.id AND r.holder = `+d.Param(len(args))+`))`)
	}
	if r.After > 0 {
		args = append(args, r.After)
		where = append(where, `id > `+d.Param(len(args)))
	}
	if r.Before > 0 {
		args = append(args, r.Before)
		where = append(where, `id < `+d.Param(len(args)))
	}
	q := `SELECT ` + IncidentColumns + ` FROM incidents WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY id`
	if !r.Ascending {
		q += ` DESC`
	}
	if r.Limit > 0 {
		args = append(args, r.Limit)
		q += ` LIMIT ` + d.Param(len(args))
	}
	return q, args
}

// CountOpenQuery counts the open incidents through the (status, id) index: a seek for
// each open status, not a scan of every incident.
var CountOpenQuery = `SELECT count(*) FROM incidents WHERE status IN ('` + string(incident.StatusInvestigating) + `', '` + string(incident.StatusMitigated) + `')`

// EventRangeQuery is the query of ListTx.EventRange and its arguments: the events'
// columns, as ScanEvent reads them, through the (incident_id, seq) index.
func EventRangeQuery(d Dialect, r incident.EventRange) (string, []any) {
	args := []any{r.IncidentID}
	q := `SELECT ` + EventColumns + ` FROM timeline_events WHERE incident_id = ` + d.Param(1)
	if r.After > 0 {
		args = append(args, r.After)
		q += ` AND seq > ` + d.Param(len(args))
	}
	if r.Before > 0 {
		args = append(args, r.Before)
		q += ` AND seq < ` + d.Param(len(args))
	}
	q += ` ORDER BY seq`
	if r.Descending {
		q += ` DESC`
	}
	if r.Limit > 0 {
		args = append(args, r.Limit)
		q += ` LIMIT ` + d.Param(len(args))
	}
	return q, args
}

// LatestEventsOfKindQuery is the query of ListTx.LatestEventsOfKind for n incidents (their
// IDs the first n parameters, then the kind and the limit): for each incident, a LIMIT
// query through the (incident_id, kind, seq) index, so a long timeline costs no more than
// a short one. Each incident's events come together, newest first.
func LatestEventsOfKindQuery(d Dialect, n int) string {
	values := make([]string, n)
	for i := range values {
		values[i] = "(" + d.Param(i+1) + d.IDCast + ")"
	}
	cols := "e." + strings.ReplaceAll(EventColumns, ", ", ", e.")
	return `WITH wanted (incident_id) AS (VALUES ` + strings.Join(values, ", ") + `)
		SELECT ` + cols + ` FROM wanted w JOIN timeline_events e ON e.id IN (SELECT x.id FROM timeline_events x
			WHERE x.incident_id = w.incident_id AND x.kind = ` + d.Param(n+1) + ` ORDER BY x.seq DESC LIMIT ` + d.Param(n+2) + `)
		ORDER BY e.incident_id, e.seq DESC`
}

// LatestEventsOfKind runs LatestEventsOfKindQuery through each (a store's query runner) a
// chunk of incidents at a time, and returns each incident's events in seq order.
func LatestEventsOfKind(d Dialect, each Each, ids []int64, kind incident.EventKind, limit int) (map[int64][]incident.TimelineEvent, error) {
	out := map[int64][]incident.TimelineEvent{}
	for from := 0; from < len(ids); from += IDChunk {
		chunk := ids[from:min(from+IDChunk, len(ids))]
		args := make([]any, 0, len(chunk)+2)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, string(kind), limit)
		err := each(LatestEventsOfKindQuery(d, len(chunk)), args, func(sc Scanner) error {
			e, err := ScanEvent(sc)
			if err == nil {
				out[e.IncidentID] = append(out[e.IncidentID], *e)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read the latest events: %w", err)
		}
	}
	for _, evs := range out {
		slices.Reverse(evs)
	}
	return out, nil
}

// IDChunk bounds the IDs of one IN (...) list of the queries here.
const IDChunk = 500

// RolesOfQuery and ServicesOfQuery read the roles and the services of the incidents
// whose IDs are the n parameters, for IncidentSet.
func RolesOfQuery(d Dialect, n int) string {
	return `SELECT incident_id, role, holder, oncall FROM incident_roles WHERE incident_id IN (` + params(d, 1, n) + `)`
}

// ServicesOfQuery: see RolesOfQuery.
func ServicesOfQuery(d Dialect, n int) string {
	return `SELECT incident_id, service FROM incident_services WHERE incident_id IN (` + params(d, 1, n) +
		`) ORDER BY incident_id, ` + d.ServiceOrder
}

func params(d Dialect, from, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = d.Param(from + i)
	}
	return strings.Join(ps, ", ")
}

// IncidentSet is a list of incidents read row by row, then given their roles and their
// services in one query each (rather than two per incident).
type IncidentSet struct {
	Incidents []incident.Incident
	at        map[int64]int
}

// ScanRow reads one incident (its columns as ScanIncident reads them).
func (s *IncidentSet) ScanRow(sc Scanner) error {
	inc, err := ScanIncident(sc)
	if err != nil {
		return err
	}
	inc.Roles = map[incident.Role]incident.RoleState{}
	s.add(*inc)
	return nil
}

func (s *IncidentSet) add(inc incident.Incident) {
	if s.at == nil {
		s.at = map[int64]int{}
	}
	s.at[inc.ID] = len(s.Incidents)
	s.Incidents = append(s.Incidents, inc)
}

// IDs are the incidents' IDs, as the arguments of RolesOfQuery and ServicesOfQuery.
func (s *IncidentSet) IDs() []any {
	ids := make([]any, len(s.Incidents))
	for i := range s.Incidents {
		ids[i] = s.Incidents[i].ID
	}
	return ids
}

// ScanRole reads one row of RolesOfQuery.
func (s *IncidentSet) ScanRole(sc Scanner) error {
	var (
		id   int64
		role string
		st   incident.RoleState
	)
	if err := sc.Scan(&id, &role, &st.Holder, &st.OnCall); err != nil {
		return err
	}
	if i, ok := s.at[id]; ok {
		s.Incidents[i].Roles[incident.Role(role)] = st
	}
	return nil
}

// ScanService reads one row of ServicesOfQuery.
func (s *IncidentSet) ScanService(sc Scanner) error {
	var (
		id      int64
		service string
	)
	if err := sc.Scan(&id, &service); err != nil {
		return err
	}
	if i, ok := s.at[id]; ok {
		s.Incidents[i].Services = append(s.Incidents[i].Services, service)
	}
	return nil
}

// ReadIncidentRange reads, through each, the incidents r selects with their roles and
// services, in three queries per IDChunk of them. Both stores call it.
func ReadIncidentRange(each Each, d Dialect, r incident.IncidentRange) ([]incident.Incident, error) {
	q, args := IncidentRangeQuery(d, r)
	var set IncidentSet
	if err := each(q, args, set.ScanRow); err != nil {
		return nil, fmt.Errorf("read incidents: %w", err)
	}
	ids := set.IDs()
	for from := 0; from < len(ids); from += IDChunk {
		chunk := ids[from:min(from+IDChunk, len(ids))]
		if err := each(RolesOfQuery(d, len(chunk)), chunk, set.ScanRole); err != nil {
			return nil, fmt.Errorf("read roles: %w", err)
		}
		if err := each(ServicesOfQuery(d, len(chunk)), chunk, set.ScanService); err != nil {
			return nil, fmt.Errorf("read services: %w", err)
		}
	}
	return set.Incidents, nil
}

// ReadEvents reads, through each, the events query q selects (EventColumns, in its order).
func ReadEvents(each Each, q string, args []any) ([]incident.TimelineEvent, error) {
	var evs []incident.TimelineEvent
	err := each(q, args, func(sc Scanner) error {
		e, err := ScanEvent(sc)
		if err == nil {
			evs = append(evs, *e)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return evs, nil
}
