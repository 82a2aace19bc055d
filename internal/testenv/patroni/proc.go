package patroni

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv/child"
)

// process is a child of the test process: etcd or a node's Patroni.
type process struct {
	name string
	cmd  *exec.Cmd
	done <-chan struct{} // closed when it has exited
}

// launch starts path as the cluster's user, with its output in logFile; it gets SIGKILL if
// the test process dies (package child).
func (c *Cluster) launch(name, logFile, dir string, path string, args ...string) (*process, error) {
	log, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "HOME=" + dir}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGKILL}
	done, err := child.Start(cmd)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	return &process{name: name, cmd: cmd, done: done}, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits for the exit.
func (p *process) kill() {
	if p == nil {
		return
	}
	p.cmd.Process.Kill()
	<-p.done
}

// startEtcd starts a one-member etcd on the client and peer ports. A short heartbeat and
// election timeout let it lead at once and keep its smallest lease TTL (1.5 elections'
// worth of heartbeats) under Patroni's ttl.
func (c *Cluster) startEtcd(client, peer int) (*process, error) {
	dir := filepath.Join(c.dir, "etcd")
	if err := c.mkdir(dir); err != nil {
		return nil, err
	}
	cu, pu := fmt.Sprintf("http://127.0.0.1:%d", client), fmt.Sprintf("http://127.0.0.1:%d", peer)
	p, err := c.launch("etcd", filepath.Join(c.dir, "etcd.log"), dir, "etcd",
		"--name", "e1", "--data-dir", filepath.Join(dir, "data"),
		"--listen-client-urls", cu, "--advertise-client-urls", cu,
		"--listen-peer-urls", pu, "--initial-advertise-peer-urls", pu,
		"--initial-cluster", "e1="+pu, "--initial-cluster-state", "new",
		"--heartbeat-interval", "50", "--election-timeout", "500", "--unsafe-no-fsync")
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := apiClient.Get(cu + "/health")
		if err == nil {
			var h struct{ Health string }
			json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			if h.Health == "true" {
				return p, nil
			}
		}
		if p.exited() || time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(c.dir, "etcd.log"))
			return nil, fmt.Errorf("etcd did not become healthy: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startNode writes n's Patroni configuration and starts it.
func (c *Cluster) startNode(n *Node, bin string, etcdPort int) error {
	if err := c.mkdir(n.dir); err != nil {
		return err
	}
	api := strings.TrimPrefix(n.API, "http://")
	pg := fmt.Sprintf("127.0.0.1:%d", n.PGPort)
	cfg := map[string]any{
		"scope": "incidentbot", "name": n.Name,
		"restapi": map[string]any{"listen": api, "connect_address": api},
		"etcd3":   map[string]any{"hosts": []string{fmt.Sprintf("127.0.0.1:%d", etcdPort)}, "protocol": "http"},
		"bootstrap": map[string]any{
			"dcs": map[string]any{
				"ttl": Timing.TTL, "loop_wait": Timing.LoopWait, "retry_timeout": Timing.RetryTimeout,
				// A commit is acknowledged once the standby has it: a failover loses none.
				"synchronous_mode": true,
				"postgresql": map[string]any{"use_pg_rewind": false, "use_slots": true, "parameters": map[string]any{
					"wal_level": "replica", "hot_standby": "on", "max_wal_senders": 5, "max_replication_slots": 5,
					"wal_keep_size": "64MB", "max_connections": 100, "fsync": "off", "full_page_writes": "off",
				}},
			},
			"initdb": []any{map[string]string{"encoding": "UTF8"}, map[string]string{"locale": "C"}},
			"pg_hba": []string{"local all all trust", "host all all 127.0.0.1/32 trust", "host replication all 127.0.0.1/32 trust"},
		},
		"postgresql": map[string]any{
			"listen": pg, "connect_address": pg,
			"data_dir": filepath.Join(n.dir, "data"), "bin_dir": bin, "pgpass": filepath.Join(n.dir, "pgpass"),
			"authentication": map[string]any{
				"superuser":   map[string]string{"username": "postgres"},
				"replication": map[string]string{"username": "replicator", "password": "replicator"},
			},
			"parameters": map[string]any{"unix_socket_directories": n.dir},
		},
	}
	data, err := json.MarshalIndent(cfg, "", "  ") // JSON is YAML
	if err != nil {
		return err
	}
	file := filepath.Join(n.dir, "patroni.yml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return err
	}
	n.patroni, err = c.launch("patroni "+n.Name, filepath.Join(n.dir, "patroni.log"), n.dir, "patroni", file)
	return err
}

// mkdir makes dir, owned by the cluster's user.
func (c *Cluster) mkdir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	if c.cred != nil {
		return os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid))
	}
	return nil
}

// kill kills the node's Patroni, then its PostgreSQL: the postmaster leads a session and
// process group of its own (Patroni starts it so), which every backend is in.
func (n *Node) kill() {
	n.dead = true
	n.patroni.kill()
	pidFile := filepath.Join(n.dir, "data", "postmaster.pid")
	pid := postmasterPID(pidFile)
	if pid <= 0 {
		return
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
	os.Remove(pidFile) // so no one kills another process that reuses the number
	for deadline := time.Now().Add(5 * time.Second); alive(pid) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}

// postmasterPID reads the first line of a postmaster.pid, 0 when there is none.
func postmasterPID(file string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

// alive reports whether pid runs and is not a zombie (PID 1 of a container may not reap).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] != 'Z'
}

// stop kills everything and removes the directory.
func (c *Cluster) stop() {
	for _, n := range c.Nodes {
		if !n.dead {
			n.kill()
		}
	}
	c.etcd.kill()
	if err := os.RemoveAll(c.dir); err != nil {
		c.tb.Errorf("patroni: %v", err)
	}
}

// startWatchdog starts a shell that, when the test process dies (its stdin reaches EOF),
// kills the PostgreSQL servers still running in dir and removes it. Patroni starts each
// postmaster in a session of its own, out of reach of the parent-death signal. The shell
// checks that a pid file names a postgres before it kills it and its process group (dash's
// kill takes no "--": a negative pid after a positive one is a process group).
func startWatchdog(dir string) (io.Closer, error) {
	const script = `cat >/dev/null
[ -d "$1" ] || exit 0
for f in "$1"/n*/data/postmaster.pid; do
  [ -f "$f" ] || continue
  p=$(head -n 1 "$f")
  [ -n "$p" ] && [ "$(cat /proc/$p/comm 2>/dev/null)" = postgres ] && kill -KILL "$p" "-$p" 2>/dev/null
done
rm -rf "$1"`
	cmd := exec.Command("/bin/sh", "-c", script, "watchdog", dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // not killed with the test's terminal group
	w, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go cmd.Wait()
	return w, nil
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(tb testing.TB, n int) []int {
	tb.Helper()
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
