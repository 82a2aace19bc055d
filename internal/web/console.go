package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
	"golang.org/x/crypto/bcrypt"
)

// userIDRe matches a Slack user ID, which a console operator gives as their user name.
var userIDRe = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// Console is the fallback console for when Slack is down: an operator declares incidents
// (through the command router, as in Slack), posts updates and acts on playbook steps
// through the same domain service and timeline.
// It is off without Operators. Each operator signs in with HTTP Basic: their Slack user ID
// as the user name (so roles and the two-person rule apply to them) and their own password,
// checked against its bcrypt hash. Every form carries a token derived from the operator's
// credential, so another site cannot post on their behalf.
type Console struct {
	// Operators maps each operator's Slack user ID to the bcrypt hash of their password.
	Operators map[string][]byte
	// Router takes the declarations, as it takes Slack's; Service the updates and steps.
	Router  *commands.Router
	Service *incident.Service
	// Names names the people and channels in incidents' titles; nil shows their IDs.
	Names Directory
	Log   *slog.Logger
	tmpl  *template.Template
}

// NewConsole parses the console's template; it acts through router and router's service.
func NewConsole(router *commands.Router, operators map[string][]byte, log *slog.Logger) *Console {
	return &Console{Operators: operators, Router: router, Service: router.Service, Log: log,
		tmpl: parsePage("console")}
}

// Register adds the console's routes to mux.
func (c *Console) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /console", c.auth(c.page))
	mux.HandleFunc("POST /console/declare", c.auth(c.post(c.declare)))
	mux.HandleFunc("POST /console/incidents/{id}/update", c.auth(c.post(c.update)))
	mux.HandleFunc("POST /console/incidents/{id}/steps/{step}/{verb}", c.auth(c.post(c.step)))
}

// auth admits an operator who gives their own Slack user ID and password.
func (c *Console) auth(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if len(c.Operators) == 0 {
			WriteError(w, r, c.Log, incident.Errorf(incident.ENOTFOUND, "The fallback console is off: give its operators passwords under console.operators (see the README)."))
			return
		}
		user, pass, ok := r.BasicAuth()
		if !ok || !c.signIn(user, pass) {
			if ok {
				c.Log.Warn("console sign-in refused", "user", user, "remote", r.RemoteAddr)
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="incidentbot console: your Slack user ID and your console password", charset="UTF-8"`)
			WriteError(w, r, c.Log, incident.Errorf(incident.EUNAUTHORIZED, "Sign in with your Slack user ID (such as U0123ABCD) as the user name and your own console password."))
			return
		}
		h(w, r, user)
	}
}

// signIn checks user's password against their hash; an unknown user costs the same time.
func (c *Console) signIn(user, pass string) bool {
	hash, known := c.Operators[user]
	known = known && userIDRe.MatchString(user)
	if !known {
		hash = unknownOperator()
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(pass)) == nil && known
}

// unknownOperator is compared against when the user is not an operator, so that the time
// taken does not tell which user IDs are.
var unknownOperator = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not an operator"), bcrypt.DefaultCost)
	return h
})

// HashPassword returns the bcrypt hash of an operator's password, for console.operators.
func HashPassword(password string) (string, error) {
	if n := utf8.RuneCountInString(password); n < MinPasswordLen {
		return "", fmt.Errorf("the password has %d characters; give at least %d", n, MinPasswordLen)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash the password: %w", err) // over 72 bytes, say
	}
	return string(h), nil
}

// MinPasswordLen is the shortest console password HashPassword accepts.
const MinPasswordLen = 12

// csrf is the form token of user: an HMAC of their ID keyed by their password hash, so it
// is the same on every replica and changes with the password.
func (c *Console) csrf(user string) string {
	m := hmac.New(sha256.New, c.Operators[user])
	m.Write([]byte("incidentbot-console:" + user))
	return hex.EncodeToString(m.Sum(nil))
}

// post checks a form's token, runs fn, and sends the operator back to the console with
// what happened: fn's answer, or its refusal (reply.Err is reported already, a fault
// logged, as Router.Handle and consoleError do).
func (c *Console) post(fn func(*http.Request, string) commands.Reply) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, r *http.Request, user string) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			if mb := (*http.MaxBytesError)(nil); !errors.As(err, &mb) {
				err = incident.Errorf(incident.EINVALID, "The form could not be read.")
			}
			WriteError(w, r, c.Log, err)
			return
		}
		if !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(c.csrf(user))) {
			WriteError(w, r, c.Log, incident.Errorf(incident.EFORBIDDEN, "This form did not come from the console; reload it and try again."))
			return
		}
		reply := fn(r, user)
		q := url.Values{}
		switch {
		case reply.Error:
			q.Set("error", reply.Text)
			if incident.ErrorCode(reply.Err) != incident.EINTERNAL { // a fault is logged already
				c.Log.Info("console action refused", "user", user, "path", r.URL.Path, "err", reply.Err)
			}
		default:
			q.Set("done", reply.Text)
			c.Log.Info("console action", "user", user, "path", r.URL.Path)
		}
		http.Redirect(w, r, "/console?"+q.Encode(), http.StatusSeeOther)
	}
}

// consoleError is the refusal of a console action that failed with err, as the operator
// is shown it (incident.Report: a fault is logged and named by its ID).
func (c *Console) consoleError(r *http.Request, user string, err error) commands.Reply {
	return commands.Reply{Error: true, Err: err, Text: incident.Report(r.Context(), c.Log, err, "console action failed", "user", user, "path", r.URL.Path)}
}

// declare declares through the command router, as a form in Slack does.
func (c *Console) declare(r *http.Request, user string) commands.Reply {
	reply := c.Router.Handle(r.Context(), commands.Request{UserID: user, Declare: &commands.Declaration{
		Title: incident.EscapeChat(r.PostForm.Get("title")), Severity: incident.Severity(r.PostForm.Get("severity")),
		Service: r.PostForm.Get("service"), Private: r.PostForm.Get("private") == "1",
		Description: "Declared from the fallback web console.",
	}})
	if !reply.Error {
		reply.Text = fmt.Sprintf("Declared %s; its channel opens when Slack answers.", reply.Incident.Key())
	}
	return reply
}

func (c *Console) update(r *http.Request, user string) commands.Reply {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return c.consoleError(r, user, incident.Errorf(incident.ENOTFOUND, "No such incident."))
	}
	inc, err := c.Service.PostUpdateByID(r.Context(), user, id, incident.EscapeChat(r.PostForm.Get("text")), r.PostForm["audience"]...)
	if err != nil {
		return c.consoleError(r, user, err)
	}
	return commands.Reply{Text: "Posted the update to " + inc.Key() + "."}
}

func (c *Console) step(r *http.Request, user string) commands.Reply {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	step, err2 := strconv.ParseInt(r.PathValue("step"), 10, 64)
	if err1 != nil || err2 != nil {
		return c.consoleError(r, user, incident.Errorf(incident.ENOTFOUND, "No such step."))
	}
	out, err := c.Service.ActOnStepByID(r.Context(), user, id, step, r.PathValue("verb"))
	if err != nil {
		return c.consoleError(r, user, err)
	}
	if out.Refused {
		return c.consoleError(r, user, incident.Errorf(incident.EINVALID, "%s", out.Text))
	}
	return commands.Reply{Text: out.Text}
}

type consoleStep struct {
	ID           int64
	Title, State string
	Actions      []struct{ URL, Verb string }
}

type consoleIncident struct {
	ID                    int64
	Key, Severity, Status string
	Title                 template.HTML // people and channels by name
	Private               bool
	Steps                 []consoleStep
}

func (c *Console) page(w http.ResponseWriter, r *http.Request, user string) {
	incs, err := c.Service.FindIncidents(r.Context(), incident.IncidentFilter{Open: new(true)})
	if err != nil {
		WriteError(w, r, c.Log, fmt.Errorf("console: read the incidents: %w", err))
		return
	}
	var open []consoleIncident
	for _, inc := range incs {
		if !inc.Open() {
			continue
		}
		ci := consoleIncident{ID: inc.ID, Key: inc.Key(), Severity: string(inc.Severity), Status: string(inc.Status), Title: chatHTML(inc.Title, readNames(r.Context(), c.Names, []words.Sentence{{Parts: []words.Part{{Kind: words.Chat, Value: inc.Title}}}})), Private: inc.Private}
		runs, _ := c.Service.RunsOf(r.Context(), inc.ID)
		for _, run := range runs {
			for _, st := range run.Steps {
				cs := consoleStep{ID: st.ID, Title: st.Spec.Title, State: string(st.State)}
				for _, v := range consoleVerbs(&run, &st) {
					cs.Actions = append(cs.Actions, struct{ URL, Verb string }{fmt.Sprintf("/console/incidents/%d/steps/%d/%s", inc.ID, st.ID, v), v})
				}
				ci.Steps = append(ci.Steps, cs)
			}
		}
		open = append(open, ci)
	}
	message, failed := r.URL.Query().Get("done"), false
	if e := r.URL.Query().Get("error"); e != "" {
		message, failed = e, true
	}
	var sevs []string
	for _, s := range incident.Severities {
		sevs = append(sevs, string(s))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("Cache-Control", "no-store")
	err = c.tmpl.ExecuteTemplate(w, "console.html", map[string]any{
		"Title": "incidentbot console", "NoRefresh": true, "User": user, "CSRF": c.csrf(user),
		"Message": strings.TrimSpace(message), "Failed": failed, "MaxTitle": incident.MaxTitleLen,
		"Severities": sevs, "Services": c.Service.Catalog().Names(), "Incidents": open,
	})
	if err != nil {
		c.Log.Error("render console", "err", err)
	}
}
