package commands

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// followupDone matches "done <#>": completing a follow-up rather than adding one.
var followupDone = regexp.MustCompile(`^(?i:done)\s+#?(\d+)$`)

var followupVerb = &Verb{
	Name:  "followup",
	Usage: "followup <text> [@owner] | followup done <#>",
	Help:  "add a follow-up for the review, or mark one done (also after the incident is resolved)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		if args == "" {
			return Reply{}, usageError("followup", "A follow-up needs some text.")
		}
		if verb, rest, _ := strings.Cut(strings.TrimSpace(args), " "); strings.EqualFold(verb, "done") && !followupDone.MatchString(strings.TrimSpace(args)) {
			return Reply{}, usageError("followup", "%s is not a follow-up number; `/incident followups` lists them.", incident.Quote(strings.TrimSpace(rest)))
		}
		if m := followupDone.FindStringSubmatch(strings.TrimSpace(args)); m != nil {
			id, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil {
				return Reply{}, usageError("followup", "%s is not a follow-up number.", incident.Quote(m[1]))
			}
			f, err := r.Service.CompleteFollowup(ctx, req.UserID, req.ChannelID, id)
			if err != nil {
				return Reply{}, err
			}
			text := fmt.Sprintf("Follow-up #%d is done: %s", f.ID, f.Text)
			if f.IssueNumber > 0 {
				text += fmt.Sprintf(" (closing issue #%d)", f.IssueNumber)
			}
			return Reply{Text: text}, nil
		}
		text, owner := args, ""
		if i := strings.LastIndex(args, " "); i > 0 {
			if u, err := ParseUser(args[i+1:]); err == nil {
				text, owner = strings.TrimSpace(args[:i]), u
			}
		}
		f, err := r.Service.AddFollowup(ctx, req.UserID, req.ChannelID, unquote(text), owner)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf("Follow-up #%d recorded for the review.", f.ID)}, nil
	},
}

var followupsVerb = &Verb{
	Name:  "followups",
	Usage: "followups",
	Help:  "list the incident's follow-ups: owner, issue, done or open and for how long",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		if args != "" {
			return Reply{}, usageError("followups", "`followups` takes nothing after it.")
		}
		inc, err := r.Service.ByChannel(ctx, req.ChannelID)
		if err != nil {
			return Reply{}, err
		}
		fs, err := r.Service.Followups(ctx, inc.ID)
		if err != nil {
			return Reply{}, err
		}
		if len(fs) == 0 {
			return Reply{Text: fmt.Sprintf("%s has no follow-ups yet: `/incident followup <text> [@owner]` adds one.", inc.Key())}, nil
		}
		now := r.Service.Now()
		var b strings.Builder
		fmt.Fprintf(&b, "*Follow-ups of %s* (the plan's target: implemented within %d days)", inc.Key(), int(incident.ImplementationWindow.Hours()/24))
		for _, f := range fs {
			fmt.Fprintf(&b, "\n%s", followupLine(&f, now))
		}
		return Reply{Text: b.String()}, nil
	},
}

// followupLine is one follow-up: state, number, text, owner, issue and age.
func followupLine(f *incident.Followup, now time.Time) string {
	line := fmt.Sprintf("• #%d %s", f.ID, f.Text)
	if f.Owner != "" {
		line += " (owner <@" + f.Owner + ">)"
	}
	if f.IssueURL != "" {
		line += " <" + f.IssueURL + "|issue>"
	}
	switch {
	case f.Done():
		took := f.DoneAt.Sub(f.CreatedAt)
		line = fmt.Sprintf(":white_check_mark: %s: %s after %s", line, f.Outcome, incident.FormatDuration(took))
		if f.Outcome == incident.FollowupDone && took > incident.ImplementationWindow {
			line += " (late)"
		}
	case now.Sub(f.CreatedAt) > incident.ImplementationWindow:
		line = fmt.Sprintf(":warning: %s: open for %s, past the 30-day target", line, incident.FormatDuration(now.Sub(f.CreatedAt)))
	default:
		line = fmt.Sprintf(":white_large_square: %s: open for %s", line, incident.FormatDuration(now.Sub(f.CreatedAt)))
	}
	return line
}

// unquote drops the pair of quotes that groups the whole of text ("fix the thing", or with
// typographic quotes); quotes that are part of it ("a" and "b") stay.
func unquote(text string) string {
	r := []rune(strings.TrimSpace(text))
	if len(r) < 2 {
		return text
	}
	closing := quoteClose(r[0])
	inner := string(r[1 : len(r)-1])
	if closing == 0 || r[len(r)-1] != closing || strings.ContainsRune(inner, closing) || strings.ContainsRune(inner, r[0]) {
		return text
	}
	return strings.TrimSpace(inner)
}
