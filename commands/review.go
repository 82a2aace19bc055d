package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

var postmortemVerb = &Verb{
	Name:  "postmortem",
	Usage: "postmortem",
	Help:  "write the post-incident review and file it (again: the same issue is updated)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		if err := noArgs("postmortem", args); err != nil {
			return Reply{}, err
		}
		inc, err := r.Service.FileReview(ctx, req.UserID, req.ChannelID)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf(":memo: Writing the review of %s; the link will be posted here.", inc.Key())}, nil
	},
}

var rpoVerb = &Verb{
	Name:  "rpo",
	Usage: "rpo <data loss window, such as 30s or 4m>",
	Help:  "record how much data was lost (the RPO achieved)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		d, err := time.ParseDuration(args)
		if err != nil {
			return Reply{}, usageError("rpo", "%s is not a duration.", incident.Quote(args))
		}
		inc, err := r.Service.RecordDataLoss(ctx, req.UserID, req.ChannelID, d)
		if err != nil {
			return Reply{}, err
		}
		text := fmt.Sprintf("Recorded a data loss window of %s for %s.", incident.FormatDuration(d), inc.Key())
		if m := inc.RPOMeasured; m != nil {
			text += fmt.Sprintf(" The review and the KPIs keep the RPO measured at the switchover of step %s: %s.", m.Step, incident.FormatDuration(m.Window))
		}
		return Reply{Text: text}, nil
	},
}
