package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Executor runs kubernetes.* steps.
type Executor struct {
	Clusters *Clusters
	// Poll is how often wait and drain look again; default 1s.
	Poll time.Duration
	// Now stamps restartedAt annotations; default time.Now.
	Now func() time.Time
}

var (
	_ incident.Executor = (*Executor)(nil)
	_ incident.Planner  = (*Executor)(nil)
)

// decode returns the typed action of a step.
func decode(step *incident.RunStep) (playbook.Action, string, error) {
	kind := playbook.KindOf(step.Spec.ActionType)
	if kind == nil || !strings.HasPrefix(step.Spec.ActionType, "kubernetes.") {
		return nil, "", fmt.Errorf("%s is not a kubernetes action", step.Spec.ActionType)
	}
	a := kind.New()
	if err := json.Unmarshal([]byte(step.Spec.Action), a); err != nil {
		return nil, "", fmt.Errorf("decode the action: %w", err)
	}
	return a, playbook.ClusterOf(a), nil
}

// Execute runs the step's action once. A refusal by the API server (forbidden, not found,
// invalid, conflict) is the step's failed result; an error means it could not be tried.
func (x *Executor) Execute(ctx context.Context, _ *incident.Incident, step *incident.RunStep) (incident.StepResult, error) {
	a, cluster, err := decode(step)
	if err != nil {
		return incident.StepResult{}, err
	}
	c, err := x.Clusters.Get(cluster)
	if err != nil {
		return incident.StepResult{}, err
	}
	out, err := x.run(ctx, c, a, false)
	if err != nil {
		return incident.StepResult{OK: false, Output: describeErr(err)}, nil
	}
	return incident.StepResult{OK: true, Output: out}, nil
}

// Plan runs the step's action as a server-side dry run (DryRun: All) and says what would
// change, or what the API server would refuse, changing nothing.
func (x *Executor) Plan(ctx context.Context, _ *incident.Incident, step *incident.RunStep) (string, error) {
	a, cluster, err := decode(step)
	if err != nil {
		return "", err
	}
	c, err := x.Clusters.Get(cluster)
	if err != nil {
		return "", err
	}
	out, err := x.run(ctx, c, a, true)
	if err != nil {
		return "The API server would refuse it: " + describeErr(err), nil
	}
	return out, nil
}

func (x *Executor) run(ctx context.Context, c *Client, a playbook.Action, dry bool) (string, error) {
	switch a := a.(type) {
	case *playbook.RolloutRestart:
		return x.rolloutRestart(ctx, c, a, dry)
	case *playbook.Scale:
		return x.scale(ctx, c, a, dry)
	case *playbook.Patch:
		return x.patch(ctx, c, a, dry)
	case *playbook.Apply:
		return x.apply(ctx, c, a, dry)
	case *playbook.Cordon:
		return x.cordon(ctx, c, a, dry)
	case *playbook.Drain:
		return x.drain(ctx, c, a, dry)
	case *playbook.Wait:
		if dry {
			return "waits; changes nothing", nil
		}
		return x.wait(ctx, c, a)
	case *playbook.Check:
		return x.check(ctx, c, a)
	case *playbook.Exec:
		if dry {
			return fmt.Sprintf("runs %s in pod %s/%s (an exec cannot be dry-run)", strings.Join(a.Command, " "), a.Namespace, a.Pod), nil
		}
		return x.exec(ctx, c, a)
	}
	return "", fmt.Errorf("unsupported action %s", a.Kind().Type)
}

func (x *Executor) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}

func (x *Executor) poll() time.Duration {
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
