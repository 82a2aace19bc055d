package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

var roleVerb = &Verb{
	Name:  "role",
	Usage: "role <role> <@user|me>",
	Help:  "assign or hand off a crisis role (ic, tl, bc, comms, legal)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		tokens, err := Tokenize(args)
		if err != nil {
			return Reply{}, err
		}
		if len(tokens) != 2 {
			return Reply{}, usageError("role", "Name a role and a person.")
		}
		role, err := incident.ParseRole(tokens[0])
		if err != nil {
			return Reply{}, usageError("role", "%s", incident.ErrorMessage(err))
		}
		user := req.UserID
		if strings.ToLower(tokens[1]) != "me" {
			if user, err = ParseUser(tokens[1]); err != nil {
				return Reply{}, usageError("role", "%s", incident.ErrorMessage(err))
			}
		}
		inc, err := r.Service.AssignRole(ctx, req.UserID, req.ChannelID, role, user)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf("<@%s> is now the %s of %s.", user, role.Title(), inc.Key())}, nil
	},
}

var rolesVerb = &Verb{
	Name:  "roles",
	Usage: "roles",
	Help:  "who holds each crisis role",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		if err := noArgs("roles", args); err != nil {
			return Reply{}, err
		}
		inc, err := r.Service.ByChannel(ctx, req.ChannelID)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf("*Crisis roles of %s*\n%s", inc.Key(), inc.RolesText())}, nil
	},
}
