package postgres_test

import (
	"context"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/storetest"
	"github.com/nephoran/incidentbot/internal/testenv/pgbouncer"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// Behind a real PgBouncer in transaction pooling, with fewer server connections than the
// store's pool (so one client's transactions move between them), the store passes the
// whole conformance suite and the background work's rules: it keeps no session state (no
// session advisory lock, no named prepared statement, no LISTEN).
func TestBehindPgBouncerInTransactionPooling(t *testing.T) {
	bouncer := pgbouncer.Start(t, pgtest.New(t))
	open := func(t *testing.T) (*postgres.DB, string) {
		direct := pgtest.New(t)
		db, err := postgres.Open(context.Background(), bouncer.URL(direct))
		if err != nil {
			t.Fatalf("open through PgBouncer: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db, direct
	}
	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) incident.Store { db, _ := open(t); return db })
	})
	t.Run("Background", func(t *testing.T) {
		storetest.RunBackground(t, func(t *testing.T) (storetest.Backend, func()) {
			db, direct := open(t)
			return db, func() {
				if _, err := raw(t, direct).Exec(context.Background(), `INSERT INTO schema_migrations (version, name, applied_at)
					SELECT max(version) + 1, 'from_a_newer_release.sql', '' FROM schema_migrations`); err != nil {
					t.Fatal(err)
				}
			}
		})
	})
	t.Run("TwoReplicasOneDuty", func(t *testing.T) {
		a, direct := open(t)
		b, err := postgres.Open(context.Background(), bouncer.URL(direct))
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		inPass, release := make(chan struct{}), make(chan struct{})
		done := make(chan error)
		go func() {
			_, err := a.Duty(context.Background(), incident.DutyFollowupSync, func(context.Context) error {
				close(inPass)
				<-release
				return nil
			})
			done <- err
		}()
		<-inPass
		if ran, err := b.Duty(context.Background(), incident.DutyFollowupSync, func(context.Context) error { return nil }); ran || err != nil {
			t.Errorf("b while a holds the duty: ran %v, %v; want skipped", ran, err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Error(err)
		}
		if ran, err := b.Duty(context.Background(), incident.DutyFollowupSync, func(context.Context) error { return nil }); !ran || err != nil {
			t.Errorf("b after a's pass: ran %v, %v", ran, err)
		}
	})
}
