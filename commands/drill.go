package commands

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
)

var drillVerb = &Verb{
	Name:  "drill",
	Usage: "drill <playbook> [key=value ...]",
	Help:  "rehearse a playbook in a drill incident: marked DRILL, pages and acts only where drills are configured to",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		p, params, err := r.playbookArgs("drill", args)
		if err != nil {
			return Reply{}, err
		}
		sev := incident.P2
		if p.Severity != "" {
			if sev, err = incident.ParseSeverity(p.Severity); err != nil {
				return Reply{}, err
			}
		}
		service := ""
		if p.Match != nil && len(p.Match.Services) == 1 {
			service = p.Match.Services[0]
		}
		title := "Drill: " + p.Title
		// Build once against the incident-to-be so that bad parameters refuse the drill
		// before anything is declared.
		draft := &incident.Incident{Title: title, Severity: sev, Service: service, Drill: true}
		if _, err := playbook.Build(p, params, draft, r.PlaybookOptions); err != nil {
			return Reply{}, err
		}
		inc, err := r.Service.Declare(ctx, incident.DeclareRequest{
			Actor: req.UserID, Title: title, Severity: sev, Service: service,
			OriginChannel: req.ChannelID, Drill: true,
			Description: drillDescription(p, params),
		})
		if err != nil {
			return Reply{}, err
		}
		spec, err := playbook.Build(p, params, inc, r.PlaybookOptions)
		if err != nil {
			return Reply{}, err
		}
		run, err := r.Service.StartRunIn(ctx, req.UserID, inc.ID, spec)
		if err != nil {
			return Reply{}, fmt.Errorf("drill %s declared, but its run did not start: %w", inc.Key(), err)
		}
		return Reply{Text: fmt.Sprintf(":test_tube: Drill *%s* declared for %s: %d steps in %d phases. %s %s "+
			"The channel appears in a moment, with you as incident commander.",
			inc.Key(), p.Title, len(run.Steps), len(spec.Phases), r.drillPaging(), drillActions(spec))}, nil
	},
}

// drillPaging says whom a drill pages.
func (r *Router) drillPaging() string {
	if p := r.Service.Settings().Paging; p.Enabled && p.Drill != (incident.PageTarget{}) {
		return fmt.Sprintf("Its pages go to the drill target (%s) only.", p.Drill)
	}
	return "Nobody is paged."
}

// drillActions says what a drill's steps change: only those on drill clusters run for real.
func drillActions(spec incident.RunSpec) string {
	var live []string
	for _, ph := range spec.Phases {
		for _, s := range ph.Steps {
			if s.DrillLive {
				live = append(live, s.StepID)
			}
		}
	}
	if len(live) == 0 {
		return "No step changes anything real; kubernetes steps show what they would do."
	}
	return fmt.Sprintf("Steps %s act on drill clusters for real; the others change nothing real.", strings.Join(live, ", "))
}

// playbookArgs resolves "<playbook> [key=value ...]" for the verb named verb.
func (r *Router) playbookArgs(verb, args string) (*playbook.Playbook, map[string]string, error) {
	tokens, err := Tokenize(args)
	if err != nil {
		return nil, nil, err
	}
	if len(tokens) == 0 {
		return nil, nil, usageError(verb, "Name a playbook; `/incident playbooks` lists them.")
	}
	if r.Playbooks == nil {
		return nil, nil, incident.Errorf(incident.EINVALID, "No playbooks are loaded.")
	}
	p, ok := r.Playbooks.Get(tokens[0])
	if !ok {
		return nil, nil, usageError(verb, "There is no playbook %s; `/incident playbooks` lists them.", incident.Quote(tokens[0]))
	}
	params := map[string]string{}
	for _, t := range tokens[1:] {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return nil, nil, usageError(verb, "%s is not key=value.", incident.Quote(t))
		}
		if _, dup := params[k]; dup {
			return nil, nil, usageError(verb, "%s is given twice.", incident.Prefix(k, incident.QuoteLen))
		}
		params[k] = v
	}
	return p, params, nil
}

// drillDescription says what a drill rehearses: the playbook, where it comes from and the
// parameters given (so that the same drill with other parameters is another declaration).
func drillDescription(p *playbook.Playbook, params map[string]string) string {
	s := "Drill of playbook " + p.Name
	if p.Source != "" {
		s += " (" + p.Source + ")"
	}
	if len(params) > 0 {
		keys := slices.Sorted(maps.Keys(params))
		for i, k := range keys {
			keys[i] = k + "=" + params[k]
		}
		s += " with " + strings.Join(keys, " ")
	}
	return s + "."
}
