package playbook

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/yamlx"
)

func init() {
	register(&Kind{Type: "manual", Doc: "a checklist item a person does and marks done",
		Fields: []string{"instructions"}})
	register(&Kind{Type: "notify", Doc: "a templated message to the incident channel or another channel",
		Fields: []string{"text", "channel"}, check: checkNotify})
	register(&Kind{Type: "http", Mutating: true, Doc: "an HTTP request to an allow-listed host (a DNS or load-balancer failover hook, Patroni's REST API)",
		Fields: []string{"method", "url", "headers", "secret_headers", "body", "timeout", "expect"}, check: checkHTTP})
}

// checkNotify: a text, and a channel given by ID.
func checkNotify(a *incident.Action, p yamlx.Pos, _ CheckEnv) []error {
	errs := required(p, "text", a.Text)
	if a.Channel != "" && !templated(a.Channel) && !(strings.HasPrefix(a.Channel, "C") || strings.HasPrefix(a.Channel, "G")) {
		errs = append(errs, p.Field("channel").Errorf("expected a channel ID such as C0123ABCD, got %q", a.Channel))
	}
	return errs
}

// MaxHTTPTimeout bounds an http action's timeout.
const MaxHTTPTimeout = 10 * time.Minute

var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}

// checkHTTP: a URL on an allowed host, a known method, a bounded timeout, HTTP statuses,
// and secret headers that name environment variables.
func checkHTTP(a *incident.Action, p yamlx.Pos, env CheckEnv) []error {
	errs := required(p, "url", a.URL)
	if a.Method != "" && !templated(a.Method) && !slices.Contains(httpMethods, strings.ToUpper(a.Method)) {
		errs = append(errs, p.Field("method").Errorf("expected one of %s, got %q", strings.Join(httpMethods, ", "), a.Method))
	}
	if a.URL != "" && !templated(a.URL) {
		errs = append(errs, CheckURL(p.Field("url"), a.URL, env.AllowedHosts)...)
	}
	if a.Timeout > MaxHTTPTimeout {
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
