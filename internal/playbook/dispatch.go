package playbook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Dispatcher is the incident.Executor (and Planner) that cmd wires: it sends each step to
// what runs its type of action. It runs http actions itself, hands kubernetes.* actions
// to Kubernetes (kube.Actions) and patroni.switchover actions to Patroni (patroni.Executor).
type Dispatcher struct {
	AllowedHosts []string            // hosts http actions may call
	Client       *http.Client        // nil: a client that follows no redirect off the allow-list
	Getenv       func(string) string // for secret_headers; os.Getenv in production
	Kubernetes   incident.Executor   // runs kubernetes.* actions when set; plans them too if it is a Planner
	Patroni      incident.Executor   // runs patroni.switchover actions when set; plans them too if it is a Planner
}

var (
	_ incident.Executor = (*Dispatcher)(nil)
	_ incident.Planner  = (*Dispatcher)(nil)
)

// Plan dry-runs kubernetes steps through Kubernetes, and patroni.switchover steps through
// Patroni, when they can plan; other steps have their plan in their spec already.
func (x *Dispatcher) Plan(ctx context.Context, inc *incident.Incident, step *incident.RunStep) (string, error) {
	if step.Spec.Action.Type == PatroniSwitchover {
		p, ok := x.Patroni.(incident.Planner)
		if !ok {
			return "", errors.New("patroni.switchover actions are not available in this build of the bot")
		}
		return p.Plan(ctx, inc, step)
	}
	p, ok := x.Kubernetes.(incident.Planner)
	if !ok || !step.Spec.Action.Kubernetes() {
		return "", errors.New("no dry run is available for this step")
	}
	return p.Plan(ctx, inc, step)
}

// maxRecorded is how much of an HTTP answer is recorded.
const maxRecorded = 1024

// Execute runs one step once.
func (x *Dispatcher) Execute(ctx context.Context, inc *incident.Incident, step *incident.RunStep) (incident.StepResult, error) {
	a := &step.Spec.Action
	switch {
	case a.Type == "http":
		return x.http(ctx, a)
	case a.Type == PatroniSwitchover:
		if x.Patroni == nil {
			return incident.StepResult{}, errors.New("patroni.switchover actions are not available in this build of the bot: switch over by hand, then Mark done")
		}
		return x.Patroni.Execute(ctx, inc, step)
	case a.Kubernetes():
		if x.Kubernetes == nil {
			return incident.StepResult{}, errors.New("kubernetes actions are not available in this build of the bot: do the step by hand, then Mark done")
		}
		return x.Kubernetes.Execute(ctx, inc, step)
	}
	return incident.StepResult{}, fmt.Errorf("no executor for %s actions", a.Type)
}

// http sends an http action's request and records the answer's status and start.
func (x *Dispatcher) http(ctx context.Context, h *incident.Action) (incident.StepResult, error) {
	u, err := url.Parse(h.URL)
	if err != nil || !slices.Contains(x.AllowedHosts, u.Hostname()) {
		return incident.StepResult{}, fmt.Errorf("host of %q is not in actions.http.allowed_hosts", h.URL)
	}
	var body io.Reader
	contentType := ""
	switch b := h.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
		contentType = "text/plain; charset=utf-8"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return incident.StepResult{}, fmt.Errorf("encode the body: %w", err)
		}
		body = bytes.NewReader(data)
		contentType = "application/json"
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, h.HTTPMethod(), h.URL, body)
	if err != nil {
		return incident.StepResult{}, err
	}
	req.Header.Set("User-Agent", "incidentbot")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range h.Headers {
		if v != nil {
			req.Header.Set(k, *v)
		}
	}
	getenv := x.Getenv
	for name, env := range h.SecretHeaders {
		v := ""
		if getenv != nil {
			v = getenv(env)
		}
		if v == "" {
			return incident.StepResult{}, fmt.Errorf("the %s header comes from $%s, which is not set", name, env)
		}
		req.Header.Set(name, v)
	}
	resp, err := x.client().Do(req)
	if err != nil {
		return incident.StepResult{}, fmt.Errorf("%s %s: %w", h.HTTPMethod(), h.URL, redactURLError(err))
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxRecorded+1))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	out := fmt.Sprintf("HTTP %s", resp.Status)
	if len(head) > 0 {
		text := string(head)
		if len(head) > maxRecorded {
			text = string(head[:maxRecorded]) + "…"
		}
		out += "\n" + text
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if len(h.Expect) > 0 {
		ok = slices.Contains(h.Expect, resp.StatusCode)
	}
	return incident.StepResult{OK: ok, Output: out}, nil
}

func (x *Dispatcher) client() *http.Client {
	if x.Client != nil {
		return x.Client
	}
	return &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if !slices.Contains(x.AllowedHosts, req.URL.Hostname()) {
			return fmt.Errorf("redirect to %s refused: not an allowed host", req.URL.Hostname())
		}
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return nil
	}}
}

// redactURLError keeps the error's reason without repeating URLs that could carry secrets.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
