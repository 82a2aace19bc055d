package kubesim

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// patroni is the stand-in for a Patroni cluster's patronictl: its members and which one
// leads. Only what the playbooks run is answered: list, switchover and failover.
type patroni struct {
	scope   string
	mu      sync.Mutex
	members []string
	leader  string
	tl      int
	apiURL  string // where ServePatroni serves the REST API ("" until then)
}

func newPatroni(scope string, members []string) *patroni {
	p := &patroni{scope: scope, members: members, tl: 1}
	if len(members) > 0 {
		p.leader = members[0]
	}
	return p
}

// Leader returns the member that leads the simulated Patroni cluster.
func (c *Cluster) Leader() string {
	c.db.mu.Lock()
	defer c.db.mu.Unlock()
	return c.db.leader
}

// exec answers pods/exec: the pod must exist, and the command is run by the stand-in. A
// command it does not have fails as a container without it would (exit code 127).
func (c *Cluster) exec(ctx context.Context, namespace, pod, _ string, command []string, stdout, stderr io.Writer) (int, error) {
	if _, err := c.kube.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{}); err != nil {
		return 0, err
	}
	if len(command) == 0 {
		return 0, apierrors.NewBadRequest("you must specify at least one command for the container")
	}
	switch command[0] {
	case "patronictl":
		return c.db.ctl(command[1:], stdout, stderr), nil
	case "true":
		return 0, nil
	}
	fmt.Fprintf(stderr, "OCI runtime exec failed: exec failed: unable to start container process: exec: %q: executable file not found in $PATH: unknown\n", command[0])
	return 127, nil
}

// ctl runs patronictl with args and returns its exit code.
func (p *patroni) ctl(args []string, stdout, stderr io.Writer) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(args) == 0 {
		fmt.Fprintln(stderr, "Usage: patronictl [OPTIONS] COMMAND [ARGS]...")
		return 2
	}
	flags := map[string]string{}
	for i := 1; i < len(args); i++ {
		if name, ok := strings.CutPrefix(args[i], "--"); ok {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				flags[name] = args[i+1]
				i++
			} else {
				flags[name] = ""
			}
		}
	}
	switch args[0] {
	case "list":
		p.topology(stdout)
		return 0
	case "switchover", "failover":
		leader := flags["leader"]
		if leader == "" {
			leader = flags["master"]
		}
		candidate := flags["candidate"]
		switch {
		case args[0] == "switchover" && leader != p.leader:
			fmt.Fprintf(stderr, "Error: Member %s is not the leader of cluster %s\n", leader, p.scope)
			return 1
		case !slices.Contains(p.members, candidate):
			fmt.Fprintf(stderr, "Error: %s is not a member of cluster %s\n", candidate, p.scope)
			return 1
		case candidate == p.leader:
			fmt.Fprintf(stderr, "Error: Member %s is already the leader of cluster %s\n", candidate, p.scope)
			return 1
		case !slices.Contains(args, "--force"):
			fmt.Fprintln(stderr, "Error: Aborted: run with --force, there is no terminal to confirm on")
			return 1
		}
		fmt.Fprintln(stdout, "Current cluster topology")
		p.topology(stdout)
		p.leader, p.tl = candidate, p.tl+1
		fmt.Fprintf(stdout, "%s Successfully %s over to %q\n", time.Now().UTC().Format("2006-01-02 15:04:05.000000"), strings.TrimSuffix(args[0], "over")+"ed", candidate)
		p.topology(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "Error: No such command '%s'.\n", args[0])
	return 2
}

// topology prints the member table as patronictl list does.
func (p *patroni) topology(w io.Writer) {
	fmt.Fprintf(w, "+ Cluster: %s ---------+---------+-----------+----+-----------+\n", p.scope)
	fmt.Fprintln(w, "| Member                 | Role    | State     | TL | Lag in MB |")
	for _, m := range p.members {
		role, state, lag := "Replica", "streaming", "0"
		if m == p.leader {
			role, state, lag = "Leader", "running", ""
		}
		fmt.Fprintf(w, "| %-22s | %-7s | %-9s | %2d | %9s |\n", m, role, state, p.tl, lag)
	}
	fmt.Fprintln(w, "+------------------------+---------+-----------+----+-----------+")
}
