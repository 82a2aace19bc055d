package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/storetest"
)

// migrateAhead records, beside the store, a migration one past this binary's, as a newer
// release opening the same file would.
func migrateAhead(t *testing.T, path string) func() {
	return func() {
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at)
			SELECT max(version) + 1, 'from_a_newer_release.sql', '2027-01-01T00:00:00.000Z' FROM schema_migrations`); err != nil {
			t.Fatal(err)
		}
	}
}

// The background work's rules (duties, standing down) on SQLite.
func TestBackground(t *testing.T) {
	storetest.RunBackground(t, func(t *testing.T) (storetest.Backend, func()) {
		db, path := MustOpenDB(t)
		return db, migrateAhead(t, path)
	})
}

// A file that a newer release migrated is refused at open, saying so, and left as it was.
func TestOpenRefusesADatabaseANewerReleaseMigrated(t *testing.T) {
	db, path := MustOpenDB(t)
	v, err := db.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	migrateAhead(t, path)()
	_, err = sqlite.Open(context.Background(), path)
	var tooNew *incident.SchemaTooNewError
	if !errors.As(err, &tooNew) || tooNew.Database != v+1 || tooNew.Binary != v {
		t.Fatalf("open: %v, want a SchemaTooNewError at %d over %d", err, v+1, v)
	}
}
