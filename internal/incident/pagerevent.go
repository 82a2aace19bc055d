package incident

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PagerEvent is one PagerDuty webhook event about an incident.
type PagerEvent struct {
	DeliveryID string // X-Webhook-Id: the same on every redelivery
	EventID    string
	Type       string // incident.triggered, incident.acknowledged, ...
	OccurredAt time.Time
	Agent      string // who did it, as PagerDuty names them
	Incident   PagerIncident
}

// PagerIncident is the PagerDuty incident an event is about.
type PagerIncident struct {
	ID, Title, Status, Key, URL, ServiceID, Priority, Urgency string
	Number                                                    int
}

// SeverityMap turns PagerDuty's priority (or, without one, its urgency) into a severity.
type SeverityMap struct {
	Priorities map[string]Severity // by priority name, such as "P1"
	Urgencies  map[string]Severity // by urgency: high, low
}

// DefaultSeverityMap maps PagerDuty's P1-P5 onto P0-P3, and high and low urgency onto P1 and P3.
func DefaultSeverityMap() SeverityMap {
	return SeverityMap{
		Priorities: map[string]Severity{"P1": P0, "P2": P1, "P3": P2, "P4": P3, "P5": P3},
		Urgencies:  map[string]Severity{"high": P1, "low": P3},
	}
}

// Severity maps a PagerDuty incident; P2 when nothing matches.
func (m SeverityMap) Severity(pi PagerIncident) Severity {
	if s, ok := m.Priorities[pi.Priority]; ok && pi.Priority != "" {
		return s
	}
	if s, ok := m.Urgencies[pi.Urgency]; ok {
		return s
	}
	return P2
}

// Outcomes of IngestPagerEvent, for logs and metrics.
const (
	PagerDuplicate = "duplicate" // this delivery or event was handled before
	PagerDeclared  = "declared"
	PagerOwnPage   = "own_page" // a page the bot sent; not a new incident
	PagerUnmapped  = "unmapped" // no configured service has this PagerDuty service
	PagerUnknown   = "unknown"  // about a PagerDuty incident the bot does not know
	PagerExisting  = "existing" // triggered again for an incident already declared, or already joined
	PagerJoined    = "joined"   // joined the open incident of its service (Settings.JoinWindow)
	PagerRecorded  = "recorded"
)

// IngestPagerEvent applies one webhook event in one transaction, exactly once however
// often it is delivered: incident.triggered on a mapped service declares an incident (one
// per PagerDuty incident, even when deliveries race), or joins the open incident of that
// service declared within Settings.JoinWindow (join.go); acknowledged records who acked
// and when; resolved resolves ours (a joined PagerDuty incident's only its page); the rest
// go on the timeline.
func (s *Service) IngestPagerEvent(ctx context.Context, ev PagerEvent) (string, error) {
	// PagerDuty relays what people typed, unescaped.
	ev.Agent, ev.Incident.Title = EscapeChat(CleanLine(ev.Agent)), EscapeChat(CleanLine(ev.Incident.Title))
	outcome := ""
	var declared *Incident
	err := s.store.Update(ctx, func(tx Tx) error {
		declared = nil
		now := s.clock.Now()
		for _, key := range []string{"pagerduty-delivery:" + ev.DeliveryID, "pagerduty-event:" + ev.EventID} {
			if strings.HasSuffix(key, ":") {
				continue
			}
			fresh, err := tx.MarkSeen(key, now)
			if err != nil {
				return err
			}
			if !fresh {
				outcome = PagerDuplicate
				return nil
			}
		}
		var err error
		if ev.Type == "incident.triggered" {
			outcome, declared, err = s.pagerTriggered(tx, ev, now)
		} else {
			outcome, err = s.pagerActivity(tx, ev, now)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("pagerduty event %s: %w", ev.EventID, err)
	}
	if outcome != PagerDuplicate && outcome != PagerUnmapped && outcome != PagerUnknown {
		s.notify()
	}
	if outcome == PagerJoined {
		s.log().Info("PagerDuty incident joined an open incident", "pagerduty_incident", ev.Incident.ID, "pagerduty_service", ev.Incident.ServiceID)
	}
	if declared != nil {
		s.log().Info("incident declared from PagerDuty", "incident", declared.Key(), "pagerduty_incident", ev.Incident.ID, "severity", declared.Severity)
	}
	return outcome, nil
}

func (s *Service) pagerTriggered(tx Tx, ev PagerEvent, now time.Time) (string, *Incident, error) {
	pi := ev.Incident
	if strings.HasPrefix(pi.Key, "incidentbot/") {
		return PagerOwnPage, nil, nil
	}
	svc := s.pagerService(pi.ServiceID)
	// The incident to join is looked up first: on PostgreSQL the lookup waits for the
	// declarations in flight on other replicas, so the checks below see what they committed.
	var open *Incident
	if svc != nil && s.settings.JoinWindow > 0 {
		inc, err := tx.OpenIncidentOf(svc.Name, now.Add(-s.settings.JoinWindow))
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return "", nil, err
		}
		open = inc
	}
	if p, err := tx.PageByPagerID(pi.ID); err == nil {
		if p.Joined() {
			return PagerExisting, nil, nil
		}
		return PagerOwnPage, nil, nil
	} else if ErrorCode(err) != ENOTFOUND {
		return "", nil, err
	}
	if _, err := tx.IncidentByPagerDutyID(pi.ID); err == nil {
		return PagerExisting, nil, nil
	} else if ErrorCode(err) != ENOTFOUND {
		return "", nil, err
	}
	if svc == nil {
		s.log().Info("PagerDuty incident on an unmapped service ignored", "pagerduty_incident", pi.ID, "pagerduty_service", pi.ServiceID)
		return PagerUnmapped, nil, nil
	}
	if open != nil {
		return PagerJoined, nil, s.pagerJoin(tx, ev, *svc, open, now)
	}
	title := pagerTitle(pi)
	n, err := tx.NextIncidentNumber()
	if err != nil {
		return "", nil, err
	}
	inc := &Incident{
		Number: n, RPOAchieved: -1, Title: title, Severity: s.settings.PagerSeverity.Severity(pi), Service: svc.Name, Tier: svc.Tier, Services: []string{svc.Name},
		Status: StatusInvestigating, Private: svc.Confidential, DeclaredBy: BotActor,
		DeclaredAt: now.UTC().Truncate(time.Millisecond), PagerDutyID: pi.ID, PagerDutyURL: pi.URL,
	}
	if err := tx.CreateIncident(inc); err != nil {
		return "", nil, err
	}
	c := &change{tx: tx, inc: inc, now: now}
	d := EventData{How: DeclaredByPager, Severity: inc.Severity, Title: title, Service: svc.Name, Tier: svc.Tier, Private: inc.Private,
		Pager: &PagerRef{ID: pi.ID, Number: pi.Number, URL: pi.URL, Priority: pi.Priority, Urgency: pi.Urgency}}
	if err := c.event(BotActor, EventDeclared, d); err != nil {
		return "", nil, err
	}
	if err := s.queueChannel(c); err != nil {
		return "", nil, err
	}
	if err := c.scheduleRTO(s.settings.Catalog); err != nil {
		return "", nil, err
	}
	if err := c.scheduleCadence(); err != nil {
		return "", nil, err
	}
	if err := c.scheduleAnchor(); err != nil {
		return "", nil, err
	}
	if s.paging() {
		if err := c.pageRoles(s.settings.Paging.BySeverity[inc.Severity], ""); err != nil {
			return "", nil, err
		}
	}
	return PagerDeclared, inc, nil
}

// pagerService is the catalog's service whose pagerduty_service is id; nil for none. When
// several name it, the first by name is.
func (s *Service) pagerService(id string) *ServiceInfo {
	if id == "" {
		return nil
	}
	for _, name := range s.settings.Catalog.Names() {
		if info := s.settings.Catalog[name]; info.PagerDuty == id {
			return &info
		}
	}
	return nil
}

// pagerTitle is the title an incident PagerDuty triggered gets: PagerDuty's, cut to
// MaxTitleLen.
func pagerTitle(pi PagerIncident) string {
	title := strings.TrimSpace(pi.Title)
	if title == "" {
		title = "PagerDuty incident " + pi.ID
	}
	if n := []rune(title); len(n) > MaxTitleLen {
		title = string(n[:MaxTitleLen-1]) + "…"
	}
	return title
}

// pagerActivity handles every event but triggered, for the incident or page it is about.
func (s *Service) pagerActivity(tx Tx, ev PagerEvent, now time.Time) (string, error) {
	pi := ev.Incident
	var page *Page
	inc, err := tx.IncidentByPagerDutyID(pi.ID)
	if ErrorCode(err) == ENOTFOUND {
		if page, err = tx.PageByPagerID(pi.ID); err == nil {
			inc, err = tx.Incident(page.IncidentID)
		}
	}
	if ErrorCode(err) == ENOTFOUND {
		return PagerUnknown, nil
	}
	if err != nil {
		return "", err
	}
	c := &change{tx: tx, inc: inc, now: now}
	// The event is about the PagerDuty incident, or the page (of a role, or a person through
	// its target) that it is.
	d := EventData{Pager: &PagerRef{ID: pi.ID, Number: pi.Number, Agent: ev.Agent, Event: strings.TrimPrefix(ev.Type, "incident.")}}
	if page != nil && !page.Joined() {
		d.Role, d.Pager.Target = page.Role, page.Target.String()
	}
	agent := ev.Agent
	if agent == "" {
		agent = "PagerDuty"
	}
	switch ev.Type {
	case "incident.acknowledged":
		at := ev.OccurredAt
		if at.IsZero() {
			at = now
		}
		at = at.UTC().Truncate(time.Millisecond)
		if page != nil {
			page.Status, page.AckedBy, page.AckedAt = "acknowledged", agent, at
			if err := tx.UpdatePage(page); err != nil {
				return "", err
			}
		}
		if inc.AckedAt.IsZero() {
			// PagerDuty's clock, or an ack before the webhook that declared the incident
			// arrived, can put the ack before the declaration: it counts as at the declaration,
			// so time to acknowledge is never negative.
			inc.AckedAt, inc.AckedBy = at, agent
			if at.Before(inc.DeclaredAt) {
				inc.AckedAt = inc.DeclaredAt
			}
			d.How, d.Duration = FirstAck, inc.AckedAt.Sub(inc.DeclaredAt)
		}
		if err := c.event(BotActor, EventAcknowledged, d); err != nil {
			return "", err
		}
		// An alert of a storm acknowledged in PagerDuty is told only when it is the
		// incident's first acknowledgement: a bulk ack of fifty is not fifty posts.
		if page == nil || !page.Joined() || d.How == FirstAck {
			if err := c.tell(); err != nil {
				return "", err
			}
		}
	case "incident.resolved":
		if page != nil {
			page.Status = "resolved"
			if err := tx.UpdatePage(page); err != nil {
				return "", err
			}
			if err := c.event(BotActor, EventPagerActivity, d); err != nil {
				return "", err
			}
			break
		}
		if !inc.Open() {
			return PagerRecorded, c.event(BotActor, EventPagerActivity, d)
		}
		if err := s.resolve(c, BotActor, fmt.Sprintf("Resolved in PagerDuty by %s", agent)); err != nil {
			return "", err
		}
	default:
		if err := c.event(BotActor, EventPagerActivity, d); err != nil {
			return "", err
		}
	}
	return PagerRecorded, tx.UpdateIncident(inc)
}
