// Package pgtest gives tests a real PostgreSQL: one server per test process, started on the
// first New from Debian's postgresql binaries (initdb into a temporary directory, fsync off,
// no TCP listener: a unix socket in a directory only its owner can enter), and a fresh, empty
// database for every New.
//
// A package that uses it calls Main from its TestMain, which stops the server and removes its
// directory when the tests end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// The server also gets SIGQUIT from the kernel if the test process dies without reaching
// that (a panic, a timeout, SIGKILL), so no postgres outlives the tests.
//
// Without the binaries New skips the test, unless INCIDENTBOT_REQUIRE_POSTGRES is set (as CI
// does): then it fails. initdb and postgres refuse to run as root; as root they run as the
// postgres user the Debian package creates.
//
// Outside tests, Start gives a tool (such as tools/chaos) a server of its own, with
// CreateDatabase, URL and Stop.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// RequireEnv names the variable that turns a missing PostgreSQL from a skip into a failure.
const RequireEnv = "INCIDENTBOT_REQUIRE_POSTGRES"

var (
	mainCalled atomic.Bool
	startOnce  sync.Once
	srv        *server
	startErr   error // set once; a *missingError means skip (or fail when required)
	dbCount    atomic.Int64

	adminMu sync.Mutex
	admin   *pgx.Conn
)

// Main runs the tests of a package that uses New and then stops the server, if one was
// started, and removes its files. Call it from TestMain; it does not return.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain that has more to clean up: it runs the tests, stops the server
// and returns the exit code.
func Run(m *testing.M) int {
	mainCalled.Store(true)
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// New returns the URL of a new, empty database on the test process's server, starting the
// server on first use, and drops the database when the test ends. The URL reaches the server over its unix socket:
// postgres://postgres@/t_N?host=<dir>.
func New(tb testing.TB) string {
	tb.Helper()
	if !mainCalled.Load() {
		tb.Fatal("pgtest: call pgtest.Main(m) from the package's TestMain, so the server stops when the tests end")
	}
	startOnce.Do(func() { srv, startErr = start() })
	if startErr != nil {
		if _, missing := startErr.(*missingError); missing && os.Getenv(RequireEnv) == "" {
			tb.Skipf("pgtest: %v (set %s=1 to make this a failure)", startErr, RequireEnv)
		}
		tb.Fatalf("pgtest: %v", startErr)
	}
	name := fmt.Sprintf("t_%d", dbCount.Add(1))
	if err := adminExec(fmt.Sprintf("CREATE DATABASE %s", name)); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	// Dropped when the test ends (after the cleanups it registers later, such as closing a
	// pool), so a long suite does not fill the disk with one copy of template1 per test.
	tb.Cleanup(func() {
		if err := adminExec(fmt.Sprintf("DROP DATABASE %s WITH (FORCE)", name)); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return srv.url(name)
}

// adminExec runs one statement on the server's postgres database.
func adminExec(sql string) error {
	adminMu.Lock()
	defer adminMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if admin == nil || admin.IsClosed() {
		c, err := pgx.Connect(ctx, srv.url("postgres"))
		if err != nil {
			return err
		}
		admin = c
	}
	_, err := admin.Exec(ctx, sql)
	return err
}

// stop closes the admin connection and stops the server, if one was started.
func stop() error {
	adminMu.Lock()
	if admin != nil {
		admin.Close(context.Background())
		admin = nil
	}
	adminMu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.stop()
}

// url is a connection URL to database name over the server's socket.
func (s *server) url(name string) string {
	q := url.Values{"host": {s.dir}, "port": {"5432"}, "sslmode": {"disable"}}
	return "postgres://postgres@/" + name + "?" + q.Encode()
}
