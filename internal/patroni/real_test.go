package patroni_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/patroni"
	pair "github.com/nephoran/incidentbot/internal/testenv/patroni"
)

// writer inserts rows into the cluster's leader (through the multi-host read-write URL)
// until stopped, reconnecting when the leader goes away, and keeps the IDs whose commit was
// acknowledged.
type writer struct {
	mu     sync.Mutex
	acked  []int64
	failed int
	stop   chan struct{}
	done   chan struct{}
}

func startWriter(t *testing.T, url string) *writer {
	w := &writer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		var conn *pgx.Conn
		defer func() {
			if conn != nil {
				conn.Close(context.Background())
			}
		}()
		for id := int64(1); ; id++ {
			select {
			case <-w.stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			var err error
			if conn == nil {
				conn, err = pgx.Connect(ctx, url)
			}
			if err == nil {
				_, err = conn.Exec(ctx, "INSERT INTO writes (id) VALUES ($1)", id)
			}
			cancel()
			w.mu.Lock()
			if err == nil {
				w.acked = append(w.acked, id)
			} else {
				// Not acknowledged: it may or may not have committed; it is not counted.
				w.failed++
				if conn != nil {
					conn.Close(context.Background())
					conn = nil
				}
			}
			w.mu.Unlock()
			if err != nil {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}()
	t.Cleanup(w.halt)
	return w
}

func (w *writer) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
}

func (w *writer) count() (acked, failed int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked), w.failed
}

// waitAcked waits until n more commits than now were acknowledged.
func (w *writer) waitAcked(t *testing.T, n int, limit time.Duration) {
	t.Helper()
	start, _ := w.count()
	for deadline := time.Now().Add(limit); ; time.Sleep(20 * time.Millisecond) {
		if got, _ := w.count(); got >= start+n {
			return
		}
		if time.Now().After(deadline) {
			got, failed := w.count()
			t.Fatalf("%d commits acknowledged in %s, want %d (%d failed)", got-start, limit, n, failed)
		}
	}
}

// waitSynchronous waits until the cluster has a leader and a synchronous standby, streaming.
func waitSynchronous(t *testing.T, c *patroni.Client, limit time.Duration) *patroni.Replication {
	t.Helper()
	var r *patroni.Replication
	var err error
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		r, err = c.ReplicaLag(context.Background())
		if err == nil && r.OK() && len(r.Replicas) == 1 && r.Replicas[0].Sync {
			return r
		}
	}
	t.Fatalf("no streaming synchronous standby within %s: %v %v", limit, r, err)
	return nil
}

// On a real Patroni pair (etcd, two Patroni 3 nodes, PostgreSQL) with writes running: the
// client reads the replication, the probes and Patroni's refusals; the patroni.switchover
// executor switches over while rows are being inserted, reads the lag at the switchover and
// measures the RPO; every acknowledged row is on the new leader; the client switches back.
// One cluster serves every part (about 15 s).
func TestRealPair(t *testing.T) {
	cl := pair.Start(t)
	ctx := context.Background()
	local := []string{"127.0.0.1"}
	c, err := patroni.New(cl.Nodes[0].API, local, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := cl.Leader()
	if first == nil {
		t.Fatal("no leader")
	}
	standby := cl.Nodes[0]
	if standby == first {
		standby = cl.Nodes[1]
	}
	{
		conn, err := pgx.Connect(ctx, cl.URL())
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.Exec(ctx, "CREATE TABLE writes (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())")
		conn.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}

	t.Run("replication", func(t *testing.T) {
		r := waitSynchronous(t, c, 30*time.Second)
		if r.Leader != first.Name || !r.Confirmed || r.Replicas[0].Name != standby.Name || !r.MaxLag.Known {
			t.Errorf("replication %+v", r)
		}
		t.Logf("%s", r)
		// The standby's GET /patroni dates its last replayed transaction in the form Measure
		// reads (the CREATE TABLE above was one): what an asynchronous replica behind is
		// measured by.
		// The member's own GET /patroni may say it is the synchronous standby a moment after
		// /cluster does: read it until it does.
		var st *patroni.NodeStatus
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			var err error
			if st, err = c.Status(ctx, r.Replicas[0].APIURL); err != nil {
				t.Fatal(err)
			}
			if st.SyncStandby || time.Now().After(deadline) {
				break
			}
		}
		if _, ok := st.ReplayedAt(); !ok || st.Role != "replica" || !st.SyncStandby {
			t.Errorf("the standby's status %+v (replay time %q): want a replica, the synchronous standby, with a replay time", st, st.XLog.ReplayedTimestamp)
		}
		async := *r
		async.Replicas = []patroni.Replica{r.Replicas[0]}
		async.Replicas[0].Sync, async.Replicas[0].Lag = false, patroni.Lag{Bytes: 1, Known: true}
		if m, ok, why := patroni.Measure(&async, standby.Name, st, time.Now()); !ok {
			t.Errorf("Measure of a replica 1 byte behind, with its real status: %s", why)
		} else {
			t.Logf("as if asynchronous and behind: %s", m.Basis)
		}
		sc, _ := patroni.New(standby.API, local, nil)
		if ok, err := sc.Replica(ctx, "16MB"); err != nil || !ok {
			t.Errorf("GET /replica?lag=16MB on the standby: %v %v", ok, err)
		}
		lc, _ := patroni.New(first.API, local, nil)
		if ok, err := lc.Replica(ctx, ""); err != nil || ok {
			t.Errorf("GET /replica on the leader: %v %v, want 503", ok, err)
		}
		if _, err := c.Switchover(ctx, "", standby.Name, time.Time{}); !patroni.IsKind(err, patroni.BadRequest) {
			t.Errorf("a switchover without a leader: %v, want 400", err)
		}
		if _, err := c.Switchover(ctx, standby.Name, first.Name, time.Time{}); !patroni.IsKind(err, patroni.NotPossible) {
			t.Errorf("a switchover from the standby: %v, want 412", err)
		}
		if _, err := c.Switchover(ctx, first.Name, "nobody", time.Time{}); !patroni.IsKind(err, patroni.NotPossible) {
			t.Errorf("a switchover to no member: %v, want 412", err)
		}
	})
	if t.Failed() {
		return
	}

	w := startWriter(t, cl.URL())
	w.waitAcked(t, 50, 10*time.Second)
	t.Run("switchover with writes running", func(t *testing.T) {
		x := &patroni.Executor{AllowedHosts: local}
		step := &incident.RunStep{ID: 1, Seq: 1, Spec: incident.StepSpec{StepID: "switchover", Mutating: true,
			Action: incident.Action{Type: patroni.ActionType, URL: cl.Nodes[0].API}}}
		plan, err := x.Plan(ctx, nil, step)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("plan:\n%s", plan)
		res, err := x.Execute(ctx, nil, step)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("result:\n%s", res.Output)
		if !res.OK || res.RPO == nil {
			t.Fatalf("switchover: %+v", res)
		}
		// The candidate was the synchronous standby: nothing acknowledged was lost.
		if res.RPO.Window != 0 {
			t.Errorf("measured RPO %s at a switchover to the synchronous standby, want 0s", res.RPO.Window)
		}
		t.Logf("lag read at the switchover: %d bytes", res.RPO.LagBytes)
		if l := cl.Leader(); l == nil || l.Name != standby.Name {
			t.Fatalf("leader %v after the switchover, want %s", l, standby.Name)
		}
		w.waitAcked(t, 50, 20*time.Second) // writes go on, on the new leader
	})
	w.halt()
	acked, failed := w.count()
	t.Logf("%d commits acknowledged, %d attempts failed during the switchover", acked, failed)

	t.Run("every acknowledged row is on the new leader", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, standby.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM writes WHERE id = ANY($1)", w.acked).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(w.acked) {
			t.Errorf("%d of the %d acknowledged rows are on the new leader", n, len(w.acked))
		}
	})

	t.Run("switch back with the client", func(t *testing.T) {
		r := waitSynchronous(t, c, 60*time.Second)
		if r.Leader != standby.Name || r.Replicas[0].Name != first.Name {
			t.Fatalf("replication %+v", r)
		}
		res, err := c.Switchover(ctx, standby.Name, first.Name, time.Time{})
		if err != nil || res.Outcome != patroni.SwitchedOver || res.NewLeader != first.Name {
			t.Fatalf("switchover back: %+v %v", res, err)
		}
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if l := cl.Leader(); l != nil && l.Name == first.Name {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s does not answer GET /primary after the switchover back", first.Name)
			}
		}
	})
}
