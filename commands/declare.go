package commands

import (
	"context"
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

var declareVerb = &Verb{
	Name:  "declare",
	Usage: "declare [P0-P3] [service] <title> [--private]",
	Help:  "open an incident with its own channel (no arguments: a form)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		d, err := ParseDeclare(args, r.Service.Catalog())
		if err != nil {
			return Reply{}, err
		}
		if d.Empty {
			return Reply{OpenDeclareForm: true}, nil
		}
		inc, err := r.Service.Declare(ctx, incident.DeclareRequest{
			Actor: req.UserID, Title: d.Title, Severity: d.Severity, Service: d.Service,
			Private: d.Private, OriginChannel: req.ChannelID,
		})
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: DeclaredText(inc)}, nil
	},
}

// DeclaredText is the answer to a declaration.
func DeclaredText(inc *incident.Incident) string {
	channel := "its channel"
	if inc.Private {
		channel = "its private channel"
	}
	return fmt.Sprintf(":rotating_light: Declared *%s* (%s, %s). I am opening %s and inviting you as incident commander; it appears in a moment.",
		inc.Key(), inc.Severity, inc.Severity.Description(), channel)
}
