package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Audiences of status updates, from the plan's communication requirements.
const (
	AudienceTeam         = "team"
	AudienceStatusPage   = "status-page"
	AudienceCustomers    = "customers"
	AudienceExecs        = "execs"
	AudienceStakeholders = "stakeholders"
	AudienceBoard        = "board"
)

// Cadence is one communication requirement of the plan: who owes which update, when first,
// and how often after that while the outage lasts.
type Cadence struct {
	Audience string
	Owner    Role
	First    time.Duration // after the declaration
	Every    time.Duration // zero: once
	OnlyP0   bool
	Flag     string // the update flag that satisfies it
}

// Cadences are the plan's reminders: status page within 5 minutes; direct customer
// communication within 15, then every 15; team updates every 15; executive briefings every
// 30 for P0; stakeholder updates hourly.
var Cadences = []Cadence{
	{Audience: AudienceStatusPage, Owner: RoleCommunications, First: 5 * time.Minute, Flag: "--status-page"},
	{Audience: AudienceCustomers, Owner: RoleCommunications, First: 15 * time.Minute, Every: 15 * time.Minute, Flag: "--customers"},
	{Audience: AudienceTeam, Owner: RoleCommander, First: 15 * time.Minute, Every: 15 * time.Minute, Flag: ""},
	{Audience: AudienceExecs, Owner: RoleBusinessContinuity, First: 30 * time.Minute, Every: 30 * time.Minute, OnlyP0: true, Flag: "--execs"},
	{Audience: AudienceStakeholders, Owner: RoleBusinessContinuity, First: time.Hour, Every: time.Hour, Flag: "--stakeholders"},
}

// UpdateFlags maps `update` flags to audiences.
var UpdateFlags = map[string]string{
	"--status-page": AudienceStatusPage, "--customers": AudienceCustomers, "--execs": AudienceExecs,
	"--stakeholders": AudienceStakeholders, "--board": AudienceBoard,
}

// audienceWords are the audiences as people read them: what their update is called, and
// who gets it.
var audienceWords = map[string]struct{ update, to string }{
	AudienceTeam:         {"team update", "the team"},
	AudienceStatusPage:   {"status page update", "the status page"},
	AudienceCustomers:    {"customer update", "customers"},
	AudienceExecs:        {"executive briefing", "the executives"},
	AudienceStakeholders: {"stakeholder update", "stakeholders"},
	AudienceBoard:        {"board notification", "the board"},
}

// UpdateName is what an audience's update is called: "the executive briefing".
func UpdateName(audience string) string {
	if w, ok := audienceWords[audience]; ok {
		return w.update
	}
	return audience + " update"
}

// Recipients lists who an update is for: "the status page, customers and the executives".
func Recipients(audiences []string) string {
	names := make([]string, len(audiences))
	for i, a := range audiences {
		names[i] = a
		if w, ok := audienceWords[a]; ok {
			names[i] = w.to
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func cadenceFor(audience string) (Cadence, bool) {
	for _, c := range Cadences {
		if c.Audience == audience {
			return c, true
		}
	}
	return Cadence{}, false
}

// scheduleCadence sets the first reminder of every cadence the incident's severity needs.
func (c *change) scheduleCadence() error {
	for _, cd := range Cadences {
		if cd.OnlyP0 && c.inc.Severity != P0 {
			continue
		}
		if err := c.scheduleReminder(cd, 1, c.inc.DeclaredAt.Add(cd.First)); err != nil {
			return err
		}
	}
	return nil
}

func (c *change) scheduleReminder(cd Cadence, n int, due time.Time) error {
	return c.enqueueAt(EffectTimer, fmt.Sprintf("cadence-%s-%d", cd.Audience, n),
		EffectPayload{Timer: "cadence", Text: cd.Audience, Seq: n, Target: due.UnixMilli()}, due)
}

// reminderTimer checks a cadence when it falls due: met if its audience got an update in
// the window, else missed, said in the channel to the role that owes it and escalated to the
// commander. Either way it goes on the timeline, and the next one is set while the outage lasts.
func (o *Outbox) reminderTimer(inc *Incident, e *Effect) (result, error) {
	if e.Payload.Text == AudienceBoard {
		return o.boardTimer(inc), nil
	}
	cd, ok := cadenceFor(e.Payload.Text)
	if !ok || inc.Status != StatusInvestigating {
		return result{}, nil // recovered, or resolved: the outage cadences stop
	}
	due := time.UnixMilli(e.Payload.Target).UTC()
	from := inc.DeclaredAt
	if e.Payload.Seq > 1 {
		from = due.Add(-cd.Every)
	}
	last := inc.Comms[cd.Audience]
	met := !last.IsZero() && !last.Before(from)
	d := EventData{Audiences: []string{cd.Audience}, Due: due, Role: cd.Owner, Reason: cd.Flag}
	if met {
		d.How, d.When = CadenceMet, last.UTC()
	} else {
		d.How = CadenceMissed
		owner := inc.Holder(cd.Owner)
		if owner == "" {
			owner = inc.Roles[cd.Owner].OnCall
		}
		d.Users = nonEmpty(owner)
		if inc.Commander != "" && inc.Commander != owner {
			d.Was = inc.Commander // escalated to
		}
	}
	r := result{event: EventCadence, data: d}
	if !met {
		r.follow = append(r.follow, followUp{kind: EffectPost, discriminator: fmt.Sprintf("cadence-%s-%d", cd.Audience, e.Payload.Seq), tell: true})
	}
	// The estimate grows while the outage lasts: the board reminder can fall due here too.
	if est := inc.EstimateImpact(o.Settings.Catalog, o.Clock.Now()); est.SoFar > BoardThreshold &&
		inc.Comms[AudienceBoard].IsZero() && inc.Comms["board-reminded"].IsZero() {
		r.more = func(c *change) error { return c.remindBoard(c.inc.EstimateImpact(o.Settings.Catalog, c.now)) }
	}
	if cd.Every > 0 {
		next := due.Add(cd.Every)
		r.follow = append(r.follow, followUp{kind: EffectTimer, discriminator: fmt.Sprintf("cadence-%s-%d", cd.Audience, e.Payload.Seq+1),
			payload: EffectPayload{Timer: "cadence", Text: cd.Audience, Seq: e.Payload.Seq + 1, Target: next.UnixMilli()}, due: next})
	}
	return r, nil
}

// boardTimer reminds the board's notification when the estimate has passed BoardThreshold
// (scheduleBoard set it for that moment); before, or after a reminder, it does nothing.
func (o *Outbox) boardTimer(inc *Incident) result {
	if inc.Status != StatusInvestigating || inc.EstimateImpact(o.Settings.Catalog, o.Clock.Now()).SoFar <= BoardThreshold {
		return result{}
	}
	return result{more: func(c *change) error { return c.remindBoard(c.inc.EstimateImpact(o.Settings.Catalog, c.now)) }}
}

// parseAudiences splits `update` arguments into audience flags and the text.
func parseAudiences(args []string) (audiences []string, text []string, err error) {
	for _, a := range args {
		if !strings.HasPrefix(a, "--") {
			text = append(text, a)
			continue
		}
		aud, ok := UpdateFlags[a]
		if !ok {
			var flags []string
			for f := range UpdateFlags {
				flags = append(flags, f)
			}
			slices.Sort(flags)
			return nil, nil, Errorf(EINVALID, "Unknown option %s: an update can be for %s.", Prefix(a, QuoteLen), strings.Join(flags, ", "))
		}
		audiences = append(audiences, aud)
	}
	return audiences, text, nil
}
