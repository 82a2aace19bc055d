package patroni

import (
	"context"
	"fmt"
	"strings"
)

// Replication is a read-only check of a cluster's replicas, for a preflight step's card:
// who leads, how far behind each replica is, and which do not stream from the leader.
type Replication struct {
	Leader   string    // "" when no member leads
	Timeline int       // the leader's
	Replicas []Replica // every member but the leader, in /cluster's order (by name)
	// MaxLag is the largest lag among the replicas; Known is false when no replica's lag is
	// known (or there is none).
	MaxLag Lag
	// NotStreaming names the replicas that do not stream from the leader.
	NotStreaming []string
	// Confirmed says that streaming was read from the leader's pg_stat_replication (GET
	// /patroni on the leader); otherwise from the members' states in /cluster, because the
	// leader's own REST API is not on an allowed host (or did not answer).
	Confirmed bool
}

// Replica is one replica in a Replication.
type Replica struct {
	Name      string
	APIURL    string // its REST API, as /cluster gives it
	Role      string // sync_standby or replica
	State     string // Patroni's member state
	Timeline  int
	Lag       Lag
	Streaming bool
	Sync      bool // the synchronous standby: every acknowledged commit is on it
}

// ReplicaLag reads GET /cluster, and GET /patroni on the leader where its api_url is
// allowed, and says how far behind each replica is and which do not stream. It changes
// nothing.
func (c *Client) ReplicaLag(ctx context.Context) (*Replication, error) {
	cl, err := c.Cluster(ctx)
	if err != nil {
		return nil, err
	}
	return c.replication(ctx, cl), nil
}

// replication builds the report from a /cluster answer.
func (c *Client) replication(ctx context.Context, cl *Cluster) *Replication {
	r := &Replication{}
	leader := cl.Leader()
	var streaming map[string]bool
	if leader != nil {
		r.Leader, r.Timeline = leader.Name, leader.Timeline
		if st, err := c.Status(ctx, leader.APIURL); err == nil && st.Role != "replica" {
			r.Confirmed, streaming = true, map[string]bool{}
			for _, rep := range st.Replication {
				if rep.State == "streaming" {
					streaming[rep.ApplicationName] = true
				}
			}
		}
	}
	for _, m := range cl.Members {
		if leader != nil && m.Name == leader.Name {
			continue
		}
		rep := Replica{Name: m.Name, APIURL: m.APIURL, Role: m.Role, State: m.State, Timeline: m.Timeline, Lag: m.Lag, Sync: m.Role == "sync_standby"}
		switch {
		case leader == nil:
		case streaming != nil:
			rep.Streaming = streaming[m.Name]
		default:
			// Patroni 3.0.4 and later say "streaming"; 3.0.2 says "running" of a replica
			// that follows the leader's timeline with a known lag.
			rep.Streaming = m.State == "streaming" ||
				(m.State == "running" && m.Lag.Known && (m.Timeline == 0 || m.Timeline == leader.Timeline))
		}
		if !rep.Streaming {
			r.NotStreaming = append(r.NotStreaming, m.Name)
		}
		if m.Lag.Known && (!r.MaxLag.Known || m.Lag.Bytes > r.MaxLag.Bytes) {
			r.MaxLag = m.Lag
		}
		r.Replicas = append(r.Replicas, rep)
	}
	return r
}

// Replica is the replica called name, or nil.
func (r *Replication) Replica(name string) *Replica {
	for i := range r.Replicas {
		if r.Replicas[i].Name == name {
			return &r.Replicas[i]
		}
	}
	return nil
}

// OK reports whether a leader has replicas, all streaming.
func (r *Replication) OK() bool {
	return r.Leader != "" && len(r.Replicas) > 0 && len(r.NotStreaming) == 0
}

// String describes the replication for a card: one line per replica after the leader's.
func (r *Replication) String() string {
	var b strings.Builder
	if r.Leader == "" {
		b.WriteString("Patroni: no member leads.")
	} else {
		fmt.Fprintf(&b, "Patroni: %s leads (timeline %d).", r.Leader, r.Timeline)
	}
	if len(r.Replicas) == 0 {
		b.WriteString(" No replica.")
	}
	for _, rep := range r.Replicas {
		how := "streaming"
		if !rep.Streaming {
			how = "NOT streaming"
		}
		fmt.Fprintf(&b, "\n%s (%s, %s): %s, lag %s", rep.Name, rep.Role, rep.State, how, rep.Lag)
	}
	if r.MaxLag.Known {
		fmt.Fprintf(&b, "\nMax lag: %s.", r.MaxLag)
	}
	if len(r.NotStreaming) > 0 {
		fmt.Fprintf(&b, "\nNot streaming: %s.", strings.Join(r.NotStreaming, ", "))
	}
	if r.Leader != "" && !r.Confirmed {
		b.WriteString("\n(Streaming judged from the members' states: the leader's REST API is not on an allowed host.)")
	}
	return b.String()
}
