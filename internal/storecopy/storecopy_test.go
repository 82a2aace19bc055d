package storecopy

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

// loadRelease writes the last release's database (schema version 15: 4 incidents, 425
// events of all 46 kinds) to a new file and returns its path.
func loadRelease(t testing.TB) string { return testenv.ReleaseDatabase(t) }

// loadSQL writes a new SQLite file from SQL statements, without migrating it.
func loadSQL(t testing.TB, stmts string) string {
	t.Helper()
	return loadSQLInto(t, filepath.Join(t.TempDir(), "source.db"), stmts)
}

// loadSQLInto runs SQL statements on the SQLite file at path and returns the path.
func loadSQLInto(t testing.TB, path, stmts string) string {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(stmts); err != nil {
		t.Fatalf("load the SQL: %v", err)
	}
	return path
}

// rawWriter opens the SQLite file at path with database/sql, to write rows the store would
// not (closed when the test ends).
func rawWriter(t testing.TB, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// openSQLite opens the SQLite store at path, closed when the test ends.
func openSQLite(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openPostgres opens the PostgreSQL store at url, closed when the test ends.
func openPostgres(t testing.TB, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// migrate runs Migrate and fails the test if it fails.
func migrate(t testing.TB, path, url string) *Report {
	t.Helper()
	rep, err := Migrate(ctx, path, url)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return rep
}

// rowCounts counts the rows of every table of the PostgreSQL database at url.
func rowCounts(t testing.TB, url string) map[string]int64 {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, name := range names {
		var n int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{name}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

// update runs fn in one write transaction of s and fails the test if it fails.
func update(t testing.TB, s incident.Store, fn func(incident.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// view runs fn in one read transaction of s and fails the test if it fails.
func view(t testing.TB, s incident.Store, fn func(incident.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatalf("view: %v", err)
	}
}

// t0 is a time to the millisecond, in UTC, as the domain stamps.
var t0 = time.Date(2026, 12, 1, 15, 0, 0, 123_000_000, time.UTC)
