package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

var serviceVerb = &Verb{
	Name:  "service",
	Usage: "service add <name>",
	Help:  "add an affected service (the RTO clock runs on the tightest)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		tokens, err := Tokenize(args)
		if err != nil {
			return Reply{}, err
		}
		if len(tokens) != 2 || strings.ToLower(tokens[0]) != "add" {
			return Reply{}, usageError("service", "Say `service add` and the service's name.")
		}
		inc, err := r.Service.AddService(ctx, req.UserID, req.ChannelID, tokens[1])
		if err != nil {
			return Reply{}, err
		}
		o := inc.ComputeObjectives(r.Service.Catalog())
		return Reply{Text: fmt.Sprintf("%s now affects %s. RTO %s (%s), RPO %s (%s).", inc.Key(), strings.Join(inc.Services, ", "),
			incident.FormatDuration(o.RTO), o.RTOService, incident.FormatDuration(o.RPO), o.RPOService)}, nil
	},
}
