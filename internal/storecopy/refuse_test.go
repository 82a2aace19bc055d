package storecopy

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// A database that holds anything, a whole copy or one seen key, is refused, and stays as
// it was: nothing copied into it, nothing taken from it.
func TestMigrateRefusesADatabaseThatIsNotEmpty(t *testing.T) {
	path := loadRelease(t)
	t.Run("a copy already", func(t *testing.T) {
		url := pgtest.New(t)
		migrate(t, path, url)
		before := rowCounts(t, url)
		_, err := Migrate(ctx, path, url)
		var notEmpty *NotEmptyError
		if !errors.As(err, &notEmpty) || notEmpty.Rows["timeline_events"] != 425 || notEmpty.Rows["incidents"] != 4 {
			t.Fatalf("a second migrate into the copy: %v, want NotEmptyError naming 4 incidents and 425 events", err)
		}
		if !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "incidents: 4") {
			t.Errorf("error: %v", err)
		}
		if after := rowCounts(t, url); !reflect.DeepEqual(before, after) {
			t.Errorf("the refused migrate changed the database: %v, was %v", after, before)
		}
	})
	t.Run("one seen key", func(t *testing.T) {
		url := pgtest.New(t)
		db := openPostgres(t, url)
		update(t, db, func(tx incident.Tx) error { _, err := tx.MarkSeen("Ev0LONELY", t0); return err })
		_, err := Migrate(ctx, path, url)
		var notEmpty *NotEmptyError
		if !errors.As(err, &notEmpty) || !reflect.DeepEqual(notEmpty.Rows, map[string]int64{"seen": 1}) {
			t.Fatalf("migrate into a database with one seen key: %v, want NotEmptyError{seen: 1}", err)
		}
		counts := rowCounts(t, url)
		for table, n := range counts {
			want := map[string]int64{"seen": 1, "incident_numbering": 1, "schema_migrations": int64(postgres.LatestSchemaVersion())}[table]
			if n != want {
				t.Errorf("after the refusal %s holds %d rows, want %d", table, n, want)
			}
		}
	})
}

// --to takes only a postgres:// or postgresql:// URL, and the error does not repeat a
// password.
func TestMigrateRefusesAURLThatIsNotPostgres(t *testing.T) {
	path := loadRelease(t)
	for _, url := range []string{"", "mysql://root:hunter2@db/bot", "host=localhost dbname=bot password=hunter2",
		"sqlite:///var/lib/bot.db", "/var/lib/bot.db", "http://db:5432/bot"} {
		_, err := Migrate(ctx, path, url)
		if err == nil || !strings.Contains(err.Error(), "--to must be a PostgreSQL URL") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("--to %q: %v", url, err)
		}
	}
}

// The URLs the bot takes pass: one host or several, a unix socket directory, either scheme.
func TestCheckURLTakesWhatTheBotTakes(t *testing.T) {
	for _, url := range []string{"postgres://bot:s3cret@db.internal:5432/incidentbot?sslmode=verify-full",
		"postgres://h1:5432,h2:5433/incidentbot?target_session_attrs=read-write", "postgresql:///incidentbot?host=/run/postgresql"} {
		if err := CheckURL(url); err != nil {
			t.Errorf("%s: %v", url, err)
		}
	}
}

// A source that a newer binary migrated (a schema version past the plan's) is refused, as
// is one with a table or a column the plan does not copy; the target stays empty.
func TestMigrateRefusesASourceSchemaItDoesNotKnow(t *testing.T) {
	fresh := func(t *testing.T, stmt string) string {
		path := filepath.Join(t.TempDir(), "fresh.db")
		db := openSQLite(t, path)
		db.Close()
		return loadSQLInto(t, path, stmt)
	}
	for _, c := range []struct{ name, stmt, want string }{
		{"newer", `INSERT INTO schema_migrations (version, name, applied_at) VALUES (20, '0020_future.sql', '2027-01-01T00:00:00.000Z')`,
			"the database schema is at version 20, newer than this binary knows (19)"}, // refused by sqlite.Open
		{"extra table", `CREATE TABLE escalations (id INTEGER PRIMARY KEY)`, "its table escalations is not copied"},
		{"extra column", `ALTER TABLE effects ADD COLUMN region TEXT NOT NULL DEFAULT ''`, "its column effects.region is not copied"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := fresh(t, c.stmt)
			url := pgtest.New(t)
			_, err := Migrate(ctx, path, url)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("migrate: %v, want an error saying %q", err, c.want)
			}
			for table, n := range rowCounts(t, url) {
				if _, fixed := pgOnly[table]; n != 0 && !fixed {
					t.Errorf("after the refusal %s holds %d rows", table, n)
				}
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := Migrate(ctx, filepath.Join(t.TempDir(), "nothing.db"), "postgres://localhost/unused")
		if err == nil || !strings.Contains(err.Error(), "there is no SQLite database at") {
			t.Errorf("migrate from a file that does not exist: %v", err)
		}
	})
}

// The copy is all or nothing: a row PostgreSQL cannot hold (text with a NUL byte) in a late
// table fails the migration, naming the row, and leaves none of the earlier tables copied.
func TestMigrateCopiesAllOrNothing(t *testing.T) {
	path := loadRelease(t)
	openSQLite(t, path).Close()
	loadSQLInto(t, path, `INSERT INTO followups (id, incident_id, text, created_by, created_at)
		VALUES (99, 1, 'nul' || char(0) || 'byte', 'U0ALICE', '2026-12-01T15:00:00.000Z')`)
	url := pgtest.New(t)
	_, err := Migrate(ctx, path, url)
	if err == nil || !strings.Contains(err.Error(), "followups (id=99): column text holds text with a NUL byte") {
		t.Fatalf("migrate: %v, want an error naming follow-up 99", err)
	}
	for table, n := range rowCounts(t, url) {
		if _, fixed := pgOnly[table]; n != 0 && !fixed {
			t.Errorf("after the failed copy %s holds %d rows", table, n)
		}
	}
}

// The source is read in one snapshot: what serve writes to it while the copy runs (here a
// new incident with its events, written after the incidents were copied and before the
// events are) is not copied, and what is copied is whole and compares equal.
func TestMigrateCopiesOneSnapshot(t *testing.T) {
	path := loadRelease(t)
	live := openSQLite(t, path)
	wrote := false
	testHook = func(table string) {
		if table != "incidents" || wrote {
			return
		}
		wrote = true
		svc := incident.NewService(incident.ServiceConfig{Store: live})
		if _, err := svc.Declare(ctx, incident.DeclareRequest{Actor: "U0ALICE", Title: "during the copy", Severity: incident.P3}); err != nil {
			t.Errorf("declare during the copy: %v", err)
		}
	}
	defer func() { testHook = nil }()
	url := pgtest.New(t)
	rep := migrate(t, path, url)
	if !wrote || rep.Rows("incidents") != 4 || rep.Rows("timeline_events") != 425 {
		t.Errorf("wrote during the copy: %v; copied %s, want the 4 incidents and 425 events of before", wrote, rep.Summary())
	}
	var ids []int64
	view(t, live, func(tx incident.Tx) (err error) { ids, err = tx.IncidentIDs(); return err })
	if len(ids) != 5 {
		t.Errorf("the source holds %d incidents, want 5 (the declaration committed)", len(ids))
	}
}

// A row written to the target between the commit and the recount (another process that
// should not be there) makes the counts differ: Migrate says so, with the report of what it
// committed.
func TestMigrateRecountsAfterTheCommit(t *testing.T) {
	path := loadRelease(t)
	url := pgtest.New(t)
	testHook = func(after string) {
		if after == "commit" {
			update(t, openPostgres(t, url), func(tx incident.Tx) error { _, err := tx.MarkSeen("Ev0INTRUDER", t0); return err })
		}
	}
	defer func() { testHook = nil }()
	rep, err := Migrate(ctx, path, url)
	if err == nil || rep == nil || rep.Rows("seen") != 69 || !strings.Contains(err.Error(), "seen: 69 copied, 70 on PostgreSQL") {
		t.Fatalf("migrate with a writer after the commit: report %v, error %v", rep, err)
	}
}
