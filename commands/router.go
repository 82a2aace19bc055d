package commands

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
)

// Request is one command, typed or carried by a button, with who sent it and where.
type Request struct {
	UserID    string
	ChannelID string
	Text      string // what follows "/incident"
	// Button says the command was carried by a button, not typed: a step's buttons carry
	// the step's ID (as every card ever posted does), a person types its card number.
	Button bool
}

// Reply is the answer to the person who asked. It is shown only to them unless InChannel.
type Reply struct {
	Text            string
	InChannel       bool
	OpenDeclareForm bool // the surface should open the declaration form
	Error           bool // Text explains why nothing happened
}

// Verb is one /incident subcommand with its help beside it.
type Verb struct {
	Name  string
	Usage string // arguments after "/incident"
	Help  string // one line
	Run   func(ctx context.Context, r *Router, req Request, args string) (Reply, error)
}

// Router dispatches commands to verbs.
type Router struct {
	Service *incident.Service
	Log     *slog.Logger
	// Playbooks is the playbook library; PlaybookOptions how runs are built from it.
	Playbooks       *playbook.Library
	PlaybookOptions playbook.BuildOptions
	// EventText says a timeline event in the surface's idiom (bot/views for Slack); nil
	// says it in plain text.
	EventText func(incident.TimelineEvent) string
	verbs     map[string]*Verb
}

// NewRouter returns a router over svc with every verb.
func NewRouter(svc *incident.Service, log *slog.Logger) *Router {
	if log == nil {
		log = slog.Default()
	}
	return &Router{Service: svc, Log: log, verbs: allVerbs}
}

// allVerbs is every verb by name. It is filled in init because the verbs' Run functions
// refer back to it for their usage lines.
var allVerbs = map[string]*Verb{}

func init() {
	for _, v := range []*Verb{declareVerb, statusVerb, updateVerb, severityVerb, noteVerb, timelineVerb, mitigateVerb, resolveVerb, roleVerb, rolesVerb, pageVerb, playbookVerb, playbooksVerb, drillVerb, statsVerb, stepVerb, serviceVerb, impactVerb, followupVerb, followupsVerb, postmortemVerb, rpoVerb, correctVerb, helpVerb} {
		allVerbs[v.Name] = v
	}
}

// Verbs returns the verbs in name order.
func (r *Router) Verbs() []*Verb {
	vs := make([]*Verb, 0, len(r.verbs))
	for _, v := range r.verbs {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b *Verb) int { return strings.Compare(a.Name, b.Name) })
	return vs
}

// MaxMessageLen is Slack's limit on a message's text; no answer is longer.
const MaxMessageLen = 40000

// Handle runs one command and returns the answer. The text is cleaned first
// (incident.CleanText), so typed commands and button values parse the same clean text.
// Errors become answers: a user's mistake is explained; an internal fault is logged and
// reported without its details.
func (r *Router) Handle(ctx context.Context, req Request) Reply {
	req.Text = incident.CleanText(req.Text)
	reply := r.handle(ctx, req)
	if utf8.RuneCountInString(reply.Text) > MaxMessageLen {
		reply.Text = incident.Prefix(reply.Text, MaxMessageLen-1)
	}
	return reply
}

func (r *Router) handle(ctx context.Context, req Request) Reply {
	verb, args := splitVerb(req.Text)
	if verb == "" {
		verb = "help"
	}
	v, ok := r.verbs[verb]
	if !ok {
		return Reply{Error: true, Text: "Unknown command `" + incident.Prefix(verb, incident.QuoteLen) + "`.\n" + r.usage()}
	}
	reply, err := v.Run(ctx, r, req, args)
	if err != nil {
		if incident.ErrorCode(err) == incident.EINTERNAL {
			r.Log.Error("command failed", "verb", incident.Prefix(verb, incident.QuoteLen), "user", req.UserID, "channel", req.ChannelID, "err", err)
		}
		return Reply{Error: true, Text: incident.ErrorMessage(err)}
	}
	return reply
}

func (r *Router) usage() string {
	var b strings.Builder
	b.WriteString("Usage:")
	for _, v := range r.Verbs() {
		b.WriteString("\n• `/incident " + v.Usage + "`: " + v.Help)
	}
	return b.String()
}

var helpVerb = &Verb{
	Name:  "help",
	Usage: "help",
	Help:  "this list",
	Run: func(_ context.Context, r *Router, _ Request, _ string) (Reply, error) {
		return Reply{Text: r.usage()}, nil
	},
}

// noArgs rejects arguments for verbs that take none.
func noArgs(verb, args string) error {
	if args != "" {
		return usageError(verb, "`%s` takes no arguments.", verb)
	}
	return nil
}
