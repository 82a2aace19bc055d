package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// Tx implements incident.Tx over one PostgreSQL transaction. In a write transaction the
// lookups of one incident lock its row until commit, so the changes to an incident (and its
// hash chain) happen one at a time, whichever replica makes them.
//
// The set of incidents has a lock of its own, the numbering row: in a write transaction,
// creating an incident, taking its number and listing or counting incidents take it first
// and hold it until commit. So a transaction that lists incidents and then creates one (a
// repeated declaration is refused that way) sees every incident created before it, as it
// would with SQLite's single writer.
type Tx struct {
	tx        pgx.Tx
	ctx       context.Context
	write     bool
	setLocked bool // this transaction holds the numbering row
}

// lockIncidentSet takes the numbering row in a write transaction, once.
func (t *Tx) lockIncidentSet() error {
	if !t.write || t.setLocked {
		return nil
	}
	if _, err := t.tx.Exec(t.ctx, `SELECT 1 FROM incident_numbering WHERE id = 1 FOR UPDATE`); err != nil {
		return fmt.Errorf("lock the incidents: %w", err)
	}
	t.setLocked = true
	return nil
}

var _ incident.Tx = (*Tx)(nil)

// forUpdate is the locking clause of a lookup: FOR UPDATE in a write transaction.
func (t *Tx) forUpdate() string {
	if t.write {
		return ` FOR UPDATE`
	}
	return ``
}

// NextIncidentNumber returns one more than the highest incident number. In a write
// transaction it first locks the numbering row, so concurrent declarations take their
// numbers one after the other: unique and without gaps (a rolled-back one frees its number).
func (t *Tx) NextIncidentNumber() (int, error) {
	if err := t.lockIncidentSet(); err != nil {
		return 0, err
	}
	var n int
	err := t.tx.QueryRow(t.ctx, `SELECT coalesce(max(number), 0) + 1 FROM incidents`).Scan(&n)
	return n, err
}

// CreateIncident inserts inc and sets its ID.
func (t *Tx) CreateIncident(inc *incident.Incident) error {
	if err := t.lockIncidentSet(); err != nil {
		return err
	}
	err := t.tx.QueryRow(t.ctx, `INSERT INTO incidents (number, title, description, severity, service, tier, status,
		private, declared_by, commander, origin_channel, channel_id, channel_name, card_ts, declared_at, mitigated_at,
		resolved_at, summary, pagerduty_id, pagerduty_url, acked_at, acked_by, impact, comms, review_number, review_url,
		review_filed_at, rpo_achieved, drill, rpo_measured)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
		$23, $24, $25, $26, $27, $28, $29, $30) RETURNING id`, incidentArgs(inc)...).Scan(&inc.ID)
	if err != nil {
		return fmt.Errorf("create incident: %w", err)
	}
	if err := t.saveServices(inc); err != nil {
		return err
	}
	return t.saveRoles(inc)
}

// UpdateIncident stores every field of inc.
func (t *Tx) UpdateIncident(inc *incident.Incident) error {
	args := append(incidentArgs(inc), inc.ID)
	_, err := t.tx.Exec(t.ctx, `UPDATE incidents SET number = $1, title = $2, description = $3,
		severity = $4, service = $5, tier = $6, status = $7, private = $8, declared_by = $9, commander = $10,
		origin_channel = $11, channel_id = $12, channel_name = $13, card_ts = $14, declared_at = $15,
		mitigated_at = $16, resolved_at = $17, summary = $18, pagerduty_id = $19, pagerduty_url = $20, acked_at = $21,
		acked_by = $22, impact = $23, comms = $24, review_number = $25, review_url = $26, review_filed_at = $27,
		rpo_achieved = $28, drill = $29, rpo_measured = $30 WHERE id = $31`, args...)
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
		if _, err := t.tx.Exec(t.ctx, `INSERT INTO incident_services (incident_id, service, added_at, added_by)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, inc.ID, name, storerow.FormatTime(inc.DeclaredAt), inc.DeclaredBy); err != nil {
			return fmt.Errorf("save service %s of incident %d: %w", name, inc.ID, err)
		}
	}
	return nil
}

// loadServices reads the affected services in the order they were added.
func (t *Tx) loadServices(inc *incident.Incident) error {
	rows, err := t.tx.Query(t.ctx, `SELECT service FROM incident_services WHERE incident_id = $1 ORDER BY pos`, inc.ID)
	if err != nil {
		return fmt.Errorf("read services of incident %d: %w", inc.ID, err)
	}
	inc.Services, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if len(inc.Services) == 0 {
		inc.Services = nil
	}
	return err
}

// saveRoles upserts the incident's role states.
func (t *Tx) saveRoles(inc *incident.Incident) error {
	for role, st := range inc.Roles {
		if _, err := t.tx.Exec(t.ctx, `INSERT INTO incident_roles (incident_id, role, holder, oncall) VALUES ($1, $2, $3, $4)
			ON CONFLICT (incident_id, role) DO UPDATE SET holder = excluded.holder, oncall = excluded.oncall`,
			inc.ID, string(role), st.Holder, st.OnCall); err != nil {
			return fmt.Errorf("save role %s of incident %d: %w", role, inc.ID, err)
		}
	}
	return nil
}

// loadRoles reads the incident's role states.
func (t *Tx) loadRoles(inc *incident.Incident) error {
	rows, err := t.tx.Query(t.ctx, `SELECT role, holder, oncall FROM incident_roles WHERE incident_id = $1`, inc.ID)
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

// Incident returns the incident with the given ID (locked in a write transaction).
// Errors: ENOTFOUND.
func (t *Tx) Incident(id int64) (*incident.Incident, error) {
	return t.oneIncident(`WHERE id = $1`+t.forUpdate(), id)
}

// IncidentByChannel returns the incident whose channel is channelID (locked in a write
// transaction). Errors: ENOTFOUND.
func (t *Tx) IncidentByChannel(channelID string) (*incident.Incident, error) {
	if channelID == "" {
		return nil, notInIncidentChannel()
	}
	inc, err := t.oneIncident(`WHERE channel_id = $1 AND channel_id <> ''`+t.forUpdate(), channelID)
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
	if err := t.lockIncidentSet(); err != nil {
		return nil, err
	}
	return t.ids(`SELECT id FROM incidents ORDER BY id`)
}

// IncidentIDsSince returns the IDs of the incidents declared at or after since, ascending
// (every incident for the zero time). The stored times are fixed-width UTC text compared
// in the C collation, so text order is time order.
func (t *Tx) IncidentIDsSince(since time.Time) ([]int64, error) {
	if err := t.lockIncidentSet(); err != nil {
		return nil, err
	}
	return t.ids(`SELECT id FROM incidents WHERE declared_at >= $1 ORDER BY id`, storerow.FormatTime(since))
}

// ids runs a query that selects one integer column and returns its values.
func (t *Tx) ids(query string, args ...any) ([]int64, error) {
	rows, err := t.tx.Query(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if len(ids) == 0 {
		ids = nil
	}
	return ids, err
}

// oneIncident reads the incident the condition where (with its locking clause) selects.
func (t *Tx) oneIncident(where string, arg any) (*incident.Incident, error) {
	inc, err := storerow.ScanIncident(t.tx.QueryRow(t.ctx, `SELECT `+storerow.IncidentColumns+` FROM incidents `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
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

// CountIncidents counts incidents by status and severity.
func (t *Tx) CountIncidents() (map[[2]string]int, error) {
	if err := t.lockIncidentSet(); err != nil {
		return nil, err
	}
	rows, err := t.tx.Query(t.ctx, `SELECT status, severity, count(*) FROM incidents GROUP BY status, severity`)
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
// In a write transaction it locks the set of incidents, not each of them.
func (t *Tx) RecentIncidents(limit int) ([]incident.Incident, error) {
	if err := t.lockIncidentSet(); err != nil {
		return nil, err
	}
	ids, err := t.ids(`SELECT id FROM incidents WHERE status <> 'resolved'
		UNION SELECT id FROM (SELECT id FROM incidents WHERE status = 'resolved' ORDER BY id DESC LIMIT $1) r
		ORDER BY id DESC`, limit)
	if err != nil {
		return nil, err
	}
	var out []incident.Incident
	for _, id := range ids {
		inc, err := t.oneIncident(`WHERE id = $1`, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *inc)
	}
	return out, nil
}

// MarkSeen records key and reports whether it was new. Keys older than a week are forgotten.
// Of concurrent callers with one key, one inserts it; the others wait for its commit and find
// it there (or insert it, if that transaction rolled back). Forgetting skips the old keys
// another transaction is forgetting (and takes up to 1000 a call), so replicas never wait on
// each other for it.
func (t *Tx) MarkSeen(key string, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(t.ctx, `INSERT INTO seen (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, at.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("mark seen: %w", err)
	}
	if _, err := t.tx.Exec(t.ctx, `DELETE FROM seen WHERE key IN (
		SELECT key FROM seen WHERE at < $1 LIMIT 1000 FOR UPDATE SKIP LOCKED)`, at.Add(-7*24*time.Hour).UnixMilli()); err != nil {
		return false, fmt.Errorf("forget old seen keys: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
