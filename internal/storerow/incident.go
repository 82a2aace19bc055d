package storerow

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// IncidentColumns are incidents' columns, in the order ScanIncident reads them.
const IncidentColumns = `id, number, title, description, severity, service, tier, status, private,
	declared_by, commander, origin_channel, channel_id, channel_name, card_ts,
	declared_at, mitigated_at, resolved_at, summary, pagerduty_id, pagerduty_url, acked_at, acked_by, impact, comms, review_number, review_url, review_filed_at, rpo_achieved, drill, rpo_measured`

// ScanIncident reads an incident without its roles and services (other tables). The row's
// own error (no rows, say) comes back as it is, for the store to tell apart.
func ScanIncident(s Scanner) (*incident.Incident, error) {
	var (
		inc                           incident.Incident
		severity, status              string
		tier                          int
		declared, mitigated, resolved string
		acked, impact, comms          string
		reviewed, measured            string
		rpo                           int64
	)
	err := s.Scan(&inc.ID, &inc.Number, &inc.Title, &inc.Description, &severity, &inc.Service, &tier,
		&status, &inc.Private, &inc.DeclaredBy, &inc.Commander, &inc.OriginChannel, &inc.ChannelID,
		&inc.ChannelName, &inc.CardTS, &declared, &mitigated, &resolved, &inc.Summary,
		&inc.PagerDutyID, &inc.PagerDutyURL, &acked, &inc.AckedBy, &impact, &comms, &inc.ReviewNumber, &inc.ReviewURL, &reviewed, &rpo, &inc.Drill, &measured)
	if err != nil {
		return nil, err
	}
	inc.Severity, inc.Status, inc.Tier = incident.Severity(severity), incident.Status(status), incident.Tier(tier)
	for _, f := range []struct {
		dst *time.Time
		src string
	}{{&inc.DeclaredAt, declared}, {&inc.MitigatedAt, mitigated}, {&inc.ResolvedAt, resolved}, {&inc.AckedAt, acked}, {&inc.ReviewFiledAt, reviewed}} {
		if *f.dst, err = ParseTime(f.src); err != nil {
			return nil, fmt.Errorf("incident %d: %w", inc.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(impact), &inc.Impact); err != nil {
		return nil, fmt.Errorf("incident %d: impact: %w", inc.ID, err)
	}
	inc.RPOAchieved = -1
	if rpo >= 0 {
		inc.RPOAchieved = time.Duration(rpo) * time.Millisecond
	}
	if err := json.Unmarshal([]byte(comms), &inc.Comms); err != nil {
		return nil, fmt.Errorf("incident %d: comms: %w", inc.ID, err)
	}
	if inc.RPOMeasured, err = incident.ParseMeasuredRPO(measured); err != nil {
		return nil, fmt.Errorf("incident %d: %w", inc.ID, err)
	}
	return &inc, nil
}

// ImpactJSON is the value of the impact column.
func ImpactJSON(m map[string]int) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// CommsJSON is the value of the comms column.
func CommsJSON(m map[string]time.Time) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// RPOMillis is the value of the rpo_achieved column: milliseconds, -1 when none was measured.
func RPOMillis(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return d.Milliseconds()
}
