package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	neturl "net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postgres"
)

// A server that takes no writes (a standby, or a demoted primary: SQLSTATE 25006) is the
// database being unavailable: the transaction runs again while its context leaves time,
// then fails with incident.Unavailable, and every connection that met it is closed, not
// handed out again.
func TestReadOnlyServerIsUnavailableAndItsConnectionsDropped(t *testing.T) {
	db, url := MustOpenDB(t)
	c := raw(t, url)
	// The same refusal a standby gives, naming the backend that gave it.
	for _, q := range []string{
		`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN
			RAISE EXCEPTION 'backend %', pg_backend_pid() USING ERRCODE = '25006'; END$$`,
		`CREATE TRIGGER refuse BEFORE INSERT ON seen FOR EACH ROW EXECUTE FUNCTION refuse()`,
	} {
		if _, err := c.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	var runs atomic.Int32
	var backends []string
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := db.Update(ctx, func(tx incident.Tx) error {
		runs.Add(1)
		_, err := tx.MarkSeen(fmt.Sprintf("k%d", runs.Load()), t0)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Message, "backend ") {
			backends = append(backends, strings.TrimPrefix(pgErr.Message, "backend "))
		}
		return err
	})
	took := time.Since(start)
	if incident.ErrorCode(err) != incident.EUNAVAILABLE || !strings.Contains(incident.ErrorMessage(err), "Try again in a few seconds") {
		t.Fatalf("err %v (code %s), want unavailable", err, incident.ErrorCode(err))
	}
	if took > 1200*time.Millisecond || runs.Load() < 2 {
		t.Errorf("%d runs in %s: want it run again while the context leaves 500 ms to answer", runs.Load(), took)
	}
	// Every backend that refused is gone: the pool closed its connection. (A backend exits
	// a moment after its client closed the connection: wait for that, up to 5 s.)
	var left int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := c.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE pid::text = ANY($1)`, backends).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(backends) == 0 || left != 0 {
		t.Errorf("backends %v that refused writes: %d still connected", backends, left)
	}
	// Writes work again once the server takes them (a new connection, the new primary).
	if _, err := c.Exec(context.Background(), `DROP TRIGGER refuse ON seen`); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(context.Background(), func(tx incident.Tx) error { _, err := tx.MarkSeen("after", t0); return err }); err != nil {
		t.Errorf("after the server takes writes again: %v", err)
	}
}

// A connection that breaks during COMMIT leaves its outcome unknown: the transaction is not
// run again, and the error says it may have been saved.
func TestConnectionLostMidCommitIsNotRunAgain(t *testing.T) {
	db, url := MustOpenDB(t)
	c := raw(t, url)
	// A deferred constraint trigger runs inside COMMIT; it names its backend and waits, so
	// the test can end that backend while the commit is under way.
	for _, q := range []string{
		`CREATE TABLE committing (pid int)`,
		`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN
			PERFORM pg_notify('committing', pg_backend_pid()::text); PERFORM pg_sleep(5); RETURN NULL; END$$`,
		`CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON seen DEFERRABLE INITIALLY DEFERRED
			FOR EACH ROW EXECUTE FUNCTION slow_commit()`,
	} {
		if _, err := c.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	killed := make(chan error, 1)
	go func() {
		// The backend in COMMIT is the one sleeping in pg_sleep.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			var n int
			err := c.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE wait_event = 'PgSleep' AND pid <> pg_backend_pid()`).Scan(&n)
			if err != nil || n > 0 {
				killed <- err
				return
			}
		}
		killed <- errors.New("no backend ever reached the slow commit")
	}()
	var runs atomic.Int32
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := db.Update(ctx, func(tx incident.Tx) error {
		runs.Add(1)
		_, err := tx.MarkSeen("k", t0)
		return err
	})
	if kerr := <-killed; kerr != nil {
		t.Fatal(kerr)
	}
	if incident.ErrorCode(err) != incident.EUNAVAILABLE || !strings.Contains(incident.ErrorMessage(err), "may or may not have been") {
		t.Fatalf("err %v (code %s), want unavailable mid-commit", err, incident.ErrorCode(err))
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("fn ran %d times, want once: an ambiguous commit must not run again", n)
	}
}

// The server's connections all break (the primary died) and nothing listens for a while:
// reads fail as unavailable within their deadline, the broken connections are not reused,
// and once the server is back the same DB reaches it by itself.
func TestBrokenConnectionsAreDroppedAndReplaced(t *testing.T) {
	_, url := MustOpenDB(t)
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	socket := u.Query().Get("host") + "/.s.PGSQL." + u.Query().Get("port")
	px := startProxy(t, "127.0.0.1:0", socket)
	tcp := fmt.Sprintf("postgres://postgres@%s%s?sslmode=disable", px.addr, u.Path)
	db, err := postgres.Open(context.Background(), tcp)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	view := func(d time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		return db.View(ctx, func(tx incident.Tx) error { _, err := tx.ReminderPosted("k"); return err })
	}
	if err := view(time.Second); err != nil {
		t.Fatal(err)
	}
	px.stop() // every connection reset, nothing listening
	start := time.Now()
	err = view(time.Second)
	if incident.ErrorCode(err) != incident.EUNAVAILABLE || time.Since(start) > 900*time.Millisecond {
		t.Fatalf("after %s: %v (code %s), want unavailable within the deadline", time.Since(start), err, incident.ErrorCode(err))
	}
	startProxy(t, px.addr, socket)
	if err := view(2 * time.Second); err != nil {
		t.Errorf("once the server is back: %v", err)
	}
}

// proxy forwards TCP connections to a unix socket, until stop resets them all.
type proxy struct {
	addr  string
	l     net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, addr, socket string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: l.Addr().String(), l: l}
	t.Cleanup(p.stop)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("unix", socket)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) stop() {
	p.l.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset, as from a dead host's kernel
		}
		c.Close()
	}
	p.conns = nil
}
