// Package patroni gives tests a real, highly available PostgreSQL: a one-member etcd
// (Debian's etcd-server) and a two-node Patroni cluster (Debian's patroni) running
// PostgreSQL from the binaries pgtest finds, all on loopback ports, in a temporary
// directory that is removed when the test ends.
//
// Start waits until one node leads and the other streams from it as its synchronous
// standby, so a commit acknowledged by the leader is on both nodes and a failover loses
// none. KillLeader kills the leader's Patroni and its PostgreSQL with SIGKILL, as a node
// dying; the standby takes the leader key once it expires (Timing) and promotes itself.
//
// Patroni and etcd get SIGKILL from the kernel if the test process dies without cleaning
// up, and a watchdog process then kills the PostgreSQL servers (which Patroni starts in a
// session of their own), so nothing outlives the tests.
//
// Without the binaries Start skips the test, unless INCIDENTBOT_REQUIRE_PATRONI is set (as
// CI does): then it fails.
package patroni

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// RequireEnv names the variable that turns missing binaries from a skip into a failure.
const RequireEnv = "INCIDENTBOT_REQUIRE_PATRONI"

// Database is the database Start creates on the cluster, which URL names.
const Database = "incidentbot"

// Timing is the cluster's Patroni settings (bootstrap.dcs), the smallest that work with
// Patroni 3.0.2 on etcd3. Its validator takes any integers, but a standby that finds the
// leader key gone refuses to race for it unless at least 1 s of retry_timeout is left after
// refreshing its lease (dcs/etcd3.py, attempt_to_acquire_leader), so retry_timeout 1 never
// fails over; 2 does. ttl is then loop_wait + 2*retry_timeout, as Patroni's documentation
// asks. The leader key lives TTL seconds after its last renewal, each node runs its loop
// every LoopWait: a dead leader is replaced about TTL to TTL+LoopWait seconds after it last
// renewed the key, plus the promotion.
var Timing = struct{ TTL, LoopWait, RetryTimeout int }{TTL: 5, LoopWait: 1, RetryTimeout: 2}

// Cluster is a running etcd and two Patroni nodes.
type Cluster struct {
	tb    testing.TB
	dir   string
	cred  *syscall.Credential
	etcd  *process
	Nodes []*Node // n1 and n2, in that order

	mu       sync.Mutex
	killedAt time.Time
	killed   string // the name of the last node KillLeader killed
}

// Node is one Patroni node and its PostgreSQL.
type Node struct {
	Name   string
	API    string // the base URL of its REST API: http://127.0.0.1:port
	PGPort int    // its PostgreSQL's port on 127.0.0.1

	dir     string
	patroni *process
	dead    bool
}

// Member is a node as GET /cluster describes it.
type Member struct {
	Name     string `json:"name"`
	Role     string `json:"role"`  // leader, replica, sync_standby
	State    string `json:"state"` // running, starting, stopped, ...
	APIURL   string `json:"api_url"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Timeline int    `json:"timeline"`
	Lag      any    `json:"lag"` // bytes behind the leader, or "unknown"
}

// Start starts etcd and the two nodes and waits (up to a minute) until one leads and the
// other is its streaming synchronous standby, then creates Database on the leader.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	bin, cred := lookup(tb)
	dir, err := os.MkdirTemp("/tmp", "incidentbot-patroni-")
	if err != nil {
		tb.Fatal(err)
	}
	c := &Cluster{tb: tb, dir: dir, cred: cred}
	wd, err := startWatchdog(dir)
	if err != nil {
		os.RemoveAll(dir)
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.stop(); wd.Close() })
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			tb.Fatal(err)
		}
	}
	ports := freePorts(tb, 6)
	if c.etcd, err = c.startEtcd(ports[0], ports[1]); err != nil {
		tb.Fatal(err)
	}
	for i, name := range []string{"n1", "n2"} {
		n := &Node{Name: name, API: fmt.Sprintf("http://127.0.0.1:%d", ports[2+2*i]), PGPort: ports[3+2*i],
			dir: filepath.Join(dir, name)}
		if err := c.startNode(n, bin, ports[0]); err != nil {
			tb.Fatal(err)
		}
		c.Nodes = append(c.Nodes, n)
	}
	if err := c.waitStreaming(time.Minute); err != nil {
		tb.Fatalf("patroni: %v\n%s", err, c.logs())
	}
	if err := c.createDatabase(); err != nil {
		tb.Fatalf("patroni: create database %s: %v", Database, err)
	}
	return c
}

// lookup finds the binaries and the user to run them as, or skips (fails when required).
func lookup(tb testing.TB) (bin string, cred *syscall.Credential) {
	tb.Helper()
	var missing []string
	for _, name := range []string{"patroni", "etcd"} {
		if _, err := exec.LookPath(name); err != nil {
			missing = append(missing, name+" is not on the PATH")
		}
	}
	bin, err := pgtest.BinDir()
	if err != nil {
		missing = append(missing, err.Error())
	}
	if cred, err = pgtest.Credential(); err != nil {
		missing = append(missing, err.Error())
	}
	if len(missing) > 0 {
		msg := "patroni: " + strings.Join(missing, "; ") + " (apt-get install patroni etcd-server postgresql)"
		if os.Getenv(RequireEnv) == "" {
			tb.Skipf("%s; set %s=1 to make this a failure", msg, RequireEnv)
		}
		tb.Fatal(msg)
	}
	return bin, cred
}

// URL is a multi-host URL of Database on both nodes that connects only to the one that
// accepts writes (target_session_attrs=read-write), giving up on a node after 2 s.
func (c *Cluster) URL() string {
	hosts := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		hosts[i] = fmt.Sprintf("127.0.0.1:%d", n.PGPort)
	}
	q := url.Values{"target_session_attrs": {"read-write"}, "connect_timeout": {"2"}, "sslmode": {"disable"}}
	return "postgres://postgres@" + strings.Join(hosts, ",") + "/" + Database + "?" + q.Encode()
}

// URL is a URL of Database on this node alone.
func (n *Node) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=2", n.PGPort, Database)
}

// Dead reports whether KillLeader killed the node.
func (n *Node) Dead() bool { return n.dead }

// Leader is the node whose GET /primary answers 200, or nil when none does.
func (c *Cluster) Leader() *Node {
	for _, n := range c.Nodes {
		if !n.dead && n.status("/primary") == http.StatusOK {
			return n
		}
	}
	return nil
}

// Node is the node called name, or nil.
func (c *Cluster) Node(name string) *Node {
	for _, n := range c.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Members is GET /cluster from the first live node that answers it.
func (c *Cluster) Members() ([]Member, error) {
	var errs []string
	for _, n := range c.Nodes {
		if n.dead {
			continue
		}
		var body struct{ Members []Member }
		if err := n.getJSON("/cluster", &body); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		return body.Members, nil
	}
	return nil, fmt.Errorf("no node answers GET /cluster: %s", strings.Join(errs, "; "))
}

// KillLeader kills the leader's Patroni and its PostgreSQL (the postmaster and every
// backend) with SIGKILL, as a node dying, and returns it. It fails the test without a leader.
func (c *Cluster) KillLeader() *Node {
	c.tb.Helper()
	n := c.Leader()
	if n == nil {
		c.tb.Fatal("patroni: KillLeader: no leader")
	}
	c.mu.Lock()
	c.killedAt, c.killed = time.Now(), n.Name
	c.mu.Unlock()
	n.kill()
	return n
}

// KilledAt is when KillLeader last killed a node (zero before).
func (c *Cluster) KilledAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.killedAt
}

// WaitNewLeader waits up to timeout for a live node other than the one KillLeader killed
// to lead, and returns it; it fails the test when none does in time.
func (c *Cluster) WaitNewLeader(timeout time.Duration) *Node {
	c.tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if n := c.Leader(); n != nil && n.Name != c.killed {
			return n
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("patroni: no new leader within %s of the kill\n%s", timeout, c.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitStreaming waits until a leader's GET /patroni lists the other node as a streaming
// synchronous standby and GET /cluster names it sync_standby.
func (c *Cluster) waitStreaming(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	last := "no leader yet"
	for time.Now().Before(deadline) {
		for _, p := range append([]*process{c.etcd}, c.Nodes[0].patroni, c.Nodes[1].patroni) {
			if p.exited() {
				return fmt.Errorf("%s exited", p.name)
			}
		}
		if l := c.Leader(); l != nil {
			var st struct {
				Replication []struct {
					ApplicationName string `json:"application_name"`
					State           string `json:"state"`
					SyncState       string `json:"sync_state"`
				}
			}
			if err := l.getJSON("/patroni", &st); err == nil {
				last = fmt.Sprintf("leader %s, replication %+v", l.Name, st.Replication)
				for _, r := range st.Replication {
					if r.State == "streaming" && r.SyncState == "sync" && c.hasSyncStandby() {
						return nil
					}
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no synchronous standby streaming after %s (%s)", limit, last)
}

// hasSyncStandby reports whether GET /cluster names a sync_standby: Patroni has recorded
// it in etcd, so it may take over when the leader dies.
func (c *Cluster) hasSyncStandby() bool {
	ms, err := c.Members()
	for _, m := range ms {
		if m.Role == "sync_standby" && m.State == "running" {
			return err == nil
		}
	}
	return false
}

// createDatabase creates Database on the leader.
func (c *Cluster) createDatabase() error {
	l := c.Leader()
	if l == nil {
		return fmt.Errorf("no leader")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, strings.Replace(l.URL(), "/"+Database+"?", "/postgres?", 1))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err = conn.Exec(ctx, "CREATE DATABASE "+Database); err != nil {
		return err
	}
	// The standby has the commit once it is acknowledged, but may not have replayed it yet:
	// wait until every node has the database (pgx stops at a host without it, 3D000).
	for _, n := range c.Nodes {
		for {
			nc, err := pgx.Connect(ctx, n.URL())
			if err == nil {
				nc.Close(ctx)
				break
			}
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w", n.Name, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// status is the HTTP status of GET path on the node's REST API, 0 when it does not answer.
func (n *Node) status(path string) int {
	resp, err := apiClient.Get(n.API + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// getJSON decodes the body of GET path on the node's REST API (any status with a body).
func (n *Node) getJSON(path string, v any) error {
	resp, err := apiClient.Get(n.API + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

var apiClient = &http.Client{Timeout: 2 * time.Second}

// logs is the end of every process's log, for failure messages.
func (c *Cluster) logs() string {
	var b strings.Builder
	for _, f := range []string{"etcd.log", "n1/patroni.log", "n2/patroni.log"} {
		data, _ := os.ReadFile(filepath.Join(c.dir, f))
		if len(data) > 4000 {
			data = data[len(data)-4000:]
		}
		fmt.Fprintf(&b, "--- %s:\n%s\n", f, data)
	}
	return b.String()
}
