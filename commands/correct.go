package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

var correctVerb = &Verb{
	Name:  "correct",
	Usage: "correct <event #> <text>",
	Help:  "correct a note, update or captured message (the original stays on the timeline)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		num, text := splitVerb(args)
		seq, err := strconv.Atoi(strings.TrimPrefix(num, "#"))
		if err != nil || text == "" {
			return Reply{}, usageError("correct", "Give the event's number (from `/incident timeline`) and the corrected text.")
		}
		inc, err := r.Service.CorrectEvent(ctx, req.UserID, req.ChannelID, seq, text)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf("Correction of #%d recorded on the %s timeline.", seq, inc.Key())}, nil
	},
}
