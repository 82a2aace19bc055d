package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/storetest"
)

// The Store port's conformance suite, against a real SQLite file per subtest. Each
// subtest's file is a copy of one migrated and closed database: opening it finds every
// migration applied, which keeps the suite quick under the race detector.
func TestConformance(t *testing.T) {
	template, _ := MustOpenDB(t)
	if err := template.Close(); err != nil {
		t.Fatal(err)
	}
	migrated, err := os.ReadFile(template.Path())
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, func(t *testing.T) incident.Store {
		path := filepath.Join(t.TempDir(), "incidentbot.db")
		if err := os.WriteFile(path, migrated, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
