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
		return nil, Errorf(EINVALID, "Name someone for the role: mention them with @, or say `me`.")
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
			return Errorf(ECONFLICT, "%s already is the %s of %s.", mention(user), role.Title(), inc.Key())
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
		var text string
		switch {
		case actor == user && old == "":
			text = fmt.Sprintf("%s took the %s role", mention(user), role.Title())
		case actor == user:
			text = fmt.Sprintf("%s took the %s role over from %s", mention(user), role.Title(), mention(old))
		case old == "":
			text = fmt.Sprintf("%s made %s the %s", mention(actor), mention(user), role.Title())
		default:
			text = fmt.Sprintf("%s handed the %s role from %s to %s", mention(actor), role.Title(), mention(old), mention(user))
		}
		if err := c.event(actor, EventRoleAssigned, text); err != nil {
			return err
		}
		seq := fmt.Sprint(c.last.Seq)
		if err := c.enqueue(EffectInvite, seq, EffectPayload{Users: []string{user}}); err != nil {
			return err
		}
		return c.announceChange(":busts_in_silhouette: " + text + ".")
	})
}
