package testenv

import (
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	_ "modernc.org/sqlite" // the driver the dump is loaded with
)

// ReleaseDatabase writes the last release's database (internal/sqlite/testdata/
// release-a1f2b9d.sql: commit a1f2b9d, schema version 15, 4 incidents, 425 events of all 46
// kinds, as `sqlite3 .dump` wrote it) to a new SQLite file, not migrated, and returns its
// path.
func ReleaseDatabase(tb testing.TB) string {
	tb.Helper()
	_, here, _, _ := runtime.Caller(0)
	dump, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "sqlite", "testdata", "release-a1f2b9d.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "release.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(string(dump)); err != nil {
		tb.Fatalf("load the release's dump: %v", err)
	}
	return path
}
