package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// Tx implements incident.Tx over one SQLite transaction.
type Tx struct {
	tx  *sql.Tx
	ctx context.Context
}

var _ incident.Tx = (*Tx)(nil)

// NextIncidentNumber returns one more than the highest incident number.
func (t *Tx) NextIncidentNumber() (int, error) {
	var n int
	err := t.tx.QueryRowContext(t.ctx, `SELECT coalesce(max(number), 0) + 1 FROM incidents`).Scan(&n)
	return n, err
}

// CreateIncident inserts inc and sets its ID.
func (t *Tx) CreateIncident(inc *incident.Incident) error {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO incidents (`+storerow.IncidentColumns+`)
		VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, incidentArgs(inc)...)
	if err != nil {
		return fmt.Errorf("create incident: %w", err)
	}
	if inc.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if err := t.saveServices(inc); err != nil {
		return err
	}
	return t.saveRoles(inc)
}

// UpdateIncident stores every field of inc.
func (t *Tx) UpdateIncident(inc *incident.Incident) error {
	args := append(incidentArgs(inc), inc.ID)
	_, err := t.tx.ExecContext(t.ctx, `UPDATE incidents SET number = ?, title = ?, description = ?,
		severity = ?, service = ?, tier = ?, status = ?, private = ?, declared_by = ?, commander = ?,
		origin_channel = ?, channel_id = ?, channel_name = ?, card_ts = ?, declared_at = ?,
		mitigated_at = ?, resolved_at = ?, summary = ?, pagerduty_id = ?, pagerduty_url = ?, acked_at = ?,
		acked_by = ?, impact = ?, comms = ?, review_number = ?, review_url = ?, review_filed_at = ?, rpo_achieved = ?, drill = ?, rpo_measured = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("update incident %d: %w", inc.ID, err)
	}
	if err := t.saveServices(inc); err != nil {
		return err
	}
	return t.saveRoles(inc)
}

// saveServices records the affected services not yet recorded (never removes one).
func (t *Tx) saveServices(inc *incident.Incident) error {
	for _, name := range inc.Services {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO incident_services (incident_id, service, added_at, added_by)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, inc.ID, name, storerow.FormatTime(inc.DeclaredAt), inc.DeclaredBy); err != nil {
			return fmt.Errorf("save service %s of incident %d: %w", name, inc.ID, err)
		}
	}
	return nil
}

// loadServices reads the affected services in the order they were added.
func (t *Tx) loadServices(inc *incident.Incident) error {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT service FROM incident_services WHERE incident_id = ? ORDER BY rowid`, inc.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	inc.Services = nil
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		inc.Services = append(inc.Services, s)
	}
	return rows.Err()
}

// saveRoles upserts the incident's role states.
func (t *Tx) saveRoles(inc *incident.Incident) error {
	for role, st := range inc.Roles {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO incident_roles (incident_id, role, holder, oncall) VALUES (?, ?, ?, ?)
			ON CONFLICT (incident_id, role) DO UPDATE SET holder = excluded.holder, oncall = excluded.oncall`,
			inc.ID, string(role), st.Holder, st.OnCall); err != nil {
			return fmt.Errorf("save role %s of incident %d: %w", role, inc.ID, err)
		}
	}
	return nil
}

// loadRoles reads the incident's role states.
func (t *Tx) loadRoles(inc *incident.Incident) error {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT role, holder, oncall FROM incident_roles WHERE incident_id = ?`, inc.ID)
	if err != nil {
		return fmt.Errorf("read roles of incident %d: %w", inc.ID, err)
	}
	defer rows.Close()
	inc.Roles = map[incident.Role]incident.RoleState{}
	for rows.Next() {
		var role string
		var st incident.RoleState
		if err := rows.Scan(&role, &st.Holder, &st.OnCall); err != nil {
			return err
		}
		inc.Roles[incident.Role(role)] = st
	}
	return rows.Err()
}

func incidentArgs(inc *incident.Incident) []any {
	return []any{inc.Number, inc.Title, inc.Description, string(inc.Severity), inc.Service, int(inc.Tier),
		string(inc.Status), inc.Private, inc.DeclaredBy, inc.Commander, inc.OriginChannel, inc.ChannelID,
		inc.ChannelName, inc.CardTS, storerow.FormatTime(inc.DeclaredAt), storerow.FormatTime(inc.MitigatedAt),
		storerow.FormatTime(inc.ResolvedAt), inc.Summary, inc.PagerDutyID, inc.PagerDutyURL, storerow.FormatTime(inc.AckedAt), inc.AckedBy, storerow.ImpactJSON(inc.Impact), storerow.CommsJSON(inc.Comms),
		inc.ReviewNumber, inc.ReviewURL, storerow.FormatTime(inc.ReviewFiledAt), storerow.RPOMillis(inc.RPOAchieved), inc.Drill,
		incident.FormatMeasuredRPO(inc.RPOMeasured)}
}

// Incident returns the incident with the given ID.
func (t *Tx) Incident(id int64) (*incident.Incident, error) {
	return t.oneIncident(`WHERE id = ?`, id)
}

// IncidentByChannel returns the incident whose channel is channelID.
func (t *Tx) IncidentByChannel(channelID string) (*incident.Incident, error) {
	if channelID == "" {
		return nil, notInIncidentChannel()
	}
	// The second condition lets SQLite use the partial index on channel_id.
	inc, err := t.oneIncident(`WHERE channel_id = ? AND channel_id != ''`, channelID)
	if incident.ErrorCode(err) == incident.ENOTFOUND {
		return nil, notInIncidentChannel()
	}
	return inc, err
}

func notInIncidentChannel() error {
	return incident.Errorf(incident.ENOTFOUND, "This is not an incident channel. Run this in the channel of the incident, or declare one with `/incident declare`.")
}

// IncidentIDs returns every incident's ID in ascending order.
func (t *Tx) IncidentIDs() ([]int64, error) {
	return t.ids(`SELECT id FROM incidents ORDER BY id`)
}

// IncidentIDsSince returns the IDs of the incidents declared at or after since, ascending
// (every incident for the zero time). The stored times are fixed-width UTC text, so text
// order is time order.
func (t *Tx) IncidentIDsSince(since time.Time) ([]int64, error) {
	return t.ids(`SELECT id FROM incidents WHERE declared_at >= ? ORDER BY id`, storerow.FormatTime(since))
}

// ids runs a query that selects one integer column and returns its values. The rows are
// read to the end before the caller issues further queries on the transaction.
func (t *Tx) ids(query string, args ...any) ([]int64, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (t *Tx) oneIncident(where string, arg any) (*incident.Incident, error) {
	inc, err := storerow.ScanIncident(t.tx.QueryRowContext(t.ctx, `SELECT `+storerow.IncidentColumns+` FROM incidents `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, incident.Errorf(incident.ENOTFOUND, "No such incident.")
	}
	if err != nil {
		return nil, fmt.Errorf("read incident: %w", err)
	}
	if err := t.loadRoles(inc); err != nil {
		return nil, err
	}
	if err := t.loadServices(inc); err != nil {
		return nil, err
	}
	return inc, nil
}

// MarkSeen records key and reports whether it was new. Keys older than a week are forgotten.
func (t *Tx) MarkSeen(key string, at time.Time) (bool, error) {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO seen (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, at.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("mark seen: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM seen WHERE at < ?`, at.Add(-7*24*time.Hour).UnixMilli()); err != nil {
		return false, err
	}
	return n == 1, nil
}

// CountIncidents counts incidents by status and severity.
func (t *Tx) CountIncidents() (map[[2]string]int, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT status, severity, count(*) FROM incidents GROUP BY status, severity`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]string]int{}
	for rows.Next() {
		var st, sev string
		var n int
		if err := rows.Scan(&st, &sev, &n); err != nil {
			return nil, err
		}
		out[[2]string{st, sev}] = n
	}
	return out, rows.Err()
}

// RecentIncidents returns the open incidents and the latest resolved ones, newest first.
func (t *Tx) RecentIncidents(limit int) ([]incident.Incident, error) {
	ids, err := t.ids(`SELECT id FROM incidents WHERE status != 'resolved'
		UNION SELECT id FROM (SELECT id FROM incidents WHERE status = 'resolved' ORDER BY id DESC LIMIT ?)
		ORDER BY id DESC`, limit)
	if err != nil {
		return nil, err
	}
	var out []incident.Incident
	for _, id := range ids {
		inc, err := t.Incident(id)
		if err != nil {
			return nil, err
		}
		out = append(out, *inc)
	}
	return out, nil
}
