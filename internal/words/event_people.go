package words

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Roles, pages and PagerDuty.
func init() {
	phrases[incident.EventRoleAssigned] = roleAssigned
	notices[incident.EventRoleAssigned] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		return finish(roleAssigned(e), IconPeople)
	}
	phrases[incident.EventPaged] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		if d.Pager == nil { // a person asked for the page
			b := say(actor(e), " paged ")
			if d.Role != "" {
				b.add("the " + d.Role.Title())
			} else {
				b.add(people(d.Users))
			}
			if d.Text != "" {
				b.add(": ", chat(d.Text))
			}
			return b.sentence()
		}
		b := say("Paged ")
		if d.Role != "" {
			b.add(string(d.Role))
		} else {
			b.add(people(d.Users))
		}
		b.add(" through " + d.Pager.Target)
		if d.How != incident.PagedByEvents {
			b.add(": PagerDuty incident "+d.Pager.ID+" ", link(d.URL, ""))
		}
		return b.sentence()
	}
	phrases[incident.EventOnCall] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		role := string(d.Role)
		others := strings.Join(d.Others, ", ")
		switch {
		case len(d.Users) == 0 && len(d.Others) == 0:
			return say("PagerDuty names nobody on call for " + role).sentence()
		case len(d.Users) > 0 && len(d.Others) > 0:
			return say("On call for "+role+": ", people(d.Users), "; not found in Slack by email: "+others).sentence()
		case len(d.Users) > 0:
			return say("On call for "+role+": ", people(d.Users)).sentence()
		}
		return say("On call for " + role + " in PagerDuty: " + others + ", not found in Slack by email").sentence()
	}
	phrases[incident.EventPagerNoted] = func(e incident.TimelineEvent) Sentence {
		if e.Data.How == incident.NotedBefore {
			return say("PagerDuty incident " + e.Data.Pager.ID + " already had the note").sentence()
		}
		return say("Noted on PagerDuty incident " + e.Data.Pager.ID).sentence()
	}
	phrases[incident.EventPagerResolved] = func(e incident.TimelineEvent) Sentence {
		p := e.Data.Pager
		if p.Target != "" || e.Data.Role != "" {
			return say(fmt.Sprintf("Resolved the page of %s (%s)", pageOf(e.Data), p.ID)).sentence()
		}
		return say("Resolved PagerDuty incident " + p.ID).sentence()
	}
	phrases[incident.EventAcknowledged] = acknowledged
	notices[incident.EventAcknowledged] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		return finish(acknowledged(e), IconEyes)
	}
	phrases[incident.EventPagerActivity] = func(e incident.TimelineEvent) Sentence {
		p := e.Data.Pager
		if p.Event == "resolved" {
			return say(fmt.Sprintf("%s resolved %s in PagerDuty", agent(p), pagerAbout(e.Data))).sentence()
		}
		return say(fmt.Sprintf("PagerDuty: %s %s by %s", pagerAbout(e.Data), strings.ReplaceAll(p.Event, "_", " "), agent(p))).sentence()
	}
}

func roleAssigned(e incident.TimelineEvent) Sentence {
	d := e.Data
	user, title := person(d.Users[0]), d.Role.Title()
	switch {
	case e.Actor == d.Users[0] && d.Was == "":
		return say(user, " took the "+title+" role").sentence()
	case e.Actor == d.Users[0]:
		return say(user, " took the "+title+" role over from ", person(d.Was)).sentence()
	case d.Was == "":
		return say(actor(e), " made ", user, " the "+title).sentence()
	}
	return say(actor(e), " handed the "+title+" role from ", person(d.Was), " to ", user).sentence()
}

func acknowledged(e incident.TimelineEvent) Sentence {
	d := e.Data
	b := say(fmt.Sprintf("%s acknowledged %s", agent(d.Pager), pagerAbout(d)))
	if d.How == incident.FirstAck {
		b.add(fmt.Sprintf(" (first acknowledgement: %s after the declaration)", incident.FormatDuration(d.Duration)))
	}
	return b.sentence()
}

// pagerAbout is what a PagerDuty event is about: a page of ours, or the PagerDuty incident.
func pagerAbout(d incident.EventData) string {
	if d.Role != "" || d.Pager.Target != "" {
		return "the page of " + pageOf(d)
	}
	return fmt.Sprintf("PagerDuty incident #%d", d.Pager.Number)
}

// pageOf names a page by its role, or by its target when it paged a person.
func pageOf(d incident.EventData) string {
	if d.Role != "" {
		return string(d.Role)
	}
	return d.Pager.Target
}

// agent is who acted in PagerDuty, as PagerDuty names them.
func agent(p *incident.PagerRef) string {
	if p.Agent == "" {
		return "PagerDuty"
	}
	return p.Agent
}
