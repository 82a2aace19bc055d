package patroni

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// ActionType is the playbook action type the Executor runs (playbook.PatroniSwitchover).
const ActionType = "patroni.switchover"

// Executor runs and plans patroni.switchover steps: it reads GET /cluster (and the
// candidate's GET /patroni) right before it posts the switchover, confirms the new leader
// afterwards, and returns the RPO measured from the candidate's lag (Measure).
type Executor struct {
	AllowedHosts []string         // actions.http.allowed_hosts
	HTTP         *http.Client     // nil: a 30 s client (New)
	Now          func() time.Time // nil: time.Now
	// Confirm is how long to wait, after Patroni answered 200, for GET /cluster to name the
	// new leader; 0 is 15 s.
	Confirm time.Duration
}

var (
	_ incident.Executor = (*Executor)(nil)
	_ incident.Planner  = (*Executor)(nil)
)

// DefaultTimeout bounds a switchover without a timeout of its own: Patroni answers once
// the leader changed or it gave up waiting, at least 20 s.
const DefaultTimeout = time.Minute

// switchover is a resolved step: who leads, who takes over, and the replication read.
type switchover struct {
	client            *Client
	leader, candidate string
	before            *Replication
	refusal           string // why it would not run; "" when it would
}

// resolve reads the cluster and chooses the candidate: the step's, else the synchronous
// standby, else the streaming replica with the least known lag.
func (x *Executor) resolve(ctx context.Context, a *incident.Action) (*switchover, error) {
	if a.Type != ActionType {
		return nil, fmt.Errorf("patroni: cannot run %s actions", a.Type)
	}
	c, err := New(a.URL, x.AllowedHosts, x.HTTP)
	if err != nil {
		return nil, err
	}
	cl, err := c.Cluster(ctx)
	if err != nil {
		return nil, err
	}
	s := &switchover{client: c, before: c.replication(ctx, cl), leader: a.Leader, candidate: a.Candidate}
	switch {
	case s.before.Leader == "":
		s.refusal = "no member leads the cluster"
	case s.leader == "":
		s.leader = s.before.Leader
	case s.leader != s.before.Leader:
		s.refusal = fmt.Sprintf("%s leads, not %s", s.before.Leader, s.leader)
	}
	if s.candidate == "" {
		s.candidate = pickCandidate(s.before)
	}
	if s.refusal == "" {
		switch rep := s.before.Replica(s.candidate); {
		case s.candidate == "":
			s.refusal = "no replica streams from the leader"
		case rep == nil:
			s.refusal = fmt.Sprintf("%s is not a replica of the cluster", s.candidate)
		case !rep.Streaming:
			s.refusal = fmt.Sprintf("%s does not stream from the leader (%s)", s.candidate, rep.State)
		}
	}
	return s, nil
}

// pickCandidate is the synchronous standby, else the streaming replica least behind.
func pickCandidate(r *Replication) string {
	best := ""
	var lag int64
	for _, rep := range r.Replicas {
		if !rep.Streaming {
			continue
		}
		if rep.Sync {
			return rep.Name
		}
		if rep.Lag.Known && (best == "" || rep.Lag.Bytes < lag) {
			best, lag = rep.Name, rep.Lag.Bytes
		}
	}
	return best
}

// describe is the plan's body: the switch, and the replication as read.
func (s *switchover) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "leader: %s (timeline %d)\ncandidate: %s", s.leader, s.before.Timeline, s.candidate)
	if rep := s.before.Replica(s.candidate); rep != nil {
		fmt.Fprintf(&b, " (%s, %s), lag %s", rep.Role, rep.State, rep.Lag)
	}
	for _, rep := range s.before.Replicas {
		if rep.Name != s.candidate {
			fmt.Fprintf(&b, "\nother replica: %s (%s, %s), lag %s", rep.Name, rep.Role, rep.State, rep.Lag)
		}
	}
	return b.String()
}

// Plan says what the step would do: which leader hands over to which candidate, and how
// far behind the candidate is now; or why Patroni would be asked nothing. It changes
// nothing.
func (x *Executor) Plan(ctx context.Context, _ *incident.Incident, step *incident.RunStep) (string, error) {
	s, err := x.resolve(ctx, &step.Spec.Action)
	if err != nil {
		return "", err
	}
	if s.refusal != "" {
		return fmt.Sprintf("would not switch over %s: %s\n%s", s.client.URL(), s.refusal, s.before), nil
	}
	return fmt.Sprintf("would switch over the Patroni cluster at %s (POST /switchover)\n%s", s.client.URL(), s.describe()), nil
}

// Execute reads the lag, switches over, confirms the new leader and measures the RPO. A
// refusal (by this executor or by Patroni) and an unknown outcome are failed results whose
// output says what to check; an error means Patroni could not be read at all.
func (x *Executor) Execute(ctx context.Context, _ *incident.Incident, step *incident.RunStep) (incident.StepResult, error) {
	a := &step.Spec.Action
	timeout := a.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s, err := x.resolve(ctx, a)
	if err != nil {
		return incident.StepResult{}, err
	}
	if s.refusal != "" {
		return incident.StepResult{Output: fmt.Sprintf("Not switched over: %s.\n%s", s.refusal, s.before)}, nil
	}
	// The candidate's replay time, read with the lag: what Measure needs when it is behind.
	var status *NodeStatus
	if rep := s.before.Replica(s.candidate); rep != nil && rep.APIURL != "" {
		status, _ = s.client.Status(ctx, rep.APIURL) // an api_url off the allow-list is not called
	}
	readAt := x.now()
	res, err := s.client.Switchover(ctx, s.leader, s.candidate, time.Time{})
	if err != nil {
		out := fmt.Sprintf("%v.\nRead before: %s", err, s.describe())
		if IsKind(err, UnknownOutcome) {
			out += "\nCheck GET /cluster to see who leads before retrying."
		}
		return incident.StepResult{Output: out}, nil
	}
	if res.Outcome == Scheduled {
		return incident.StepResult{OK: true, Output: "Patroni scheduled the switchover: " + res.Message + "\nNo RPO is measured until it happens."}, nil
	}
	leader, timeline, err := x.confirm(ctx, s.client, s.leader, s.before.Timeline)
	if err != nil {
		return incident.StepResult{Output: fmt.Sprintf("Patroni answered %q, but %v.\nRead before: %s", res.Message, err, s.describe())}, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Switched over: %s -> %s, timeline %d (Patroni: %s)\nRead right before: %s", s.leader, leader, timeline, res.Message, s.describe())
	m, ok, why := Measure(s.before, leader, status, readAt)
	if !ok {
		fmt.Fprintf(&b, "\nRPO not measured: %s; record it with /incident rpo <window>.", why)
		return incident.StepResult{OK: true, Output: b.String()}, nil
	}
	fmt.Fprintf(&b, "\nMeasured RPO: %s (%s).", incident.FormatDuration(m.Window), m.Basis)
	return incident.StepResult{OK: true, Output: b.String(), RPO: &m}, nil
}

// confirm waits until GET /cluster names a running leader other than old, on a timeline
// after timeline (the new leader records it in the DCS at its next loop), and returns it;
// a new leader whose timeline does not show in time is returned as the DCS names it.
func (x *Executor) confirm(ctx context.Context, c *Client, old string, timeline int) (string, int, error) {
	wait := x.Confirm
	if wait == 0 {
		wait = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	last := errors.New("no answer yet")
	var seen *Member
	for {
		cl, err := c.Cluster(ctx)
		if err == nil {
			if l := cl.Leader(); l != nil && l.Name != old && (l.State == "running" || l.State == "streaming") {
				if l.Timeline > timeline || timeline == 0 {
					return l.Name, l.Timeline, nil
				}
				seen = l
			}
			last = fmt.Errorf("GET /cluster still shows %s", leaderName(cl))
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			if seen != nil {
				return seen.Name, seen.Timeline, nil
			}
			return "", 0, fmt.Errorf("no new leader confirmed within %s (%v)", wait, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func leaderName(cl *Cluster) string {
	if l := cl.Leader(); l != nil {
		return l.Name + " leading"
	}
	return "no leader"
}

func (x *Executor) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}
