package incident

import (
	"context"
	"fmt"
)

// AssignRole gives role to user, handing it off from whoever held it: announced in the
// channel, on the timeline, the user invited, the card and topic updated. Errors:
// ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) AssignRole(ctx context.Context, actor, channelID string, role Role, user string) (*Incident, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return nil, err
	}
	if user == "" {
		return nil, Errorf(EINVALID, "Name someone for the role: mention them with @, or say me.")
	}
	if user == BotActor {
		return nil, Errorf(EINVALID, "The bot cannot hold a crisis role.")
	}
	return s.change(ctx, channelID, func(c *change) error {
		if err := c.requireOpen(); err != nil {
			return err
		}
		inc := c.inc
		old := inc.Holder(role)
		if old == user {
			who := "They"
			if user == actor {
				who = "You"
			}
			return Errorf(ECONFLICT, "%s already are the %s of %s.", who, role.Title(), inc.Key())
		}
		if role == RoleCommander {
			inc.Commander = user
		} else {
			if inc.Roles == nil {
				inc.Roles = map[Role]RoleState{}
			}
			st := inc.Roles[role]
			st.Holder = user
			inc.Roles[role] = st
		}
		if err := c.event(actor, EventRoleAssigned, EventData{Role: role, Users: []string{user}, Was: old}); err != nil {
			return err
		}
		seq := fmt.Sprint(c.last.Seq)
		if err := c.enqueue(EffectInvite, seq, EffectPayload{Users: []string{user}}); err != nil {
			return err
		}
		return c.announceChange()
	})
}
