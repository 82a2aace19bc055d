package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/testenv/child"
)

// BinEnv names a variable that, when set, is the directory of initdb and postgres.
const BinEnv = "INCIDENTBOT_POSTGRES_BIN"

// missingError says PostgreSQL cannot run here: no binaries, or no user to run them as.
type missingError struct{ reason string }

func (e *missingError) Error() string { return e.reason }

// server is the running postmaster.
type server struct {
	dir    string // owned by the server's user: data/, the socket, postgres.log
	cmd    *exec.Cmd
	exited <-chan struct{} // closed when the postmaster has exited
	cred   *syscall.Credential
}

// start finds the binaries, initializes a cluster in a new temporary directory and starts
// the postmaster on a unix socket in it.
func start() (*server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempBase(cred), "incidentbot-pgtest-")
	if err != nil {
		return nil, err
	}
	none := make(chan struct{})
	close(none) // nothing runs yet
	s := &server{dir: dir, cred: cred, exited: none}
	ok := false
	defer func() {
		if !ok {
			s.stop()
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := s.command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, bytes.TrimSpace(out))
	}
	log, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	s.cmd = s.command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir,
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB")
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.launch(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if err := s.waitReady(30 * time.Second); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// tempBase is where the server's directory goes: $TMPDIR, unless the server runs as another
// user (who may not be able to enter it) or the socket's path would pass the kernel's limit
// of 107 bytes; then /tmp.
func tempBase(cred *syscall.Credential) string {
	base := os.TempDir()
	if cred != nil || len(base)+len("/incidentbot-pgtest-0123456789/.s.PGSQL.5432") > 100 {
		return "/tmp"
	}
	return base
}

// command runs a PostgreSQL binary as the server's user, in its directory, with a
// predictable locale and none of the caller's PG* variables.
func (s *server) command(path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = s.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "HOME=" + s.dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	return cmd
}

// launch starts the postmaster so that it gets SIGQUIT (immediate shutdown, children
// included) if the test process dies (package child).
func (s *server) launch() error {
	s.cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	exited, err := child.Start(s.cmd)
	if err != nil {
		return err
	}
	s.exited = exited
	return nil
}

// waitReady connects until the server answers, it exits, or the time is up.
func (s *server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, s.url("postgres"))
		cancel()
		if err == nil {
			c.Close(context.Background())
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited: %s", s.logTail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after %s: %v: %s", limit, err, s.logTail())
		}
	}
}

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(bytes.TrimSpace(b))
}

// stop shuts the postmaster down (fast shutdown, then SIGKILL after 10 s) and removes the
// directory.
func (s *server) stop() error {
	var errs []error
	if s.cmd != nil && s.cmd.Process != nil {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-s.exited:
			case <-time.After(10 * time.Second):
				s.cmd.Process.Kill()
				<-s.exited
				errs = append(errs, errors.New("postgres did not stop within 10s of SIGINT; killed it"))
			}
		}
	}
	if err := os.RemoveAll(s.dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// binDir finds the directory holding initdb and postgres: $INCIDENTBOT_POSTGRES_BIN, else
// pg_config --bindir, else where postgres on the PATH really is, else the newest
// /usr/lib/postgresql/*/bin.
func binDir() (string, error) {
	var candidates []string
	if d := os.Getenv(BinEnv); d != "" {
		candidates = append(candidates, d)
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(real))
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	candidates = append(candidates, dirs...)
	for _, d := range candidates {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", &missingError{"no PostgreSQL binaries (initdb, postgres) in $" + BinEnv +
		", pg_config --bindir, the PATH or /usr/lib/postgresql/*/bin: apt-get install postgresql"}
}

// version is the major version in /usr/lib/postgresql/<version>/bin.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// credential is nil when the tests run as an ordinary user, and the postgres user's when
// they run as root (initdb and postgres refuse root).
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, &missingError{"the tests run as root and there is no postgres user to run PostgreSQL as (the postgresql package creates it)"}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil || uid == 0 {
		return nil, fmt.Errorf("user postgres has uid %q, gid %q: want a non-root numeric one", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// BinDir is the directory of PostgreSQL's initdb and postgres, found as the package's own
// server finds it (for harnesses that start PostgreSQL another way, such as under Patroni).
func BinDir() (string, error) { return binDir() }

// Credential is the user to run PostgreSQL as: nil for an ordinary user, the postgres user's
// when the caller is root.
func Credential() (*syscall.Credential, error) { return credential() }
