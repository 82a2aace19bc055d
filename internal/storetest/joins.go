package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The lookup an alert storm's triggers make: the open incident of a service, to join.
func joinCases() []testCase {
	return []testCase{
		{"OpenIncidentOf", openIncidentOf},
		{"CheckThenDeclareOpensOne", checkThenDeclareOpensOne},
	}
}

// withServices is minimalIncident n affecting services, the first as its own.
func withServices(n int, services ...string) *incident.Incident {
	inc := minimalIncident(n)
	inc.Service, inc.Services = services[0], services
	return inc
}

// OpenIncidentOf finds the latest declared open incident affecting the service (its own
// or one added later) declared at or after since; resolved incidents and drills are never
// found; nothing found is ENOTFOUND.
func openIncidentOf(t *testing.T, s incident.Store) {
	createIncident(t, s, withServices(1, "api-gateway")) // declared before the latest: not found
	latest := createIncident(t, s, withServices(2, "api-gateway"))
	resolved := withServices(3, "api-gateway")
	resolved.Status, resolved.ResolvedAt = incident.StatusResolved, at(4*time.Minute)
	createIncident(t, s, resolved)
	drill := withServices(4, "api-gateway")
	drill.Drill = true
	createIncident(t, s, drill)
	other := createIncident(t, s, withServices(5, "analytics"))
	added := createIncident(t, s, withServices(6, "intent-processing", "payments"))
	mitigated := withServices(7, "billing")
	mitigated.Status = incident.StatusMitigated
	mitigated = createIncident(t, s, mitigated)

	for _, c := range []struct {
		service string
		since   time.Time
		want    *incident.Incident // nil: ENOTFOUND
	}{
		{"api-gateway", at(0), latest},
		{"api-gateway", at(2 * time.Minute), latest}, // declared at since: found
		{"api-gateway", at(time.Minute), latest},
		{"api-gateway", at(2*time.Minute + time.Millisecond), nil}, // only the resolved one and the drill are later
		{"analytics", at(0), other},
		{"billing", at(0), mitigated}, // mitigated is still open
		{"payments", at(0), added},    // a service it affects besides its own
		{"intent-processing", at(0), added},
		{"payments", at(6*time.Minute + time.Millisecond), nil},
		{"no-such-service", at(0), nil},
	} {
		for _, write := range []bool{false, true} {
			var got *incident.Incident
			var err error
			fn := func(tx incident.Tx) error { got, err = tx.OpenIncidentOf(c.service, c.since); return nil }
			if write {
				update(t, s, fn)
			} else {
				view(t, s, fn)
			}
			if c.want == nil {
				wantCode(t, "OpenIncidentOf("+c.service+", "+c.since.Format(time.RFC3339Nano)+")", err, incident.ENOTFOUND)
				continue
			}
			if err != nil {
				t.Errorf("OpenIncidentOf(%s, %s): %v", c.service, c.since.Format(time.RFC3339Nano), err)
				continue
			}
			if got.ID != c.want.ID {
				t.Errorf("OpenIncidentOf(%s, %s) = incident %d, want %d", c.service, c.since.Format(time.RFC3339Nano), got.Number, c.want.Number)
			}
		}
	}
	// The incident found is read whole, services and all.
	view(t, s, func(tx incident.Tx) error {
		got, err := tx.OpenIncidentOf("billing", at(0))
		if err != nil {
			return err
		}
		wantNoDiff(t, "the incident OpenIncidentOf read", *readIncident(t, s, mitigated.ID), *got)
		return nil
	})
}

// Transactions that each look for the open incident of a service and declare one when
// there is none, all at once (triggers of one service on several replicas): exactly one
// incident is declared, and the others find it.
func checkThenDeclareOpensOne(t *testing.T, s incident.Store) {
	const n = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		declared int
	)
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			made := false
			err := s.Update(ctx, func(tx incident.Tx) error {
				made = false
				if _, err := tx.OpenIncidentOf("api-gateway", at(0)); incident.ErrorCode(err) != incident.ENOTFOUND {
					return err
				}
				num, err := tx.NextIncidentNumber()
				if err != nil {
					return err
				}
				made = true
				return tx.CreateIncident(withServices(num, "api-gateway"))
			})
			if err != nil {
				t.Errorf("a transaction failed: %v", err)
			}
			mu.Lock()
			if made {
				declared++
			}
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	var ids []int64
	view(t, s, func(tx incident.Tx) (err error) { ids, err = tx.IncidentIDs(); return err })
	if len(ids) != 1 || declared != 1 {
		t.Errorf("%d incidents (%d transactions declared one), want 1", len(ids), declared)
	}
}
