package incident

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// A drafted update is offered with each cadence reminder: the facts of the incident that
// the audience of the reminder may read, what changed for them since their previous update,
// and when the next one is due. The words are internal/words' (Draft), the markup each
// surface's; the domain decides only what each audience may see.
//
// Stored or rebuilt? Rebuilt, deterministically, and checked. A person reads what the
// reminder shows and clicks Post as it is: the bot must post exactly that text, and must
// not post it if the incident has changed since in a way the text would say. A draft is a
// pure function (NewDraft) of the incident, its recent timeline, the catalog and the moment
// it describes (At: the RTO clock and the estimate are read at At, never at the click). The
// reminder's buttons carry that moment, the audience's previous update it follows (Since)
// and a digest of the text shown (DraftDigest), not the text, so they stay far under
// Slack's 2000 characters whatever the draft's length, and nothing needs a table of its
// own. At the click the draft is built again for the same moment from the live state: the
// same digest means the same text, which is posted; another digest means the incident
// changed in a way this audience would be told, and the click is refused with a new draft
// instead of posting stale text. Since is compared inside the posting transaction, so
// a double click, or an update that someone typed meanwhile, posts nothing a second time.
// Storing the text would prove only what was shown, not that it is still true; rebuilding
// proves both.

// Kinds of drafted updates, as the status update they become records them (How).
const (
	UpdateDrafted = "drafted" // posted as the reminder drafted it
	UpdateEdited  = "edited"  // the draft, edited by the person who posted it
)

// DraftRef names a drafted update: the cadence reminder it answers (the number of the
// cadence event on the timeline), the moment it describes, and when the audience's
// previous update was posted (zero when there was none). Times are to the millisecond.
type DraftRef struct {
	Reminder int
	At       time.Time
	Since    time.Time
}

// DraftService is an affected service as a draft names it, with its recovery time
// objective (its own, or its tier's).
type DraftService struct {
	Name string
	Tier Tier
	RTO  time.Duration
}

// Draft is what a drafted update says, as data.
type Draft struct {
	Ref      DraftRef
	Audience string
	// Public: the audience reads it outside the company (the status page, customers): no
	// people, no title, no internal objectives or money, no notes.
	Public bool
	// Key and Title are the incident's (internal audiences only read them).
	Key, Title     string
	Severity       Severity
	Status         Status
	Drill, Private bool
	DeclaredAt     time.Time
	Services       []DraftService
	Objectives     Objectives
	Elapsed        time.Duration // from the declaration to At, or to the mitigation
	Mitigated      bool
	Shares         []Share // the segments affected, largest first
	Estimate       Estimate
	// Changes are the events since the audience's previous update (or the declaration)
	// that this audience may be told of, oldest first. Earlier says that older ones may
	// exist beyond the events a draft reads (draftWindow).
	Changes []TimelineEvent
	Earlier bool
	// Next is when the audience's next update is due; zero once the cadence has stopped.
	Next time.Time
}

// PublicAudience reports whether an audience reads its updates outside the company.
func PublicAudience(audience string) bool {
	return audience == AudienceStatusPage || audience == AudienceCustomers
}

// draftWindow bounds the recent events a draft reads: a draft lists changes, not history.
const draftWindow = 500

// Changes a draft tells, by who reads it. The public hear what the status page would show
// (the severity as the services' state, the services affected, the recovery); the
// company's people also hear who does what, the playbook's progress, the impact, the RTO
// warnings and the other audiences' updates; the team also hears its notes.
var (
	publicChanges   = []EventKind{EventSeverityChanged, EventServiceAdded, EventMitigated}
	internalChanges = append(slices.Clone(publicChanges), EventRoleAssigned, EventRunStarted, EventStepResult,
		EventStepUnknown, EventStepDone, EventStepSkipped, EventImpactSet, EventRTOWarning, EventStatusUpdate)
	teamChanges = append(slices.Clone(internalChanges), EventNote, EventCaptured, EventFollowup)
)

// DraftShows reports whether a draft for audience tells of e. Events of an older release
// (stored as text) are left out: their words are Slack text that may say anything. A
// private incident's public drafts tell nothing but its services' state.
func DraftShows(audience string, private bool, e TimelineEvent) bool {
	if e.Format != FormatData {
		return false
	}
	switch {
	case PublicAudience(audience):
		return !private && slices.Contains(publicChanges, e.Kind)
	case audience == AudienceTeam:
		return slices.Contains(teamChanges, e.Kind)
	}
	return slices.Contains(internalChanges, e.Kind)
}

// NewDraft builds the draft that answers reminder (a cadence event of inc) at the moment at,
// from recent, the incident's latest events (in any order), and the catalog. It is pure:
// the same inputs always give the same draft. Errors: EINVALID when reminder is not a
// cadence reminder of an update.
func NewDraft(inc *Incident, reminder *TimelineEvent, recent []TimelineEvent, cat Catalog, at time.Time) (Draft, error) {
	audience, cd, err := reminderAudience(reminder)
	if err != nil {
		return Draft{}, err
	}
	at = at.UTC().Truncate(time.Millisecond)
	since := inc.Comms[audience].UTC()
	d := Draft{
		Ref:      DraftRef{Reminder: reminder.Seq, At: at, Since: since},
		Audience: audience, Public: PublicAudience(audience),
		Key: inc.Key(), Title: inc.Title, Severity: inc.Severity, Status: inc.Status, Drill: inc.Drill, Private: inc.Private,
		DeclaredAt: inc.DeclaredAt.UTC(), Objectives: inc.ComputeObjectives(cat), Mitigated: !inc.MitigatedAt.IsZero(),
		Estimate: inc.EstimateImpact(cat, at),
	}
	services := inc.Services
	if d.Public { // a confidential service is named on no public surface (PublicServices)
		services = PublicServices(inc, cat)
	}
	for _, name := range services {
		svc := cat[name]
		s := DraftService{Name: name, Tier: svc.Tier, RTO: svc.Targets.RTO}
		if def, ok := TierTargets(svc.Tier); ok && s.RTO == 0 {
			s.RTO = def.RTO
		}
		d.Services = append(d.Services, s)
	}
	end := at
	if d.Mitigated {
		end = inc.MitigatedAt
	}
	d.Elapsed = end.Sub(inc.DeclaredAt)
	for _, seg := range Segments {
		if p := inc.Impact[seg]; p > 0 {
			d.Shares = append(d.Shares, Share{Segment: seg, Percent: p})
		}
	}
	evs := slices.Clone(recent)
	slices.SortFunc(evs, func(a, b TimelineEvent) int { return a.Seq - b.Seq })
	from := inc.DeclaredAt
	if !since.IsZero() {
		from = since
	}
	// The window starts after the previous update: older changes may be unread.
	d.Earlier = len(evs) >= draftWindow && evs[0].At.After(from)
	for _, e := range evs {
		if e.At.After(from) && DraftShows(audience, inc.Private, e) &&
			!(d.Public && e.Kind == EventServiceAdded && cat[e.Data.Service].Confidential) {
			d.Changes = append(d.Changes, e)
		}
	}
	// Of the estimates set meanwhile only the latest is news (the head says it too).
	latest := 0
	for _, e := range d.Changes {
		if e.Kind == EventImpactSet && e.Data.How == "" {
			latest = e.Seq
		}
	}
	d.Changes = slices.DeleteFunc(d.Changes, func(e TimelineEvent) bool {
		return e.Kind == EventImpactSet && e.Data.How == "" && e.Seq != latest
	})
	d.Next = nextDue(inc, cd, reminder.Data.Due, at)
	return d, nil
}

// reminderAudience returns the audience and cadence of a cadence reminder of an update.
func reminderAudience(e *TimelineEvent) (string, Cadence, error) {
	if e == nil || e.Kind != EventCadence || len(e.Data.Audiences) == 0 {
		return "", Cadence{}, Errorf(EINVALID, "That event is not a reminder of an update: only cadence reminders have drafts.")
	}
	cd, ok := cadenceFor(e.Data.Audiences[0])
	if !ok {
		return "", Cadence{}, Errorf(EINVALID, "The %s has no drafted update.", UpdateName(e.Data.Audiences[0]))
	}
	return cd.Audience, cd, nil
}

// nextDue is when the next update of cd's audience falls due after at: on the reminder's
// schedule (due, then every cd.Every). The status page's update is owed once; the public's
// next word is then the customers' schedule. Zero when the outage cadence has stopped.
func nextDue(inc *Incident, cd Cadence, due, at time.Time) time.Time {
	if inc.Status != StatusInvestigating {
		return time.Time{}
	}
	if cd.Every == 0 {
		customers, _ := cadenceFor(AudienceCustomers)
		cd, due = customers, inc.DeclaredAt.Add(customers.First)
	}
	if due.After(at) {
		return due.UTC()
	}
	k := at.Sub(due)/cd.Every + 1
	return due.Add(k * cd.Every).UTC()
}

// DraftDigest is a short digest of a draft's text, which a button carries in place of the
// text: the same digest at the click means the same text.
func DraftDigest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}
