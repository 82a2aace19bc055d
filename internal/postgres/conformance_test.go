package postgres_test

import (
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storetest"
)

// The Store port's conformance suite, the same one SQLite passes, against a fresh
// database on the real PostgreSQL server for each subtest.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) incident.Store {
		db, _ := MustOpenDB(t)
		return db
	})
}
