package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Actions runs kubernetes.* steps on the configured clusters, for real (Execute) or as a
// server-side dry run (Plan). playbook.Dispatcher hands it those steps.
type Actions struct {
	Clusters *Clusters
	// Poll is how often wait and drain look again; default 1s.
	Poll time.Duration
	// Now stamps restartedAt annotations; default time.Now.
	Now func() time.Time
	// AllowedHosts are the hosts a preflight may read Patroni's REST API on
	// (actions.http.allowed_hosts); a patroni_url on any other host fails the lag check.
	AllowedHosts []string
	// Lag reads a preflight's replica lag; nil: PatroniCluster (GET /cluster).
	Lag LagReader
}

var (
	_ incident.Executor = (*Actions)(nil)
	_ incident.Planner  = (*Actions)(nil)
)

// target returns the step's action and a client for its cluster.
func (x *Actions) target(step *incident.RunStep) (*incident.Action, *Client, error) {
	a := &step.Spec.Action
	if !a.Kubernetes() {
		return nil, nil, fmt.Errorf("%s is not a kubernetes action", a.Type)
	}
	c, err := x.Clusters.Get(a.Cluster)
	return a, c, err
}

// Execute runs the step's action once. A refusal by the API server (forbidden, not found,
// invalid, conflict) is the step's failed result; an error means it could not be tried.
func (x *Actions) Execute(ctx context.Context, _ *incident.Incident, step *incident.RunStep) (incident.StepResult, error) {
	a, c, err := x.target(step)
	if err != nil {
		return incident.StepResult{}, err
	}
	rec := &recorder{}
	out, err := x.run(ctx, c, a, false, rec)
	if err != nil {
		// What it changed before it failed (a scale of every Deployment refused halfway)
		// can be undone too.
		return incident.StepResult{OK: false, Output: describeErr(err), Prior: rec.partial(a)}, nil
	}
	return incident.StepResult{OK: true, Output: out, Prior: rec.result(a)}, nil
}

// Plan runs the step's action as a server-side dry run (DryRun: All) and says what would
// change, or what the API server would refuse, changing nothing.
func (x *Actions) Plan(ctx context.Context, _ *incident.Incident, step *incident.RunStep) (string, error) {
	a, c, err := x.target(step)
	if err != nil {
		return "", err
	}
	out, err := x.run(ctx, c, a, true, nil)
	if err != nil {
		return "The API server would refuse it: " + describeErr(err), nil
	}
	return out, nil
}

// run runs or dry-runs the action; rec (nil for a dry run) records the prior state of what
// a real run changes, for Undo.
func (x *Actions) run(ctx context.Context, c *Client, a *incident.Action, dry bool, rec *recorder) (string, error) {
	switch a.Type {
	case "kubernetes.rollout-restart":
		rec.noInverse(noInverseRestart)
		return x.rolloutRestart(ctx, c, a, dry)
	case "kubernetes.scale":
		return x.scale(ctx, c, a, dry, rec)
	case "kubernetes.patch":
		return x.patch(ctx, c, a, dry, rec)
	case "kubernetes.apply":
		return x.apply(ctx, c, a, dry, rec)
	case "kubernetes.cordon":
		return x.cordon(ctx, c, a, dry, rec)
	case "kubernetes.drain":
		return x.drain(ctx, c, a, dry, rec)
	case incident.ActionUndo:
		return x.undo(ctx, c, a, dry, rec)
	case "kubernetes.wait":
		if dry {
			return "waits; changes nothing", nil
		}
		return x.wait(ctx, c, a)
	case "kubernetes.check":
		return x.check(ctx, c, a)
	case "kubernetes.preflight":
		return x.preflight(ctx, c, a, dry)
	case "kubernetes.exec":
		if dry {
			return fmt.Sprintf("runs %s in pod %s/%s (an exec cannot be dry-run)", strings.Join(a.Command, " "), a.Namespace, a.Pod), nil
		}
		rec.noInverse(noInverseExec)
		return x.exec(ctx, c, a)
	}
	return "", fmt.Errorf("unsupported action %s", a.Type)
}

func (x *Actions) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}

func (x *Actions) poll() time.Duration {
	if x.Poll > 0 {
		return x.Poll
	}
	return time.Second
}

// describeErr words an API error for the step card: the reason and the server's message.
func describeErr(err error) string {
	if s, ok := err.(apierrors.APIStatus); ok {
		st := s.Status()
		return fmt.Sprintf("%s (%d): %s", st.Reason, st.Code, st.Message)
	}
	return err.Error()
}
