package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

var impactVerb = &Verb{
	Name:  "impact",
	Usage: "impact <percent> [segment]",
	Help:  "set the share of customers affected (all segments, or large_enterprise, mid_market, small_business)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		tokens, err := Tokenize(args)
		if err != nil {
			return Reply{}, err
		}
		if len(tokens) < 1 || len(tokens) > 2 {
			return Reply{}, usageError("impact", "Give the percentage of customers affected, and optionally a segment.")
		}
		pct, err := strconv.Atoi(strings.TrimSuffix(tokens[0], "%"))
		if err != nil {
			return Reply{}, usageError("impact", "%s is not a percentage.", incident.Quote(tokens[0]))
		}
		segment := ""
		if len(tokens) == 2 {
			segment = tokens[1]
		}
		inc, err := r.Service.SetImpact(ctx, req.UserID, req.ChannelID, pct, segment)
		if err != nil {
			return Reply{}, err
		}
		est := inc.EstimateImpact(r.Service.Catalog(), r.Service.Now())
		return Reply{Text: fmt.Sprintf("Estimated impact of %s: %s per hour, %s so far.", inc.Key(), incident.FormatMoney(est.Hourly), incident.FormatMoney(est.SoFar))}, nil
	},
}
