// Package pgbouncer puts a real PgBouncer (Debian's pgbouncer package) in transaction
// pooling in front of the pgtest server, for tests that the PostgreSQL store keeps no
// session state: each transaction may run on another server connection, as behind the
// PgBouncer of a production deployment.
//
// Without the binary, Start skips the test, unless INCIDENTBOT_REQUIRE_PGBOUNCER is set
// (as CI sets it); then it fails.
package pgbouncer

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/testenv/child"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// RequireEnv names the variable that turns a missing pgbouncer into a failure.
const RequireEnv = "INCIDENTBOT_REQUIRE_PGBOUNCER"

// PoolSize is how many server connections PgBouncer keeps per database: fewer than the
// store's pool, so that transactions of one client really move between server connections.
const PoolSize = 2

// Bouncer is a running PgBouncer.
type Bouncer struct {
	port int
}

// Start starts a PgBouncer in transaction pooling in front of the pgtest server that
// serverURL (a pgtest.New URL) is on, for every database on it, and stops it when the test
// ends.
func Start(tb testing.TB, serverURL string) *Bouncer {
	tb.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		bin = "/usr/sbin/pgbouncer"
		if _, serr := os.Stat(bin); serr != nil {
			if os.Getenv(RequireEnv) == "" {
				tb.Skipf("pgbouncer: no pgbouncer on the PATH or in /usr/sbin: apt-get install pgbouncer (set %s=1 to make this a failure)", RequireEnv)
			}
			tb.Fatalf("pgbouncer: not installed (apt-get install pgbouncer), and %s is set", RequireEnv)
		}
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		tb.Fatal(err)
	}
	socketDir, port := u.Query().Get("host"), u.Query().Get("port")
	cred, err := pgtest.Credential() // pgbouncer, like postgres, refuses to run as root
	if err != nil {
		tb.Fatal(err)
	}
	dir, err := os.MkdirTemp("/tmp", "incidentbot-pgbouncer-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	b := &Bouncer{port: freePort(tb)}
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = %d
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
server_reset_query =
logfile = %s
pidfile = %s
`, socketDir, port, b.port, PoolSize, filepath.Join(dir, "pgbouncer.log"), filepath.Join(dir, "pgbouncer.pid"))
	path := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(path, []byte(ini), 0o644); err != nil {
		tb.Fatal(err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			tb.Fatal(err)
		}
	}
	cmd := exec.Command(bin, path)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	exited, err := child.Start(cmd) // SIGKILLed if the test process dies
	if err != nil {
		tb.Fatalf("pgbouncer: start: %v", err)
	}
	tb.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	if err := b.waitReady(u.Path[1:], exited); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
		tb.Fatalf("pgbouncer: %v\n%s", err, log)
	}
	return b
}

// URL is the URL of the database that serverURL names, reached through PgBouncer.
func (b *Bouncer) URL(serverURL string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d%s?sslmode=disable", b.port, u.Path)
}

// waitReady connects through PgBouncer until a query answers, PgBouncer exits, or ten
// seconds pass.
func (b *Bouncer) waitReady(db string, exited <-chan struct{}) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, b.URL("/"+db))
		if err == nil {
			err = c.Ping(ctx)
			c.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before it answered: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer after 10 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freePort is a loopback TCP port nothing listens on now.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
