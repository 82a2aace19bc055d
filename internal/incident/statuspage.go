package incident

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// A hosted status page (Atlassian Statuspage) shows customers an incident's public state:
// what is published there, and when, is decided here; the adapter only speaks the API.
// `update --status-page <text>` publishes the text (creating the page's incident the first
// time), `mitigate` moves it to monitoring and `resolve` resolves it. Drills and private
// incidents are never published. Each publication is an effect in the status page's lane
// of its incident, so they reach the page in the order they were committed.

// PublicStatus is where an incident stands as the public reads it: a status page's
// incident statuses (Statuspage's own words).
type PublicStatus string

// The public statuses, in the order an incident goes through them.
const (
	PublicInvestigating PublicStatus = "investigating" // the cause is not known yet
	PublicIdentified    PublicStatus = "identified"    // a playbook runs: the fix is being carried out
	PublicMonitoring    PublicStatus = "monitoring"    // mitigated: the fix is in, its results are watched
	PublicResolved      PublicStatus = "resolved"
)

// Words says the public status as a status page heads it: "Identified".
func (p PublicStatus) Words() string {
	if p == "" {
		return "Investigating"
	}
	return strings.ToUpper(string(p[:1])) + string(p[1:])
}

// PublicStatusOf is the public status of an incident in status st, whose response has
// started a playbook run or not. A run started means the responders know what to do and
// are doing it, which is what Statuspage's "identified" says; nothing else the bot records
// says as much, so without one the incident stays investigating until it is mitigated.
func PublicStatusOf(st Status, playbookStarted bool) PublicStatus {
	switch {
	case st == StatusResolved:
		return PublicResolved
	case st == StatusMitigated:
		return PublicMonitoring
	case playbookStarted:
		return PublicIdentified
	}
	return PublicInvestigating
}

// ComponentStatus is how an affected service shows on a status page (Statuspage's
// component statuses).
type ComponentStatus string

// The component statuses the bot sets.
const (
	ComponentOperational   ComponentStatus = "operational"
	ComponentDegraded      ComponentStatus = "degraded_performance"
	ComponentPartialOutage ComponentStatus = "partial_outage"
	ComponentMajorOutage   ComponentStatus = "major_outage"
)

// ComponentStatusOf is how an incident of severity sev shows its services, from the
// severities' definitions: P0 is a complete outage (major outage), P1 a partial or
// regional one (partial outage), P2 a degradation and P3 a minor problem (both degraded
// performance: a minor problem is still felt by whoever meets it, and Statuspage has no
// milder state than that short of operational). The built-in status page says the same.
func ComponentStatusOf(sev Severity) ComponentStatus {
	switch sev {
	case P0:
		return ComponentMajorOutage
	case P1:
		return ComponentPartialOutage
	}
	return ComponentDegraded
}

// Words says a component status as a status page does: "Partial outage".
func (c ComponentStatus) Words() string {
	s := strings.ReplaceAll(string(c), "_", " ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// PublicTitle is an incident's name on a status page: its impact and services, never the
// title typed in chat (which may say more than customers should read).
func PublicTitle(sev Severity, services []string) string {
	t := ComponentStatusOf(sev).Words()
	if len(services) > 0 {
		t += " of " + strings.Join(services, ", ")
	}
	return t
}

// PublicServices are the incident's services a status page may name: all but the
// confidential ones (a public incident that one was added to still keeps it unnamed).
func PublicServices(inc *Incident, cat Catalog) []string {
	var out []string
	for _, s := range inc.Services {
		if !cat[s].Confidential {
			out = append(out, s)
		}
	}
	return out
}

// What the bot says on a status page when an incident is mitigated and resolved.
const (
	PublicMitigatedText = "A fix has been put in place and we are monitoring the results."
	PublicResolvedText  = "This incident has been resolved."
)

// StatusPageUpdate is one publication on the status page.
type StatusPageUpdate struct {
	// ID is the page's incident when the bot knows it; "" the first time, or after an
	// attempt that died before recording it: then the adapter looks for the page's
	// unresolved incident carrying Marker before it creates one.
	ID     string
	Marker string // unique to the bot's incident, kept in the page incident's metadata
	Name   string // PublicTitle
	Status PublicStatus
	Body   string // the update's text, as the chat sent it (the adapter renders it plain)
	// Components are the affected services' statuses, by service name; the adapter sets
	// those that have a component on the page.
	Components map[string]ComponentStatus
	// Retry says an earlier attempt at this publication may have reached the page: the
	// adapter first checks whether the page incident already says it, so that a retry does
	// not add the same update twice. Since is when the publication was asked for: an
	// update of the same text made before then is an earlier one said again (a team says
	// "Still investigating" twice), not this one.
	Retry bool
	Since time.Time
}

// StatusPageRef is a page incident the adapter created, found or updated.
type StatusPageRef struct {
	ID  string
	URL string // its public link (Statuspage's shortlink)
	How string // StatusPageCreated, StatusPageUpdated, StatusPageAdopted or StatusPageUnchanged
}

// What the How of status_page_published says (and StatusPageRef's).
const (
	StatusPageCreated   = "created"   // the page's incident was created
	StatusPageUpdated   = "updated"   // it was updated
	StatusPageAdopted   = "adopted"   // found by its marker, made by an attempt that died, and updated
	StatusPageUnchanged = "unchanged" // a retry found the update already there
)

// StatusPage publishes incidents on a hosted status page. Publish creates the page's
// incident (u.ID "" and none carries u.Marker) or updates it. It returns *TemporaryError
// for rate limits, 5xx answers and network errors, and other errors, saying what to fix,
// for refusals that retrying will not mend (a bad API key, an unknown page, invalid input).
type StatusPage interface {
	Publish(ctx context.Context, u StatusPageUpdate) (StatusPageRef, error)
}

// StatusPageIncident is what the bot keeps of an incident's page incident.
type StatusPageIncident struct {
	IncidentID int64
	ID         string // the page incident
	URL        string
	Status     PublicStatus // the last status published
	UpdatedAt  time.Time
}

// StatusPageTx is what a transaction can do with page incidents.
type StatusPageTx interface {
	// StatusPageIncident returns the incident's page incident. Errors: ENOTFOUND.
	StatusPageIncident(incidentID int64) (*StatusPageIncident, error)
	// SaveStatusPageIncident records the incident's page incident, replacing what was kept.
	SaveStatusPageIncident(p *StatusPageIncident) error
}

// statusPageLane orders an incident's publications on the status page.
func statusPageLane(id int64, _ EffectPayload) string { return fmt.Sprintf("status-page:%d", id) }

// publishes reports whether c's incident goes on the hosted status page at all.
func (s *Service) publishes(c *change) bool {
	return s.settings.StatusPage && !c.inc.Drill && !c.inc.Private
}

// queueStatusPage queues the publication of c's latest event (a status page update, the
// mitigation or the resolution) on the hosted status page.
func (c *change) queueStatusPage() error {
	return c.enqueue(EffectStatusPage, fmt.Sprint(c.last.Seq), EffectPayload{Seq: c.last.Seq})
}

// publicStatusNow is c's incident's public status as of now.
func (c *change) publicStatusNow() (PublicStatus, error) {
	runs, err := c.tx.Runs(c.inc.ID)
	if err != nil {
		return "", err
	}
	return PublicStatusOf(c.inc.Status, len(runs) > 0), nil
}

// publishStatusPage publishes on the status page the event the payload names: a status
// page update's text and public status, the mitigation (monitoring) or the resolution
// (resolved, every component operational). The affected services are the incident's as
// they are now (but the confidential ones), so a service added since the last publication
// joins at this one.
func (o *Outbox) publishStatusPage(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	if inc.Drill || inc.Private {
		return result{}, nil // never published; queued by nothing this release does
	}
	if o.StatusPage == nil {
		return result{}, fmt.Errorf("Statuspage is not configured (statuspage.page_id and STATUSPAGE_API_KEY); this update is on the built-in status page only")
	}
	var (
		ev    *TimelineEvent
		known *StatusPageIncident
	)
	if err := o.Store.View(ctx, func(tx Tx) (err error) {
		if ev, err = tx.Event(inc.ID, e.Payload.Seq); err != nil {
			return err
		}
		known, err = tx.StatusPageIncident(inc.ID)
		if ErrorCode(err) == ENOTFOUND {
			known, err = nil, nil
		}
		return err
	}); err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return result{}, fmt.Errorf("the event #%d to publish is not on the timeline", e.Payload.Seq)
		}
		return result{}, StoreFailed(err)
	}
	sev := ev.Data.Severity
	if sev == "" {
		sev = inc.Severity
	}
	services := PublicServices(inc, o.Settings.Catalog)
	u := StatusPageUpdate{Marker: statusPageMarker(inc), Name: PublicTitle(sev, services), Retry: e.Attempts > 0,
		Since: e.CreatedAt, Components: map[string]ComponentStatus{}}
	if known != nil {
		u.ID = known.ID
	}
	component := ComponentStatusOf(sev)
	switch ev.Kind {
	case EventStatusUpdate:
		u.Status, u.Body = PublicStatus(ev.Data.Outcome), ev.Data.Text
		if u.Status == "" { // an update stored before public statuses were recorded
			u.Status = PublicStatusOf(ev.Data.Status, false)
		}
	case EventMitigated:
		u.Status, u.Body = PublicMonitoring, PublicMitigatedText
	case EventResolved:
		u.Status, u.Body, component = PublicResolved, PublicResolvedText, ComponentOperational
	default:
		return result{}, fmt.Errorf("event #%d (%s) is nothing to publish on the status page", ev.Seq, ev.Kind)
	}
	for _, s := range services {
		u.Components[s] = component
	}
	ref, err := o.StatusPage.Publish(ctx, u)
	if err != nil {
		return result{}, err
	}
	kept := StatusPageIncident{IncidentID: inc.ID, ID: ref.ID, URL: ref.URL, Status: u.Status}
	r := result{
		store: func(tx Tx, now time.Time) error {
			kept.UpdatedAt = now.UTC().Truncate(time.Millisecond)
			return tx.SaveStatusPageIncident(&kept)
		},
		event: EventStatusPagePublished,
		data:  EventData{URL: ref.URL, How: ref.How, Outcome: string(u.Status), Number: ev.Seq},
	}
	if known == nil { // the first publication: the channel gets the link
		r.follow = []followUp{{kind: EffectPost, discriminator: fmt.Sprintf("status-page-%d", e.ID), tell: true}}
	}
	return r, nil
}

// statusPageMarker identifies an incident on the status page: its key and when it was
// declared, so that a page incident of another installation's INC-1 is never taken for it.
func statusPageMarker(inc *Incident) string {
	return inc.Key() + "@" + FormatTime(inc.DeclaredAt)
}

// publishChange queues the publication of c's latest event, a mitigation or the
// resolution, once the incident is on the status page: only an incident that had a status
// page update is (nobody wrote it a public word before that).
func (s *Service) publishChange(c *change) error {
	if !s.publishes(c) || c.inc.Comms[AudienceStatusPage].IsZero() {
		return nil
	}
	return c.queueStatusPage()
}
