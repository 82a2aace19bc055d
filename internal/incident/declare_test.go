package incident_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// The same person sending the same declaration again within 30 s (a double click, a form
// sent twice, 50 submissions at once) gets one incident, and is pointed at it.
func TestRepeatedDeclarationOpensOneIncident(t *testing.T) {
	sys := testenv.NewSystem(t)
	req := incident.DeclareRequest{Actor: "U0ALICE", Title: "checkout down", Severity: incident.P1}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		opened   int
		refusals []string
	)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := sys.Service.Declare(sys.Ctx, req)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				opened++
			} else {
				refusals = append(refusals, incident.ErrorMessage(err))
			}
		}()
	}
	wg.Wait()
	if opened != 1 || len(refusals) != 49 {
		t.Fatalf("%d incidents opened, %d refused; want 1 and 49", opened, len(refusals))
	}
	if want := "You declared INC-1 with this title 0s ago (its channel is being created)."; !strings.HasPrefix(refusals[0], want) {
		t.Errorf("refusal %q, want it to start with %q", refusals[0], want)
	}

	sys.Deliver()
	sys.Clock.Advance(12 * time.Second)
	req.Title = "Checkout DOWN"
	_, err := sys.Service.Declare(sys.Ctx, req)
	if want := "You declared INC-1 with this title 12s ago (its channel is #" + sys.Incident(1).ChannelName + ")"; err == nil || !strings.HasPrefix(incident.ErrorMessage(err), want) {
		t.Errorf("second declaration: %v, want %q", err, want)
	}

	// Someone else, another title, or the same one after the window: new incidents.
	for _, r := range []incident.DeclareRequest{
		{Actor: "U0BOB", Title: "checkout down", Severity: incident.P1},
		{Actor: "U0ALICE", Title: "payments down", Severity: incident.P1},
	} {
		if _, err := sys.Service.Declare(sys.Ctx, r); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	sys.Clock.Advance(incident.RepeatWindow)
	if _, err := sys.Service.Declare(sys.Ctx, req); err != nil {
		t.Errorf("after the window: %v", err)
	}
}
