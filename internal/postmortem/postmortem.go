// Package postmortem writes the post-incident review as Markdown, from a text/template (the
// default is embedded; a file set in the configuration replaces it). Secrets are scrubbed
// from everything it writes.
package postmortem

import (
	_ "embed"
	"fmt"
	"os"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

//go:embed review.md.tmpl
var defaultTemplate string

// Writer renders reviews. It implements incident.ReviewWriter.
type Writer struct {
	tmpl   *template.Template
	Labels []string // added to every review, with severity and service labels
}

var _ incident.ReviewWriter = (*Writer)(nil)

// New parses the template at path, or the default when path is "".
func New(path string, labels []string) (*Writer, error) {
	text := defaultTemplate
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("review template: %w", err)
		}
		text = string(b)
	}
	t, err := template.New("review").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("review template %s: %w", path, err)
	}
	return &Writer{tmpl: t, Labels: labels}, nil
}

// Named lists the chat users and channels the review of d names, to read their names
// before Write.
func (w *Writer) Named(d incident.ReviewData) incident.Named { return named(d) }

// Write renders the review of d, naming people by the names d carries.
func (w *Writer) Write(d incident.ReviewData) (incident.Review, error) {
	body, err := w.body(d)
	if err != nil {
		return incident.Review{}, err
	}
	inc := d.Incident
	labels := append([]string{}, w.Labels...)
	labels = append(labels, "severity:"+string(inc.Severity))
	for _, s := range inc.Services {
		labels = append(labels, "service:"+s)
	}
	names := words.NameMap{People: d.Names, Channels: d.ChannelNames}
	title := fmt.Sprintf("Post-incident review: %s %s", inc.Key(), words.PlainText(words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: inc.Title}}}, names))
	if inc.Private {
		title = fmt.Sprintf("Post-incident review: %s (private incident)", inc.Key())
	}
	return incident.Review{Key: inc.Key(), Title: Scrub(title), Body: body, Labels: labels}, nil
}

// secretPatterns match credentials that must never reach a review, whatever was typed.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`xox[abposr]-[A-Za-z0-9-]+`),
	regexp.MustCompile(`xapp-[A-Za-z0-9-]+`),
	regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{20,}`),
	regexp.MustCompile(`github_pat_[A-Za-z0-9_]{20,}`),
	regexp.MustCompile(`(?i)(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{12,}`),
	regexp.MustCompile(`(?i)(password|passwd|secret|api[_-]?key|token)(["']?\s*[:=]\s*)["']?[^\s"',]+`),
	regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`),
}

// secretHints are, for each of secretPatterns, words one of which (lowercased) is in any
// text the pattern matches: only the lines holding one are searched with the pattern,
// which keeps scrubbing a long review fast (regular expressions without a literal prefix
// are slow over long text). The last pattern spans lines and is searched over the text.
var secretHints = [][]string{
	{"xox"}, {"xapp-"}, {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, {"github_pat_"},
	{"bearer", "token", "basic"}, {"password", "passwd", "secret", "api_key", "api-key", "apikey", "token"}, {"private key-----"},
}

// Scrub replaces credentials with [redacted].
func Scrub(s string) string {
	last := len(secretPatterns) - 1
	var b strings.Builder
	for _, chunk := range chunks(s) {
		lower := strings.ToLower(chunk)
		for i, re := range secretPatterns[:last] {
			if containsAny(lower, secretHints[i]) {
				chunk = replaceSecret(i, re, chunk)
			}
		}
		b.WriteString(chunk)
	}
	s = b.String()
	if containsAny(strings.ToLower(s), secretHints[last]) {
		s = replaceSecret(last, secretPatterns[last], s)
	}
	return s
}

// chunks splits s into runs of whole lines that no secret crosses: a line is joined with
// the next when it ends in a word or a separator that starts a secret (such as
// "password:" or "Bearer"), which the patterns let run over a line break.
func chunks(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		cur := lines[i]
		for i+1 < len(lines) && opensSecret(cur) {
			i++
			cur += lines[i]
		}
		out = append(out, cur)
	}
	return out
}

// opensSecret reports whether text ends where a secret may follow on the next line.
func opensSecret(text string) bool {
	t := strings.ToLower(strings.TrimRight(text, " \t\r\n\"'"))
	if strings.HasSuffix(t, ":") || strings.HasSuffix(t, "=") {
		return true
	}
	for _, hints := range secretHints[4:6] {
		for _, h := range hints {
			if strings.HasSuffix(t, h) {
				return true
			}
		}
	}
	return false
}

// replaceSecret replaces what pattern i (re) matches in s, keeping the words around the
// secret that patterns 4 and 5 match.
func replaceSecret(i int, re *regexp.Regexp, s string) string {
	switch i {
	case 4:
		return re.ReplaceAllString(s, "$1 [redacted]")
	case 5:
		return re.ReplaceAllString(s, "$1$2[redacted]")
	}
	return re.ReplaceAllString(s, "[redacted]")
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// view is what the template reads.
type view struct {
	Key, Title, Severity, SeverityText, Status, Declared, DeclaredBy, Commander string
	Summary, Description                                                        string
	Services                                                                    []string
	Acked, Mitigated, Resolved, MTTA, MTTM, MTTR                                string
	RTOTarget, RTOAchieved, RTOVerdict, RPOTarget, RPOAchieved, RPOVerdict      string
	ImpactText, SLAText                                                         string
	Dashboard                                                                   string // the incident's page, "" for none
	Roles                                                                       []roleView
	Steps                                                                       []stepView
	// BreakGlass are the steps the incident commander approved alone, under break-glass.
	BreakGlass []breakGlassView
	// Timeline is the timeline's events (its first ones when it is long); TimelineGap says
	// what was left out after them and where to read it ("" when nothing was), and
	// TimelineEnd holds the last events. A template that shows only Timeline shows a long
	// timeline's beginning.
	Timeline, TimelineEnd []eventView
	TimelineGap           string
	Followups             []followupView
	// Anchors are the chain's anchors as lines (incident.Anchor.Line), the latest
	// MaxBodyAnchors of them; AnchorsLeftOut counts the earlier ones (in the comments).
	Anchors        []anchorView
	AnchorsLeftOut int
}

// anchorView is one anchor of the timeline in the review.
type anchorView struct{ At, Line string }

// MaxBodyAnchors bounds the anchors listed in the review's body; every anchor is also a
// comment on its issue.
const MaxBodyAnchors = 24

// anchors returns the latest MaxBodyAnchors of as, and how many earlier ones are left out.
func anchors(as []incident.Anchor) ([]anchorView, int) {
	left := max(0, len(as)-MaxBodyAnchors)
	var out []anchorView
	for _, a := range as[left:] {
		out = append(out, anchorView{At: at(a.At), Line: a.Line()})
	}
	return out, left
}

type roleView struct{ Title, Holder string }
type stepView struct{ Playbook, Title, Owner, RequestedBy, ApprovedBy, Result string }
type eventView struct{ At, Actor, Kind, Text string }

// breakGlassView is a step approved alone: how many times, and the latest reason given.
type breakGlassView struct {
	Playbook, Title, Reason string
	Count                   int
}

// followupView is a follow-up in the review; Done is its outcome ("" while open).
type followupView struct{ Text, Owner, IssueURL, Done string }

// who names a user for the review: by name where known, else by ID.
func who(user string, names words.Names) string {
	switch user {
	case "":
		return "-"
	case incident.BotActor:
		return "incidentbot"
	}
	return escape(words.PersonName(user, "", names))
}

func at(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

func since(inc *incident.Incident, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return incident.FormatDuration(t.Sub(inc.DeclaredAt))
}

// cell keeps text inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ")
}

func model(d incident.ReviewData) view {
	inc := d.Incident
	names := words.NameMap{People: d.Names, Channels: d.ChannelNames}
	v := view{
		Key: inc.Key(), Title: chatText(inc.Title, names), Severity: string(inc.Severity), SeverityText: inc.Severity.Description(),
		Status: string(inc.Status), Declared: at(inc.DeclaredAt), DeclaredBy: who(inc.DeclaredBy, names), Commander: who(inc.Commander, names),
		Summary: chatText(inc.Summary, names), Description: chatText(inc.Description, names), Services: inc.Services,
		Acked: at(inc.AckedAt), Mitigated: at(inc.MitigatedAt), Resolved: at(inc.ResolvedAt),
		MTTA: since(inc, inc.AckedAt), MTTM: since(inc, inc.MitigatedAt), MTTR: since(inc, inc.ResolvedAt),
		Dashboard: d.DashboardURL,
	}
	if len(v.Services) == 0 {
		v.Services = []string{"(none named)"}
	} else {
		for i, s := range v.Services {
			v.Services[i] = fmt.Sprintf("%s (tier %d)", s, d.Catalog[s].Tier)
		}
	}
	if inc.Private {
		v.Title, v.Description = privateTitle, ""
	}
	o := d.Objectives
	v.RTOTarget, v.RTOAchieved, v.RTOVerdict = "-", v.MTTM, "-"
	if o.RTO > 0 {
		v.RTOTarget = fmt.Sprintf("%s (%s)", incident.FormatDuration(o.RTO), o.RTOService)
		switch {
		case inc.MitigatedAt.IsZero():
			v.RTOVerdict = "not recovered yet"
		case inc.MitigatedAt.Sub(inc.DeclaredAt) <= o.RTO:
			v.RTOVerdict = "met"
		default:
			v.RTOVerdict = "missed"
		}
	}
	v.RPOTarget, v.RPOAchieved, v.RPOVerdict = "-", "not recorded (`/incident rpo <window>`)", "-"
	if o.RPO > 0 {
		v.RPOTarget = fmt.Sprintf("%s (%s)", incident.FormatDuration(o.RPO), o.RPOService)
	}
	if window, measured, ok := inc.DataLoss(); ok {
		v.RPOAchieved = incident.FormatDuration(window)
		if measured {
			// Measured at a switchover: it says so, and how; a window typed as well stays
			// beside it, for the reader to compare.
			m := inc.RPOMeasured
			v.RPOAchieved = cell(escape(fmt.Sprintf("%s, measured at the switchover of step %s (%s)", v.RPOAchieved, m.Step, m.Basis)))
			if inc.RPOAchieved >= 0 {
				v.RPOAchieved += cell(fmt.Sprintf("; recorded by hand: %s", incident.FormatDuration(inc.RPOAchieved)))
			}
		}
		if o.RPO > 0 {
			v.RPOVerdict = map[bool]string{true: "met", false: "missed"}[window <= o.RPO]
		}
	}
	e := d.Estimate
	if e.Hourly > 0 {
		var parts []string
		for _, seg := range incident.Segments {
			parts = append(parts, fmt.Sprintf("%s %d%%", seg, inc.Impact[seg]))
		}
		v.ImpactText = fmt.Sprintf("Estimated revenue impact %s (%s per hour at %s affected).", incident.FormatMoney(e.SoFar),
			incident.FormatMoney(e.Hourly), strings.Join(parts, ", "))
	} else {
		v.ImpactText = "No share of customers affected was recorded (`/incident impact`)."
	}
	down := d.Now.Sub(inc.DeclaredAt)
	if !inc.MitigatedAt.IsZero() {
		down = inc.MitigatedAt.Sub(inc.DeclaredAt)
	}
	avail, credit := incident.SLACredit(down, 30*24*time.Hour)
	v.SLAText = fmt.Sprintf("%s of downtime is %.3f%% availability over a 30-day month: an SLA credit of %d%% (tiers: below 99.95%% 10%%, below 99.90%% 25%%, below 99.00%% 100%%).",
		incident.FormatDuration(down), avail, credit)
	for _, r := range incident.CrisisRoles {
		v.Roles = append(v.Roles, roleView{Title: r.Title(), Holder: who(inc.Holder(r), names)})
	}
	for i, run := range d.Runs {
		run.Number = i + 1
		for _, s := range run.Steps {
			result := strings.ReplaceAll(string(s.State), "_", " ")
			switch {
			case s.DecidedBy != "" && s.DecidedBy != incident.BotActor && s.State == incident.StepSucceeded:
				result = "done by hand, marked by " + who(s.DecidedBy, names)
			case s.Output != "":
				result += ": " + firstLine(s.Output)
			}
			approved := who(s.ApprovedBy, names)
			if s.BreakGlasses > 0 {
				approved += " (break-glass)"
				v.BreakGlass = append(v.BreakGlass, breakGlassView{Playbook: run.Playbook, Title: cell(s.Spec.Title),
					Reason: cell(chatText(s.BreakGlass, names)), Count: s.BreakGlasses})
			}
			result += undoneText(&run, &s)
			v.Steps = append(v.Steps, stepView{Playbook: run.Playbook, Title: cell(s.Spec.Title), Owner: s.Spec.Owner.Title(),
				RequestedBy: who(s.RequestedBy, names), ApprovedBy: approved, Result: cell(result)})
		}
	}
	for _, f := range d.Followups {
		owner := ""
		if f.Owner != "" {
			owner = who(f.Owner, names)
		}
		fv := followupView{Text: chatText(f.Text, names), Owner: owner, IssueURL: f.IssueURL}
		if f.Done() {
			fv.Done = fmt.Sprintf("%s %s", f.Outcome, incident.FormatTime(f.DoneAt))
		}
		v.Followups = append(v.Followups, fv)
	}
	v.Anchors, v.AnchorsLeftOut = anchors(d.Anchors)
	return v
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
