package pgtest_test

import (
	"context"
	neturl "net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// Each New is a fresh database on one server: a table made in one is absent from the other.
func TestNewDatabasesAreSeparate(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	a := pgtest.New(t)
	t.Logf("first database (server start included) in %s", time.Since(start))
	start = time.Now()
	b := pgtest.New(t)
	t.Logf("second database in %s", time.Since(start))
	if a == b {
		t.Fatalf("two calls gave the same database %s", a)
	}
	if !strings.HasPrefix(a, "postgres://") {
		t.Errorf("URL %q is not a postgres:// URL", a)
	}
	ca, cb := connect(t, a), connect(t, b)
	if _, err := ca.Exec(ctx, `CREATE TABLE notes (id int PRIMARY KEY, text text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Exec(ctx, `INSERT INTO notes VALUES (1, 'in a')`); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := ca.QueryRow(ctx, `SELECT text FROM notes WHERE id = 1`).Scan(&text); err != nil || text != "in a" {
		t.Fatalf("read back %q, %v", text, err)
	}
	var n int
	if err := cb.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'notes'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the second database has %d tables named notes (%v), want none", n, err)
	}
	var dbs int
	if err := ca.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname LIKE 't\_%'`).Scan(&dbs); err != nil || dbs < 2 {
		t.Fatalf("%d test databases on the server (%v), want at least 2", dbs, err)
	}
}

// The server runs with the settings the package promises: no TCP listener, no fsync, and
// never as root.
func TestServerSettings(t *testing.T) {
	ctx := context.Background()
	c := connect(t, pgtest.New(t))
	for setting, want := range map[string]string{"listen_addresses": "", "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"} {
		var got string
		if err := c.QueryRow(ctx, `SELECT current_setting($1)`, setting).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", setting, got, err, want)
		}
	}
	var pid int
	if err := c.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat("/proc/" + itoa(pid))
	if err != nil {
		t.Skipf("cannot see the backend's process: %v", err)
	}
	if uid := statUID(fi); uid == 0 {
		t.Errorf("the backend %d runs as root", pid)
	}
}

// A test process that ends, however it ends, leaves no postgres behind: a child test binary
// that starts a server and then exits without running Main's shutdown (os.Exit from the
// test) takes its server with it.
func TestNoServerOutlivesTheProcess(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") != "" {
		url := pgtest.New(t)
		os.Stdout.WriteString("URL " + url + "\n")
		os.Exit(3) // no cleanup, no Main epilogue
	}
	if testing.Short() {
		t.Skip("starts a second server")
	}
	pgtest.New(t) // skips here when there is no PostgreSQL, fails when it is required
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoServerOutlivesTheProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PGTEST_CHILD=1")
	out, _ := cmd.CombinedOutput()
	var url string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "URL ") {
			url = strings.TrimPrefix(line, "URL ")
		}
	}
	if url == "" {
		t.Fatalf("the child printed no URL:\n%s", out)
	}
	u, err := neturl.Parse(url)
	if err != nil || !strings.Contains(u.Query().Get("host"), "incidentbot-pgtest-") {
		t.Fatalf("URL %s: %v", url, err)
	}
	t.Cleanup(func() { os.RemoveAll(u.Query().Get("host")) }) // the child could not remove it
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, url)
		cancel()
		if err != nil {
			return // the child's server is gone
		}
		c.Close(context.Background())
		if time.Now().After(deadline) {
			t.Fatalf("the server of an exited test process still answers at %s", url)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A test's database is dropped when the test ends, its connections closed or not.
func TestDatabaseIsDroppedWhenTheTestEnds(t *testing.T) {
	var url string
	t.Run("user", func(t *testing.T) {
		url = pgtest.New(t)
		c := connect(t, url)
		if _, err := c.Exec(context.Background(), `CREATE TABLE left_behind (id int)`); err != nil {
			t.Fatal(err)
		}
		leaked, err := pgx.Connect(context.Background(), url) // never closed by the test
		if err != nil {
			t.Fatal(err)
		}
		_ = leaked
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err == nil {
		c.Close(ctx)
		t.Fatalf("the database of an ended test still accepts connections at %s", url)
	}
	if !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("connecting to an ended test's database: %v, want it not to exist", err)
	}
}

// Start outside a test gives a server of its own: a database made on it is reachable, and
// Stop removes the server's directory.
func TestStartOutsideATest(t *testing.T) {
	if _, err := pgtest.BinDir(); err != nil && os.Getenv(pgtest.RequireEnv) == "" {
		t.Skip(err)
	}
	s, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	if _, err := s.CreateDatabase("bad-name; DROP"); err == nil {
		t.Error("CreateDatabase took a name that needs quoting")
	}
	url, err := s.CreateDatabase("chaos")
	if err != nil {
		t.Fatal(err)
	}
	if url != s.URL("chaos") {
		t.Errorf("CreateDatabase gave %s, URL gives %s", url, s.URL("chaos"))
	}
	var one int
	if err := connect(t, url).QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 on the new database: %d %v", one, err)
	}
	u, _ := neturl.Parse(url)
	dir := u.Query().Get("host")
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the server's directory %s is still there after Stop: %v", dir, err)
	}
}
