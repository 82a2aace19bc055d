package playbook

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/yamlx"
)

func init() {
	register(&Kind{Type: "manual", Doc: "a checklist item a person does and marks done",
		New: func() Action { return &Manual{} }})
	register(&Kind{Type: "notify", Doc: "a templated message to the incident channel or another channel",
		New: func() Action { return &Notify{} }})
	register(&Kind{Type: "http", Mutating: true, Doc: "an HTTP request to an allow-listed host (a DNS or load-balancer failover hook, Patroni's REST API)",
		New: func() Action { return &HTTP{} }})
}

// Manual is done by a person, who marks it done.
type Manual struct {
	Type         string `yaml:"type"`
	Instructions string `yaml:"instructions"`
}

func (*Manual) Kind() *Kind                       { return kinds["manual"] }
func (*Manual) Check(yamlx.Pos, CheckEnv) []error { return nil }
func (a *Manual) Strings() []*string              { return []*string{&a.Instructions} }
func (*Manual) Values() []*any                    { return nil }

// Notify posts a message.
type Notify struct {
	Type    string `yaml:"type"`
	Text    string `yaml:"text"`
	Channel string `yaml:"channel"` // a channel ID; the incident channel when empty
}

func (*Notify) Kind() *Kind { return kinds["notify"] }
func (a *Notify) Check(p yamlx.Pos, _ CheckEnv) []error {
	errs := required(p, "text", a.Text)
	if a.Channel != "" && !templated(a.Channel) && !(strings.HasPrefix(a.Channel, "C") || strings.HasPrefix(a.Channel, "G")) {
		errs = append(errs, p.Field("channel").Errorf("expected a channel ID such as C0123ABCD, got %q", a.Channel))
	}
	return errs
}
func (a *Notify) Strings() []*string { return []*string{&a.Text, &a.Channel} }
func (*Notify) Values() []*any       { return nil }

// HTTP calls an allow-listed endpoint.
type HTTP struct {
	Type    string             `yaml:"type"`
	Method  string             `yaml:"method"` // default POST
	URL     string             `yaml:"url"`
	Headers map[string]*string `yaml:"headers"`
	// SecretHeaders names environment variables whose values are sent as headers (such as
	// Authorization) without ever appearing in a plan, the timeline or a review.
	SecretHeaders map[string]string `yaml:"secret_headers"`
	Body          any               `yaml:"body"`
	Timeout       Duration          `yaml:"timeout"` // default 30s
	Expect        []int             `yaml:"expect"`  // accepted statuses; default any 2xx
}

// MaxHTTPTimeout bounds an http action's timeout.
const MaxHTTPTimeout = 10 * time.Minute

var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}

func (*HTTP) Kind() *Kind { return kinds["http"] }
func (a *HTTP) Check(p yamlx.Pos, env CheckEnv) []error {
	errs := required(p, "url", a.URL)
	if a.Method != "" && !templated(a.Method) && !slices.Contains(httpMethods, strings.ToUpper(a.Method)) {
		errs = append(errs, p.Field("method").Errorf("expected one of %s, got %q", strings.Join(httpMethods, ", "), a.Method))
	}
	if a.URL != "" && !templated(a.URL) {
		errs = append(errs, CheckURL(p.Field("url"), a.URL, env.AllowedHosts)...)
	}
	if time.Duration(a.Timeout) > MaxHTTPTimeout {
		errs = append(errs, p.Field("timeout").Errorf("at most %s", MaxHTTPTimeout))
	}
	for _, s := range a.Expect {
		if s < 100 || s > 599 {
			errs = append(errs, p.Field("expect").Errorf("%d is not an HTTP status", s))
		}
	}
	for name, env := range a.SecretHeaders {
		if env == "" || strings.ContainsAny(env, " ={}$") {
			errs = append(errs, p.Field("secret_headers."+name).Errorf("expected the name of an environment variable, got %q", env))
		}
	}
	return errs
}

// CheckURL checks a concrete URL: http(s), a host, and the host allow-listed (when a list
// is given; ports are ignored).
func CheckURL(p yamlx.Pos, raw string, allowed []string) []error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return []error{p.Errorf("expected an http or https URL, got %q", raw)}
	}
	if u.User != nil {
		return []error{p.Errorf("credentials in the URL would be shown in plans; use secret_headers")}
	}
	if allowed != nil && !slices.Contains(allowed, u.Hostname()) {
		return []error{p.Errorf("host %q is not in actions.http.allowed_hosts (%s)", u.Hostname(), strings.Join(allowed, ", "))}
	}
	return nil
}

func (a *HTTP) Strings() []*string {
	out := []*string{&a.Method, &a.URL}
	for _, v := range a.Headers {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}
func (a *HTTP) Values() []*any { return []*any{&a.Body} }

// Mutates is false for GET and HEAD, which only read.
func (a *HTTP) Mutates() bool {
	m := a.method()
	return m != "GET" && m != "HEAD"
}
