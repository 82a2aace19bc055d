package commands

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/internal/textcut"
)

// Request is one command, typed or carried by a button, with who sent it and where.
type Request struct {
	UserID    string
	ChannelID string
	Text      string // what follows "/incident"
	// Button says the command was carried by a button, not typed: a step's buttons carry
	// the step's ID (as every card ever posted does), a person types its card number.
	Button bool
	// Declare, when set, is a declaration given as fields (a form) instead of typed: it is
	// handled by the declare verb, whatever Text says, as the typed one is once parsed.
	Declare *Declaration
	// CanDefer says the surface can answer after it acknowledged (Slack: through the
	// command's response_url): a verb whose work grows with the history then acks at once
	// and leaves that work to Reply.Later. Without it the work is done before Handle returns.
	CanDefer bool
}

// Reply is the answer to the person who asked. It is shown only to them unless InChannel.
type Reply struct {
	Text            string
	InChannel       bool
	OpenDeclareForm bool // the surface should open the declaration form
	Error           bool // Text explains why nothing happened
	// Err is the error that Text reports, when Error: its code and the input it is about
	// (incident.ErrorField), for a surface that shows an error under its field. It has
	// been reported already (a fault is logged); a surface shows Text and logs nothing more.
	Err error
	// Incident is the incident a declaration opened, for a surface that says so in its own words.
	Incident *incident.Incident
	// OpenDraftForm, when set, asks the surface to open the form that edits a drafted
	// update (at once: Slack's trigger_id lives 3 s). Offer is a new draft to show with its
	// buttons, in place of a stale one (Text says the same in words).
	OpenDraftForm *DraftForm
	Offer         *DraftOffer
	// Later, when set (only for a request that CanDefer), is the rest of the work: the
	// surface acks with Text (empty: nothing to show yet), then runs Later and shows its
	// answer to the person who asked. Its errors are reported as Handle reports them.
	Later func(ctx context.Context) Reply
	// later is a verb's deferred work; Handle turns it into Later or runs it.
	later func(ctx context.Context) (Reply, error)
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
	// DraftText renders a drafted update as the text to post, in the surface's idiom and
	// within incident.MaxTextLen (bot/views for Slack); nil renders it in plain words. The
	// surface that shows a reminder's draft must render it with the same function.
	DraftText func(incident.Draft) string
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
	for _, v := range []*Verb{declareVerb, statusVerb, updateVerb, severityVerb, noteVerb, timelineVerb, mitigateVerb, resolveVerb, roleVerb, rolesVerb, pageVerb, playbookVerb, playbooksVerb, drillVerb, statsVerb, stepVerb, serviceVerb, impactVerb, followupVerb, followupsVerb, postmortemVerb, rpoVerb, correctVerb, draftVerb, helpVerb} {
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
// (incident.CleanText), so typed commands and button values parse the same clean text, and
// a declaration's fields are cleaned the same way. Errors become answers, here and only
// here for every surface that takes commands (incident.Report): a user's mistake is
// explained; an internal fault is logged and reported by its fault ID, without its details.
func (r *Router) Handle(ctx context.Context, req Request) Reply {
	req.Text = incident.CleanText(req.Text)
	if req.Declare != nil {
		d := *req.Declare
		d.Title, d.Description, d.Service = incident.CleanLine(d.Title), incident.CleanText(d.Description), incident.CleanLine(d.Service)
		req.Declare = &d
	}
	reply := r.handle(ctx, req)
	if later := reply.later; later != nil {
		reply.later = nil
		run := func(ctx context.Context) Reply {
			answer, err := later(ctx)
			if err != nil {
				verb, _ := splitVerb(req.Text)
				return r.failed(ctx, req, verb, err)
			}
			return fit(answer)
		}
		if !req.CanDefer {
			return run(ctx)
		}
		reply.Later = run
	}
	return fit(reply)
}

// fit cuts an answer to Slack's message length.
func fit(reply Reply) Reply {
	reply.Text = textcut.Cut(reply.Text, MaxMessageLen)
	return reply
}

// failed is the answer that reports err: explained if it is the user's mistake, logged and
// named by its fault ID if it is an internal fault.
func (r *Router) failed(ctx context.Context, req Request, verb string, err error) Reply {
	text := incident.Report(ctx, r.Log, err, "command failed", "verb", incident.Prefix(verb, incident.QuoteLen), "user", req.UserID, "channel", req.ChannelID)
	return Reply{Error: true, Err: err, Text: text}
}

func (r *Router) handle(ctx context.Context, req Request) Reply {
	verb, args := splitVerb(req.Text)
	if req.Declare != nil {
		verb, args = declareVerb.Name, ""
	}
	if verb == "" {
		verb = "help"
	}
	v, ok := r.verbs[verb]
	if !ok {
		return Reply{Error: true, Text: "Unknown command `" + incident.Prefix(verb, incident.QuoteLen) + "`.\n" + r.usage()}
	}
	reply, err := v.Run(ctx, r, req, args)
	if err != nil {
		return r.failed(ctx, req, verb, err)
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
