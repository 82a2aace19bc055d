package commands

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
)

var playbookVerb = &Verb{
	Name:  "playbook",
	Usage: "playbook <name> [key=value ...]",
	Help:  "run a playbook in this incident",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		p, params, err := r.playbookArgs("playbook", args)
		if err != nil {
			return Reply{}, err
		}
		inc, err := r.Service.ByChannel(ctx, req.ChannelID)
		if err != nil {
			return Reply{}, err
		}
		spec, err := playbook.Build(p, params, inc, r.PlaybookOptions)
		if err != nil {
			return Reply{}, err
		}
		run, err := r.Service.StartRun(ctx, req.UserID, req.ChannelID, spec)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: fmt.Sprintf(":clipboard: Started %s: %d steps in %d phases. The run card and the step cards are on their way.", p.Title, len(run.Steps), len(spec.Phases))}, nil
	},
}

var playbooksVerb = &Verb{
	Name:  "playbooks",
	Usage: "playbooks",
	Help:  "list the playbooks, those that fit this incident first",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		if err := noArgs("playbooks", args); err != nil {
			return Reply{}, err
		}
		if r.Playbooks == nil {
			return Reply{Text: "No playbooks are loaded."}, nil
		}
		inc, _ := r.Service.ByChannel(ctx, req.ChannelID) // outside an incident: list them all
		var fits, others []string
		for _, p := range r.Playbooks.List() {
			line := fmt.Sprintf("• `%s`: %s", p.Name, p.Title)
			if inc != nil && Matches(p, inc) {
				fits = append(fits, line)
			} else {
				others = append(others, line)
			}
		}
		var b strings.Builder
		if len(fits) > 0 {
			fmt.Fprintf(&b, "*Fit %s*\n%s\n", inc.Key(), strings.Join(fits, "\n"))
		}
		fmt.Fprintf(&b, "*Playbooks*\n%s\nRun one with `/incident playbook <name> [key=value ...]`.", strings.Join(others, "\n"))
		return Reply{Text: b.String()}, nil
	},
}

// Suggest names the playbooks that fit inc, the most specific first: those naming the
// incident's service, then those written for fewer severities, then by name.
func Suggest(lib *playbook.Library, inc *incident.Incident) []string {
	type scored struct {
		name  string
		score int
	}
	var fits []scored
	for _, p := range lib.List() {
		if !Matches(p, inc) {
			continue
		}
		score := len(p.Match.Severities)
		if score == 0 {
			score = len(incident.Severities)
		}
		if len(p.Match.Services) > 0 {
			score -= 10
		}
		fits = append(fits, scored{p.Name, score})
	}
	slices.SortStableFunc(fits, func(a, b scored) int { return a.score - b.score })
	names := make([]string, len(fits))
	for i, f := range fits {
		names[i] = f.name
	}
	return names
}

// Matches reports whether a playbook's match fits the incident's service and severity.
func Matches(p *playbook.Playbook, inc *incident.Incident) bool {
	if p.Match == nil {
		return false
	}
	if len(p.Match.Severities) > 0 && !slices.Contains(p.Match.Severities, string(inc.Severity)) {
		return false
	}
	if len(p.Match.Services) > 0 && !slices.Contains(p.Match.Services, inc.Service) {
		return false
	}
	return true
}

// stepVerb acts on a step. A person types the number its card shows, <run>.<step> within
// the incident (1.3), or just the step's place when the incident has one run (3); the
// card's buttons carry the step's ID, as every card ever posted does, so old buttons keep
// working. Approve takes the digest of the plan approved (--plan, which the card's button
// carries; typed without it, the plan the card shows now) and, for the incident commander
// approving alone, --break-glass "<reason>".
var stepVerb = &Verb{
	Name:  "step",
	Usage: "step <run>.<step> run|approve|reject|skip|done|retry|undo [--break-glass \"<reason>\"]",
	Help:  "act on a playbook step, numbered as on its card, such as 1.3 (the buttons on its card do the same); undo adds a step that reverts a Kubernetes change; the incident commander approves alone with --break-glass \"<reason>\" when nobody else can",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		tokens, err := Tokenize(args)
		if err != nil {
			return Reply{}, err
		}
		if len(tokens) < 2 {
			return Reply{}, usageError("step", "Give a step number, as its card shows it (such as 1.3), and what to do.")
		}
		act, err := stepAction(tokens[0], strings.ToLower(tokens[1]), tokens[2:], args)
		if err != nil {
			return Reply{}, err
		}
		act.Card = req.Button && act.Verb == incident.StepVerbApprove
		var out incident.StepOutcome
		if runPart, seqPart, dotted := strings.Cut(tokens[0], "."); dotted {
			runNumber, err1 := strconv.Atoi(runPart)
			seq, err2 := strconv.Atoi(seqPart)
			if err1 != nil || err2 != nil || runNumber <= 0 || seq <= 0 {
				return Reply{}, usageError("step", "%s is not a step number: type it as its card shows it, such as 1.3.", incident.Quote(tokens[0]))
			}
			out, err = r.Service.ActOnStepRefWith(ctx, req.UserID, req.ChannelID, runNumber, seq, act)
		} else {
			id, perr := strconv.ParseInt(tokens[0], 10, 64)
			if perr != nil || id <= 0 {
				return Reply{}, usageError("step", "%s is not a step number: type it as its card shows it, such as 1.3.", incident.Quote(tokens[0]))
			}
			if req.Button {
				out, err = r.Service.ActOnStepWith(ctx, req.UserID, req.ChannelID, id, act)
			} else {
				out, err = r.Service.ActOnStepRefWith(ctx, req.UserID, req.ChannelID, 0, int(id), act)
			}
		}
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: out.Text, Error: out.Refused}, nil
	},
}

// The options of `step <n> approve`.
const (
	planFlag       = "--plan"        // the digest of the plan approved, as the card's button carries it
	breakGlassFlag = "--break-glass" // the commander approves alone, with a quoted reason
)

// stepAction reads a step verb and its options (tokens after the verb; args is the text
// typed, to tell a quoted reason from a bare word).
func stepAction(ref, verb string, opts []string, args string) (incident.StepAction, error) {
	act := incident.StepAction{Verb: verb}
	example := fmt.Sprintf("/incident step %s approve --break-glass \"the only other approver is unreachable\"", ref)
	for i := 0; i < len(opts); i++ {
		opt := strings.ToLower(strings.Replace(opts[i], "—", "--", 1)) // a chat client's em dash for --
		if verb != incident.StepVerbApprove || (opt != planFlag && opt != breakGlassFlag) {
			return act, usageError("step", "%s takes no %s: give the step number and what to do, such as /incident step %s %s.",
				incident.Quote(verb), incident.Quote(opts[i]), ref, verb)
		}
		if i+1 >= len(opts) {
			if opt == planFlag {
				return act, usageError("step", "--plan needs the digest of the plan, as the card's Approve button carries it.")
			}
			return act, usageError("step", "Break-glass needs the reason, in quotes: %s.", example)
		}
		i++
		if opt == planFlag {
			act.Plan = strings.ToLower(opts[i])
			continue
		}
		if !quotedAfter(args, opts[i-1]) || strings.TrimSpace(opts[i]) == "" {
			return act, usageError("step", "Break-glass needs the reason, in quotes: %s.", example)
		}
		act.BreakGlass = opts[i]
	}
	return act, nil
}

// quotedAfter reports whether what follows flag in text opens with a quote.
func quotedAfter(text, flag string) bool {
	_, rest, ok := strings.Cut(text, flag)
	if !ok {
		return false
	}
	r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(rest, unicode.IsSpace))
	return quoteClose(r) != 0
}
