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
		return Reply{Text: fmt.Sprintf("*Crisis roles of %s*\n%s", inc.Key(), rolesText(inc))}, nil
	},
}

// rolesText lists every role with its holder, or unfilled with its on-call person.
func rolesText(inc *incident.Incident) string {
	var b strings.Builder
	for _, r := range incident.CrisisRoles {
		fmt.Fprintf(&b, "• *%s*: ", r.Title())
		switch st, h := inc.Roles[r], inc.Holder(r); {
		case h != "":
			fmt.Fprintf(&b, "<@%s>", h)
		case st.OnCall != "":
			fmt.Fprintf(&b, "unfilled (on call: <@%s>)", st.OnCall)
		default:
			b.WriteString("unfilled")
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
