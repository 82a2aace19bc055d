package sqlite_test

import (
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storetest"
)

// The Store port's conformance suite, against a real SQLite file per subtest.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) incident.Store {
		db, _ := MustOpenDB(t)
		return db
	})
}
