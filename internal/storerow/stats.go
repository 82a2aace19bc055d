package storerow

import (
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// StatsIncidentColumns are the incident columns the KPIs read (incident.StatsFact), in the
// order ScanStatsIncident reads them.
const StatsIncidentColumns = `id, tier, status, private, drill, declared_at, acked_at, mitigated_at, resolved_at, rpo_achieved, rpo_measured`

// ScanStatsIncident reads the StatsIncidentColumns of an incident.
func ScanStatsIncident(s Scanner) (incident.StatsFact, error) {
	var (
		f                                    incident.StatsFact
		tier                                 int
		status                               string
		declared, acked, mitigated, resolved string
		rpo                                  int64
		measured                             string
	)
	inc := &f
	if err := s.Scan(&inc.ID, &tier, &status, &inc.Private, &inc.Drill, &declared, &acked, &mitigated, &resolved, &rpo, &measured); err != nil {
		return f, err
	}
	inc.Tier, inc.Status = incident.Tier(tier), incident.Status(status)
	var err error
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&inc.DeclaredAt, declared}, {&inc.AckedAt, acked}, {&inc.MitigatedAt, mitigated}, {&inc.ResolvedAt, resolved}} {
		if *t.dst, err = ParseTime(t.src); err != nil {
			return f, fmt.Errorf("incident %d: %w", inc.ID, err)
		}
	}
	inc.RPOAchieved = -1
	if rpo >= 0 {
		inc.RPOAchieved = time.Duration(rpo) * time.Millisecond
	}
	// The KPIs use the measured RPO where a step measured one.
	m, err := incident.ParseMeasuredRPO(measured)
	if err != nil {
		return f, fmt.Errorf("incident %d: %w", inc.ID, err)
	}
	if m != nil {
		inc.RPOAchieved, inc.RPOMeasured = m.Window, true
	}
	return f, nil
}

// StatsFollowupColumns are the follow-up columns the KPIs read, in the order
// ScanStatsFollowup reads them.
const StatsFollowupColumns = `incident_id, created_at, issue_url, done_at, outcome`

// ScanStatsFollowup reads the StatsFollowupColumns of a follow-up.
func ScanStatsFollowup(s Scanner) (incident.Followup, error) {
	var f incident.Followup
	var created, done string
	if err := s.Scan(&f.IncidentID, &created, &f.IssueURL, &done, &f.Outcome); err != nil {
		return f, err
	}
	var err error
	if f.CreatedAt, err = ParseTime(created); err != nil {
		return f, fmt.Errorf("follow-up of incident %d: %w", f.IncidentID, err)
	}
	if f.DoneAt, err = ParseTime(done); err != nil {
		return f, fmt.Errorf("follow-up of incident %d: %w", f.IncidentID, err)
	}
	return f, nil
}

// StatsFacts gathers the rows of the KPIs' queries into facts: the incidents first, then
// each incident's services, runs and follow-ups by incident ID.
type StatsFacts struct {
	Facts []incident.StatsFact
	index map[int64]int
}

// AddIncident adds an incident read by ScanStatsIncident.
func (sf *StatsFacts) AddIncident(f incident.StatsFact) {
	if sf.index == nil {
		sf.index = map[int64]int{}
	}
	sf.index[f.ID] = len(sf.Facts)
	sf.Facts = append(sf.Facts, f)
}

// of returns the fact of incident id, or nil when it is not among them (a row added
// between two queries of a read that is not one snapshot).
func (sf *StatsFacts) of(id int64) *incident.StatsFact {
	i, ok := sf.index[id]
	if !ok {
		return nil
	}
	return &sf.Facts[i]
}

// AddService adds one affected service, in the order they were added to the incident.
func (sf *StatsFacts) AddService(incidentID int64, service string) {
	if f := sf.of(incidentID); f != nil {
		f.Services = append(f.Services, service)
	}
}

// AddRun adds one run, in the order they were started, with the number of its steps that
// neither succeeded nor were skipped and of its break-glass approvals.
func (sf *StatsFacts) AddRun(incidentID int64, playbook string, stepsNotDone, breakGlass int) {
	if f := sf.of(incidentID); f != nil {
		f.Playbooks = append(f.Playbooks, playbook)
		f.StepsNotDone += stepsNotDone
		f.BreakGlass += breakGlass
	}
}

// AddFollowup adds a follow-up read by ScanStatsFollowup.
func (sf *StatsFacts) AddFollowup(fu incident.Followup) {
	if f := sf.of(fu.IncidentID); f != nil {
		f.Followups = append(f.Followups, fu)
	}
}

// Each runs query with args on a store's open transaction and calls fn with each row.
type Each func(query string, args []any, fn func(Scanner) error) error

// ReadStatsFacts reads, through each, the facts of the incidents whose IDs the query
// incidents selects (with from as its one parameter), in four queries: incidents,
// services, runs with their unfinished steps and break-glass approvals, follow-ups. Both
// stores call it.
func ReadStatsFacts(each Each, d Dialect, incidents string, from any) ([]incident.StatsFact, error) {
	var sf StatsFacts
	err := each(`SELECT `+StatsIncidentColumns+` FROM incidents WHERE id IN (`+incidents+`) ORDER BY id`, []any{from}, func(s Scanner) error {
		f, err := ScanStatsIncident(s)
		sf.AddIncident(f)
		return err
	})
	if err != nil || len(sf.Facts) == 0 {
		return nil, statsErr(err)
	}
	err = each(`SELECT incident_id, service FROM incident_services WHERE incident_id IN (`+incidents+`) ORDER BY incident_id, `+d.ServiceOrder, []any{from}, func(s Scanner) error {
		var id int64
		var service string
		err := s.Scan(&id, &service)
		sf.AddService(id, service)
		return err
	})
	if err != nil {
		return nil, statsErr(err)
	}
	err = each(`SELECT r.incident_id, r.playbook,
			(SELECT count(*) FROM run_steps s WHERE s.run_id = r.id AND s.state NOT IN ('succeeded', 'skipped')),
			(SELECT coalesce(sum(s.break_glasses), 0) FROM run_steps s WHERE s.run_id = r.id)
		FROM runs r WHERE r.incident_id IN (`+incidents+`) ORDER BY r.incident_id, r.id`, []any{from}, func(s Scanner) error {
		var id int64
		var playbook string
		var notDone, breakGlass int
		err := s.Scan(&id, &playbook, &notDone, &breakGlass)
		sf.AddRun(id, playbook, notDone, breakGlass)
		return err
	})
	if err != nil {
		return nil, statsErr(err)
	}
	err = each(`SELECT `+StatsFollowupColumns+` FROM followups WHERE incident_id IN (`+incidents+`) ORDER BY incident_id, id`, []any{from}, func(s Scanner) error {
		f, err := ScanStatsFollowup(s)
		sf.AddFollowup(f)
		return err
	})
	if err != nil {
		return nil, statsErr(err)
	}
	return sf.Facts, nil
}

func statsErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("read the KPIs' facts: %w", err)
}
