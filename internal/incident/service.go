package incident

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what users type, so every text fits the chat surfaces it appears on.
const (
	MaxTitleLen = 150  // leaves room for the key and severity in a 250-character topic
	MaxTextLen  = 2900 // a Slack section holds 3000 characters
)

// Settings are the parts of configuration the domain needs.
type Settings struct {
	ChannelPrefix   string // channels are named <prefix>-<number>-<slug>
	AnnounceChannel string // "" for no announcements
	Catalog         Catalog
	Paging          PagingSettings // no Targets: paging is off
	PagerSeverity   SeverityMap    // severities of incidents PagerDuty triggers
	// JoinWindow: a PagerDuty incident triggered on a service that has an open incident
	// declared at most JoinWindow ago joins that incident instead of declaring one (an alert
	// storm opens one channel, not one per alert). Zero: every trigger declares.
	JoinWindow time.Duration
	// ApproverGroups are named lists of user IDs that may approve steps (approvals.groups).
	ApproverGroups map[string][]string
	// PlanMaxAge is how old a step's dry-run plan may be when Approve is pressed; an older
	// one is made again first. Zero: steps are not dry-run (no Planner is configured).
	PlanMaxAge time.Duration
	// ApprovalTTL is how long an approval counts while its step has not run; an older one
	// is voided when the step would run, and asked for again. Zero: approvals never lapse.
	ApprovalTTL time.Duration
	// Reviews says a tracker files post-incident reviews; ReviewOnResolve files one when an
	// incident is resolved; FollowupIssues files each follow-up as an issue too.
	Reviews, ReviewOnResolve, FollowupIssues bool
	// SuggestPlaybooks names the playbooks that fit an incident, for its card (nil: none).
	SuggestPlaybooks func(*Incident) []string
	// PublicURL is where people open the dashboard (web.public_url, no trailing slash), for
	// the channel's bookmark to the incident's page; "" for no such link.
	PublicURL string
	// StatusPage says a hosted status page (Statuspage) is configured: status page updates,
	// mitigations and resolutions of incidents that are neither drills nor private are
	// published on it (statuspage.go).
	StatusPage bool
}

// Service implements the incident use cases. Each commits its state change, its timeline
// events and the effects it implies in one transaction, and returns without waiting for them.
// It is the only way into the domain: the surfaces (chat, web, CLI) change state through its
// use cases and read through its query methods (query.go); none opens a transaction. Build
// one with NewService.
type Service struct {
	store    Store
	clock    Clock
	settings Settings
	logger   *slog.Logger
	wake     func() // called after a commit that enqueued effects; nil: nobody to wake
	stats    statsCache
	history  historyCache // the status page's history before today
}

// ServiceConfig is what a Service is built from.
type ServiceConfig struct {
	Store    Store
	Clock    Clock // nil: SystemClock
	Settings Settings
	Log      *slog.Logger // nil: slog.Default()
	// Notify, when set, is called after a commit that enqueued effects (it wakes the outbox).
	Notify func()
}

// NewService returns the Service over c.Store. It keeps its own copy of c.Settings, so a
// caller that changes its settings afterwards changes nothing here.
func NewService(c ServiceConfig) *Service {
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	return &Service{store: c.Store, clock: c.Clock, settings: c.Settings.clone(), logger: c.Log, wake: c.Notify}
}

// DeclareRequest is what a declaration needs.
type DeclareRequest struct {
	Actor         string // user ID
	Title         string
	Severity      Severity
	Service       string // optional; must be in the catalog
	Description   string
	Private       bool
	OriginChannel string
	Drill         bool // an exercise: marked DRILL, pages only a drill target, its steps change nothing real
}

// Declare opens an incident and queues its channel. Errors: EINVALID, ENOTFOUND (service).
func (s *Service) Declare(ctx context.Context, req DeclareRequest) (*Incident, error) {
	req.Title, req.Description = CleanLine(req.Title), CleanText(req.Description)
	title := strings.TrimSpace(req.Title)
	switch {
	case title == "":
		return nil, Errorf(EINVALID, "An incident needs a title.").in(FieldTitle)
	case utf8.RuneCountInString(title) > MaxTitleLen:
		return nil, Errorf(EINVALID, "The title is %d characters; keep it to %d.", utf8.RuneCountInString(title), MaxTitleLen).in(FieldTitle)
	case utf8.RuneCountInString(req.Description) > MaxTextLen:
		return nil, Errorf(EINVALID, "The description is too long; keep it to %d characters.", MaxTextLen).in(FieldDescription)
	case req.Actor == "":
		return nil, Errorf(EINVALID, "A declaration needs the declaring user.")
	}
	if _, err := ParseSeverity(string(req.Severity)); err != nil {
		return nil, about(err, FieldSeverity)
	}
	inc := &Incident{
		RPOAchieved:   -1,
		Title:         title,
		Description:   strings.TrimSpace(req.Description),
		Severity:      req.Severity,
		Status:        StatusInvestigating,
		Private:       req.Private,
		Drill:         req.Drill,
		DeclaredBy:    req.Actor,
		Commander:     req.Actor,
		OriginChannel: req.OriginChannel,
	}
	if req.Service != "" {
		svc, err := s.settings.Catalog.Lookup(req.Service)
		if err != nil {
			return nil, about(err, FieldService)
		}
		inc.Service, inc.Tier, inc.Services = svc.Name, svc.Tier, []string{svc.Name}
		inc.Private = inc.Private || svc.Confidential
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.refuseRepeatDeclaration(tx, inc); err != nil {
			return err
		}
		n, err := tx.NextIncidentNumber()
		if err != nil {
			return err
		}
		inc.Number = n
		inc.DeclaredAt = s.clock.Now().UTC().Truncate(time.Millisecond)
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		c := &change{tx: tx, inc: inc, now: s.clock.Now()}
		d := EventData{Severity: inc.Severity, Title: inc.Title, Service: inc.Service, Tier: inc.Tier, Private: inc.Private, Drill: inc.Drill}
		if err := c.event(req.Actor, EventDeclared, d); err != nil {
			return err
		}
		if err := s.queueChannel(c); err != nil {
			return err
		}
		if err := c.scheduleRTO(s.settings.Catalog); err != nil {
			return err
		}
		if err := c.scheduleCadence(); err != nil {
			return err
		}
		if err := c.scheduleAnchor(); err != nil {
			return err
		}
		if !s.paging() || (inc.Drill && s.settings.Paging.Drill == (PageTarget{})) {
			return nil // drills page nobody unless a drill target is configured
		}
		return c.pageRoles(s.settings.Paging.BySeverity[inc.Severity], "")
	})
	if err != nil {
		return nil, fmt.Errorf("declare: %w", err)
	}
	s.notify()
	s.log().Info("incident declared", "incident", inc.Key(), "severity", inc.Severity, "private", inc.Private)
	return inc, nil
}

// RepeatWindow is how soon the same person declaring the same title again is taken for a
// double submission (a double click, a form sent twice, a retried command) and pointed at the
// incident already opened.
const RepeatWindow = 30 * time.Second

// refuseRepeatDeclaration refuses inc when its declarer declared the same (title,
// description, severity and service) within RepeatWindow. It runs inside the declaration's
// write transaction, so of two submissions racing each other exactly one opens an incident.
// Errors: ECONFLICT.
func (s *Service) refuseRepeatDeclaration(tx Tx, inc *Incident) error {
	now := s.clock.Now()
	// Only the declarer's incidents of the window with this title, however many the window
	// holds (a storm of declarations).
	ids, err := tx.RepeatCandidates(inc.DeclaredBy, inc.Title, now.Add(-RepeatWindow))
	if err != nil {
		return err
	}
	for i := len(ids) - 1; i >= 0; i-- {
		prev, err := tx.Incident(ids[i])
		if err != nil {
			return err
		}
		if prev.DeclaredBy != inc.DeclaredBy || prev.Drill != inc.Drill || !strings.EqualFold(prev.Title, inc.Title) ||
			prev.Description != inc.Description || prev.Severity != inc.Severity || prev.Service != inc.Service {
			continue
		}
		where := "its channel is being created"
		if prev.ChannelName != "" {
			where = "its channel is #" + prev.ChannelName
		}
		return Errorf(ECONFLICT, "You declared %s with this title %s ago (%s). To open another incident, give it a different title.",
			prev.Key(), FormatDuration(now.Sub(prev.DeclaredAt)), where)
	}
	return nil
}

// ByChannel returns the incident whose channel is channelID. Errors: ENOTFOUND.
func (s *Service) ByChannel(ctx context.Context, channelID string) (*Incident, error) {
	var inc *Incident
	err := s.store.View(ctx, func(tx Tx) (err error) {
		inc, err = tx.IncidentByChannel(channelID)
		return err
	})
	return inc, err
}

// Timeline returns the incident's events in order.
func (s *Service) Timeline(ctx context.Context, incidentID int64) ([]TimelineEvent, error) {
	var evs []TimelineEvent
	err := s.store.View(ctx, func(tx Tx) (err error) {
		evs, err = tx.Events(incidentID)
		return err
	})
	return evs, err
}

// PostUpdate records a status update for the team and any audiences (status-page,
// customers, execs, stakeholders, board: the cadence reminders they satisfy) and posts it in
// the channel. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) PostUpdate(ctx context.Context, actor, channelID, text string, audiences ...string) (*Incident, error) {
	return s.postUpdate(ctx, inChannel(channelID), actor, text, audiences)
}

// PostUpdateByID is PostUpdate for an incident found by its ID (from the web console, which
// works while the incident has no channel yet).
func (s *Service) PostUpdateByID(ctx context.Context, actor string, incidentID int64, text string, audiences ...string) (*Incident, error) {
	return s.postUpdate(ctx, byID(incidentID), actor, text, audiences)
}

func (s *Service) postUpdate(ctx context.Context, load loader, actor, text string, audiences []string) (*Incident, error) {
	text, err := checkText("An update", text)
	if err != nil {
		return nil, err
	}
	for _, a := range audiences {
		if _, ok := cadenceFor(a); !ok && a != AudienceBoard {
			return nil, Errorf(EINVALID, "%s is not an audience of updates.", Quote(a))
		}
	}
	return s.changeWith(ctx, load, func(c *change) error {
		if err := c.requireOpen(); err != nil {
			return err
		}
		return s.recordUpdate(c, actor, EventData{Text: text, Audiences: audiences})
	})
}

// recordUpdate records the status update d (its Text, Audiences and what else the caller
// says of it) as the cadence reminders of its audiences met, and posts it; one for the
// status page is published on Statuspage too, when it is configured.
func (s *Service) recordUpdate(c *change, actor string, d EventData) error {
	if c.inc.Comms == nil {
		c.inc.Comms = map[string]time.Time{}
	}
	for _, a := range append([]string{AudienceTeam}, d.Audiences...) {
		c.inc.Comms[a] = c.stamp()
	}
	d.Severity, d.Status = c.inc.Severity, c.inc.Status
	public := slices.Contains(d.Audiences, AudienceStatusPage)
	if public { // what both status pages say of it (statuspage.go)
		st, err := c.publicStatusNow()
		if err != nil {
			return err
		}
		d.Outcome = string(st)
	}
	if err := c.event(actor, EventStatusUpdate, d); err != nil {
		return err
	}
	if public && s.publishes(c) {
		if err := c.queueStatusPage(); err != nil {
			return err
		}
	}
	if s.paging() {
		if err := c.enqueue(EffectPagerNotes, fmt.Sprint(c.last.Seq), EffectPayload{Text: "Status update: " + d.Text}); err != nil {
			return err
		}
	}
	return c.tell()
}

// AddNote puts a note on the timeline; notes are allowed after resolution too. Errors: ENOTFOUND, EINVALID.
func (s *Service) AddNote(ctx context.Context, actor, channelID, text string) (*Incident, error) {
	text, err := checkText("A note", text)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, channelID, func(c *change) error {
		return c.event(actor, EventNote, EventData{Text: text})
	})
}

// SetSeverity changes the severity. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) SetSeverity(ctx context.Context, actor, channelID string, sev Severity) (*Incident, error) {
	if _, err := ParseSeverity(string(sev)); err != nil {
		return nil, err
	}
	return s.change(ctx, channelID, func(c *change) error {
		if err := c.requireOpen(); err != nil {
			return err
		}
		old := c.inc.Severity
		if old == sev {
			return Errorf(ECONFLICT, "%s is already %s.", c.inc.Key(), sev)
		}
		c.inc.Severity = sev
		if sev == P0 && old != P0 {
			if cd, ok := cadenceFor(AudienceExecs); ok {
				if err := c.scheduleReminder(cd, 1, c.now.Add(cd.First)); err != nil {
					return err
				}
			}
		}
		if err := c.event(actor, EventSeverityChanged, EventData{From: old, Severity: sev}); err != nil {
			return err
		}
		return c.announceChange()
	})
}

// Mitigate marks the impact as mitigated. Errors: ENOTFOUND, ECONFLICT.
func (s *Service) Mitigate(ctx context.Context, actor, channelID string) (*Incident, error) {
	return s.change(ctx, channelID, func(c *change) error {
		switch c.inc.Status {
		case StatusMitigated:
			return Errorf(ECONFLICT, "%s is already mitigated.", c.inc.Key())
		case StatusResolved:
			return Errorf(ECONFLICT, "%s is already resolved.", c.inc.Key())
		}
		c.inc.Status, c.inc.MitigatedAt = StatusMitigated, c.stamp()
		if err := c.event(actor, EventMitigated, EventData{}); err != nil {
			return err
		}
		if err := s.publishChange(c); err != nil {
			return err
		}
		return c.announceChange()
	})
}

// Resolve closes the incident with an optional summary. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) Resolve(ctx context.Context, actor, channelID, summary string) (*Incident, error) {
	summary = strings.TrimSpace(CleanText(summary))
	if utf8.RuneCountInString(summary) > MaxTextLen {
		return nil, Errorf(EINVALID, "The summary is too long; keep it to %d characters.", MaxTextLen)
	}
	return s.change(ctx, channelID, func(c *change) error {
		if err := c.requireOpen(); err != nil {
			return err
		}
		return s.resolve(c, actor, summary)
	})
}

// resolve resolves c's incident: the timeline, the channel, the card, and PagerDuty.
func (s *Service) resolve(c *change, actor, summary string) error {
	c.inc.Status, c.inc.ResolvedAt, c.inc.Summary = StatusResolved, c.stamp(), summary
	if c.inc.MitigatedAt.IsZero() {
		c.inc.MitigatedAt = c.inc.ResolvedAt
	}
	took := c.inc.ResolvedAt.Sub(c.inc.DeclaredAt)
	if err := c.event(actor, EventResolved, EventData{Text: summary, Duration: took}); err != nil {
		return err
	}
	if err := s.publishChange(c); err != nil {
		return err
	}
	if s.paging() {
		if err := c.enqueue(EffectPagerResolves, "resolve", EffectPayload{}); err != nil {
			return err
		}
	}
	if s.settings.Reviews && s.settings.ReviewOnResolve {
		if err := c.enqueue(EffectFileReview, "resolve", EffectPayload{}); err != nil {
			return err
		}
	}
	// The plan wants the report within 24 hours whatever the tracker.
	if err := c.enqueueAt(EffectTimer, "report", EffectPayload{Timer: "report"}, c.inc.ResolvedAt.Add(ReportDeadline)); err != nil {
		return err
	}
	if err := c.announceChange(); err != nil {
		return err
	}
	// The chain's head at the resolution goes outside the database: the channel, the review.
	return c.anchor(AnchorResolved)
}

// queueChannel queues a new incident's channel and its announcement. The announcement is
// queued now, not once the channel exists, so that announcements land in the order the
// incidents were declared (it waits for the channel it links to).
func (s *Service) queueChannel(c *change) error {
	if err := c.enqueue(EffectCreateChannel, "channel", EffectPayload{}); err != nil {
		return err
	}
	if a := s.settings.AnnounceChannel; a != "" && !c.inc.Private {
		return c.enqueue(EffectAnnounce, "new", EffectPayload{Channel: a})
	}
	return nil
}
