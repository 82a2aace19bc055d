package incident

import (
	"context"
)

// pageRoles queues a page for each role, numbering it after the role's earlier pages so
// each page has its own key.
func (c *change) pageRoles(roles []Role, message string) error {
	pages, err := c.tx.Pages(c.inc.ID)
	if err != nil {
		return err
	}
	effects, err := c.tx.EffectsOfKind(c.inc.ID, EffectPage)
	if err != nil {
		return err
	}
	for _, r := range roles {
		n := 1
		for _, p := range pages {
			if p.Role == r {
				n++
			}
		}
		for _, e := range effects {
			if e.Kind == EffectPage && e.Payload.Role == r && e.State != EffectDone {
				n++ // queued but not sent yet
			}
		}
		key := PageKey(c.inc, string(r), n)
		if err := c.enqueue(EffectPage, key, EffectPayload{Role: r, Key: key, Text: message}); err != nil {
			return err
		}
		if err := c.enqueue(EffectOnCall, key, EffectPayload{Role: r}); err != nil {
			return err
		}
	}
	return nil
}

// paging says whether the bot pages at all.
func (s *Service) paging() bool { return s.settings.Paging.Enabled }

// Page pages a role (through its configured target) or a person (the PagerDuty user with
// their Slack email) on demand. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) Page(ctx context.Context, actor, channelID string, role Role, user, message string) (*Incident, error) {
	if !s.paging() {
		return nil, Errorf(EINVALID, "Paging is not set up: the bot has no PagerDuty token (PAGERDUTY_TOKEN).")
	}
	message = CleanText(message)
	if utf8Len(message) > MaxTextLen {
		return nil, Errorf(EINVALID, "The message is too long; keep it to %d characters.", MaxTextLen)
	}
	return s.change(ctx, channelID, func(c *change) error {
		if err := c.requireOpen(); err != nil {
			return err
		}
		switch {
		case c.inc.Drill && s.settings.Paging.Drill == (PageTarget{}):
			return Errorf(EINVALID, "%s is a drill: nobody is paged (drills.paging is not configured).", c.inc.Key())
		case c.inc.Drill && role == "":
			return Errorf(EINVALID, "%s is a drill: only roles are paged, through the drill target (drills.paging); page a role instead.", c.inc.Key())
		case role != "" && s.settings.Paging.TargetFor(c.inc, role) == (PageTarget{}):
			return Errorf(EINVALID, "The %s has no PagerDuty escalation policy, schedule or routing key in the configuration (roles.%s).", role.Title(), role)
		}
		d := EventData{Role: role, Text: message}
		if role == "" {
			d.Users = []string{user}
		}
		if err := c.event(actor, EventPaged, d); err != nil {
			return err
		}
		if role != "" {
			return c.pageRoles([]Role{role}, message)
		}
		key := PageKey(c.inc, user, c.last.Seq)
		return c.enqueue(EffectPage, key, EffectPayload{Users: []string{user}, Key: key, Text: message})
	})
}

// label names the person as PagerDuty knows them: their name, else their user ID (not
// their email: the timeline ends up in the review).
func (p OnCallPerson) label() string {
	if p.Name != "" {
		return p.Name
	}
	return "PagerDuty user " + p.ID
}
