package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

var declareVerb = &Verb{
	Name:  "declare",
	Usage: "declare [P0-P3] [service] <title> [--private]",
	Help:  "open an incident with its own channel (no arguments: a form)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		d, err := r.declaration(req, args)
		if err != nil {
			return Reply{}, err
		}
		if d.Empty {
			return Reply{OpenDeclareForm: true}, nil
		}
		inc, err := r.Service.Declare(ctx, incident.DeclareRequest{
			Actor: req.UserID, Title: d.Title, Severity: d.Severity, Service: d.Service,
			Description: d.Description, Private: d.Private, OriginChannel: req.ChannelID,
		})
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: DeclaredText(inc), Incident: inc}, nil
	},
}

// declaration is what req declares: its fields when it carries them (a form), else the
// typed arguments parsed. A form names its severity, so a missing one is an error about
// that field rather than the typed command's default. Errors: EINVALID.
func (r *Router) declaration(req Request, args string) (Declaration, error) {
	if req.Declare == nil {
		return ParseDeclare(args, r.Service.Catalog())
	}
	d := *req.Declare
	d.Empty = false
	if strings.TrimSpace(string(d.Severity)) == "" {
		return Declaration{}, incident.About(incident.Errorf(incident.EINVALID, "Pick a severity."), incident.FieldSeverity)
	}
	sev, err := incident.ParseSeverity(string(d.Severity))
	if err != nil {
		return Declaration{}, incident.About(err, incident.FieldSeverity)
	}
	d.Severity = sev
	return d, nil
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
