package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// userIDRe matches a Slack user ID, which a console operator gives as their user name.
var userIDRe = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// consoleVerbs are the step actions the console offers, by step state.
var consoleVerbs = map[incident.StepState][]string{
	incident.StepPending:          {incident.StepVerbRun, incident.StepVerbSkip},
	incident.StepAwaitingApproval: {incident.StepVerbApprove, incident.StepVerbReject},
	incident.StepFailed:           {incident.StepVerbRetry, incident.StepVerbDone, incident.StepVerbSkip},
	incident.StepUnknown:          {incident.StepVerbRetry, incident.StepVerbDone, incident.StepVerbSkip},
}

// Console is the fallback console for when Slack is down: an operator declares incidents,
// posts updates and acts on playbook steps through the same domain service and timeline.
// It is off without a Token. Operators sign in with HTTP Basic: their Slack user ID as the
// user name (so roles and the two-person rule apply to them) and the token as the password.
// Every form carries a token derived from both, so another site cannot post on their behalf.
type Console struct {
	Token   string
	Service *incident.Service
	Log     *slog.Logger
	tmpl    *template.Template
}

// NewConsole parses the console's template.
func NewConsole(svc *incident.Service, token string, log *slog.Logger) *Console {
	return &Console{Token: token, Service: svc, Log: log,
		tmpl: template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/console.html"))}
}

// Register adds the console's routes to mux.
func (c *Console) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /console", c.auth(c.page))
	mux.HandleFunc("POST /console/declare", c.auth(c.post(c.declare)))
	mux.HandleFunc("POST /console/incidents/{id}/update", c.auth(c.post(c.update)))
	mux.HandleFunc("POST /console/incidents/{id}/steps/{step}/{verb}", c.auth(c.post(c.step)))
}

type userKey struct{}

// auth admits operators who give the token, with a Slack user ID as their name.
func (c *Console) auth(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c.Token == "" {
			http.Error(w, "The fallback console is off: set INCIDENTBOT_CONSOLE_TOKEN to turn it on.", http.StatusNotFound)
			return
		}
		user, pass, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(pass), []byte(c.Token)) != 1 || !userIDRe.MatchString(user) {
			w.Header().Set("WWW-Authenticate", `Basic realm="incidentbot console: your Slack user ID and the console token", charset="UTF-8"`)
			http.Error(w, "Sign in with your Slack user ID (such as U0123ABCD) as the user name and the console token as the password.", http.StatusUnauthorized)
			return
		}
		h(w, r, user)
	}
}

// csrf is the form token of user: an HMAC of their ID under the console token.
func (c *Console) csrf(user string) string {
	m := hmac.New(sha256.New, []byte(c.Token))
	m.Write([]byte("incidentbot-console:" + user))
	return hex.EncodeToString(m.Sum(nil))
}

// post checks a form's token, runs fn, and sends the operator back to the console with
// what happened.
func (c *Console) post(fn func(*http.Request, string) (string, error)) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, r *http.Request, user string) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "The form could not be read.", http.StatusBadRequest)
			return
		}
		if !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(c.csrf(user))) {
			http.Error(w, "This form did not come from the console; reload it and try again.", http.StatusForbidden)
			return
		}
		msg, err := fn(r, user)
		q := url.Values{}
		if err != nil {
			q.Set("error", incident.ErrorMessage(err))
			c.Log.Info("console action refused", "user", user, "path", r.URL.Path, "err", err)
		} else {
			q.Set("done", msg)
			c.Log.Info("console action", "user", user, "path", r.URL.Path)
		}
		http.Redirect(w, r, "/console?"+q.Encode(), http.StatusSeeOther)
	}
}

func (c *Console) declare(r *http.Request, user string) (string, error) {
	sev, err := incident.ParseSeverity(r.PostForm.Get("severity"))
	if err != nil {
		return "", err
	}
	inc, err := c.Service.Declare(r.Context(), incident.DeclareRequest{
		Actor: user, Title: r.PostForm.Get("title"), Severity: sev, Service: r.PostForm.Get("service"),
		Private: r.PostForm.Get("private") == "1", Description: "Declared from the fallback web console.",
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Declared %s; its channel opens when Slack answers.", inc.Key()), nil
}

func (c *Console) update(r *http.Request, user string) (string, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return "", incident.Errorf(incident.ENOTFOUND, "No such incident.")
	}
	inc, err := c.Service.PostUpdateByID(r.Context(), user, id, r.PostForm.Get("text"), r.PostForm["audience"]...)
	if err != nil {
		return "", err
	}
	return "Posted the update to " + inc.Key() + ".", nil
}

func (c *Console) step(r *http.Request, user string) (string, error) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	step, err2 := strconv.ParseInt(r.PathValue("step"), 10, 64)
	if err1 != nil || err2 != nil {
		return "", incident.Errorf(incident.ENOTFOUND, "No such step.")
	}
	out, err := c.Service.ActOnStepByID(r.Context(), user, id, step, r.PathValue("verb"))
	if err != nil {
		return "", err
	}
	if out.Refused {
		return "", incident.Errorf(incident.EINVALID, "%s", out.Text)
	}
	return out.Text, nil
}

type consoleStep struct {
	ID           int64
	Title, State string
	Actions      []struct{ URL, Verb string }
}

type consoleIncident struct {
	ID                           int64
	Key, Severity, Status, Title string
	Private                      bool
	Steps                        []consoleStep
}

func (c *Console) page(w http.ResponseWriter, r *http.Request, user string) {
	var incs []incident.Incident
	err := c.Service.Store.View(r.Context(), func(tx incident.Tx) (err error) { incs, err = tx.RecentIncidents(0); return err })
	if err != nil {
		http.Error(w, "the database is not answering", http.StatusServiceUnavailable)
		return
	}
	var open []consoleIncident
	for _, inc := range incs {
		if !inc.Open() {
			continue
		}
		ci := consoleIncident{ID: inc.ID, Key: inc.Key(), Severity: string(inc.Severity), Status: string(inc.Status), Title: inc.Title, Private: inc.Private}
		runs, _ := c.Service.RunsOf(r.Context(), inc.ID)
		for _, run := range runs {
			for _, st := range run.Steps {
				cs := consoleStep{ID: st.ID, Title: st.Spec.Title, State: string(st.State)}
				for _, v := range consoleVerbs[st.State] {
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
		"Severities": sevs, "Services": c.Service.Settings.Catalog.Names(), "Incidents": open,
	})
	if err != nil {
		c.Log.Error("render console", "err", err)
	}
}
