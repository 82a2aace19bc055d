package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

var pageVerb = &Verb{
	Name:  "page",
	Usage: "page <role|@user> [message]",
	Help:  "page a crisis role or a person through PagerDuty",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		who, message := splitVerb(args) // the first word, and the message with its formatting
		if who == "" {
			return Reply{}, usageError("page", "Name a role or a person to page.")
		}
		var (
			role incident.Role
			user string
			err  error
		)
		if strings.HasPrefix(who, "<@") {
			// splitVerb lowercased the mention; take it again from the original text.
			first := strings.Fields(args)[0]
			if user, err = ParseUser(first); err != nil {
				return Reply{}, usageError("page", "%s", incident.ErrorMessage(err))
			}
		} else if role, err = incident.ParseRole(who); err != nil {
			return Reply{}, usageError("page", "%s", incident.ErrorMessage(err))
		}
		inc, err := r.Service.Page(ctx, req.UserID, req.ChannelID, role, user, message)
		if err != nil {
			return Reply{}, err
		}
		target := "<@" + user + ">"
		if role != "" {
			target = "the " + role.Title()
		}
		return Reply{Text: fmt.Sprintf(":pager: Paging %s for %s through PagerDuty; the timeline will show when it is sent and acknowledged.", target, inc.Key())}, nil
	},
}
