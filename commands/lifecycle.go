package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

var updateVerb = &Verb{
	Name:  "update",
	Usage: "update [--status-page] [--customers] [--execs] [--stakeholders] [--board] <text>",
	Help:  "post a status update; the flags say which communication it also counts as",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		// Leading --flags name audiences; the rest, formatting intact, is the text.
		var audiences []string
		text := args
		for strings.HasPrefix(text, "--") {
			flag, rest := splitVerb(text)
			aud, ok := incident.UpdateFlags[flag]
			if !ok {
				return Reply{}, usageError("update", "Unknown option %s.", incident.Prefix(flag, incident.QuoteLen))
			}
			audiences, text = append(audiences, aud), rest
		}
		if text == "" {
			return Reply{}, usageError("update", "An update needs some text.")
		}
		inc, err := r.Service.PostUpdate(ctx, req.UserID, req.ChannelID, text, audiences...)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf("Update posted to %s and recorded on the timeline.", inc.Key())}, nil
	},
}

var noteVerb = &Verb{
	Name:  "note",
	Usage: "note <text>",
	Help:  "add a note to the timeline",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		if args == "" {
			return Reply{}, usageError("note", "A note needs some text.")
		}
		inc, err := r.Service.AddNote(ctx, req.UserID, req.ChannelID, args)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf(":memo: Noted on the %s timeline.", inc.Key())}, nil
	},
}

var severityVerb = &Verb{
	Name:  "severity",
	Usage: "severity <P0-P3>",
	Help:  "change the severity",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		tokens, err := Tokenize(args)
		if err != nil {
			return Reply{}, err
		}
		if len(tokens) != 1 {
			return Reply{}, usageError("severity", "Give exactly one severity.")
		}
		sev, err := incident.ParseSeverity(tokens[0])
		if err != nil {
			return Reply{}, usageError("severity", "%s", incident.ErrorMessage(err))
		}
		inc, err := r.Service.SetSeverity(ctx, req.UserID, req.ChannelID, sev)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf("%s is now %s.", inc.Key(), inc.Severity)}, nil
	},
}

var mitigateVerb = &Verb{
	Name:  "mitigate",
	Usage: "mitigate",
	Help:  "mark the impact mitigated (the incident stays open)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		if err := noArgs("mitigate", args); err != nil {
			return Reply{}, err
		}
		inc, err := r.Service.Mitigate(ctx, req.UserID, req.ChannelID)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf("%s is marked mitigated.", inc.Key())}, nil
	},
}

var resolveVerb = &Verb{
	Name:  "resolve",
	Usage: "resolve [summary]",
	Help:  "resolve the incident",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		inc, err := r.Service.Resolve(ctx, req.UserID, req.ChannelID, args)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf("%s is resolved after %s.", inc.Key(), incident.FormatDuration(inc.ResolvedAt.Sub(inc.DeclaredAt)))}, nil
	},
}
