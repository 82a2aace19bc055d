package incident_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// commitFails is a store whose next write transaction fails without committing, once
// armed: the bot dies between what an outside service did and its record of it.
type commitFails struct {
	incident.Store
	armed atomic.Bool
}

var errCrash = errors.New("the process died before the commit")

func (s *commitFails) Update(ctx context.Context, fn func(incident.Tx) error) error {
	if s.armed.CompareAndSwap(true, false) {
		return errCrash
	}
	return s.Store.Update(ctx, fn)
}

// spWorld is a system on the Statuspage fake with a P1 incident on intent-processing, its
// channel made; the outbox delivers one effect at a time, so that a failed commit is the
// status page's.
func spWorld(t *testing.T, opts ...testenv.Option) (*testenv.System, string) {
	sys := testenv.NewSystem(t, append([]testenv.Option{testenv.WithStatuspage()}, opts...)...)
	sys.Outbox.Workers = 1
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	return sys, sys.Incident(1).ChannelID
}

func spEffect(t *testing.T, sys *testenv.System) incident.Effect {
	t.Helper()
	for _, e := range sys.Effects(1) {
		if e.Kind == incident.EffectStatusPage {
			return e
		}
	}
	t.Fatal("no status_page effect")
	return incident.Effect{}
}

func published(sys *testenv.System) []string {
	var out []string
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventStatusPagePublished {
			out = append(out, e.Data.How+" "+e.Data.Outcome)
		}
	}
	return out
}

// A crash between Statuspage's 201 and the bot's commit: the retry finds the incident the
// dead attempt made by its marker, among the unresolved ones, keeps its id and adds nothing
// to it; there is one page incident with one update.
func TestStatuspageCreateThenCommitFails(t *testing.T) {
	sys, ch := spWorld(t)
	store := &commitFails{Store: sys.Store}
	sys.Outbox.Store = store
	sys.Statuspage.OnAnswer(func(r testenv.SPRequest) {
		if r.Method == "POST" && r.Status == 201 {
			store.armed.Store(true)
		}
	})
	sys.Do("U0ALICE", ch, "update --status-page Some requests fail.")
	sys.Deliver()
	if e := spEffect(t, sys); e.State != incident.EffectPending || e.Attempts != 1 || !strings.Contains(e.LastError, errCrash.Error()) {
		t.Fatalf("after the failed commit: %s, %d attempts, %q", e.State, e.Attempts, e.LastError)
	}
	if len(published(sys)) != 0 {
		t.Fatal("the failed commit kept the publication")
	}
	sys.Clock.Advance(time.Minute)
	sys.Deliver()

	incs := sys.Statuspage.Incidents()
	if len(incs) != 1 || len(incs[0].Updates) != 1 {
		t.Fatalf("%d page incidents (%+v), want one with one update", len(incs), incs)
	}
	if got := published(sys); !slices.Equal(got, []string{incident.StatusPageAdopted + " investigating"}) {
		t.Errorf("published %v, want the dead attempt's incident adopted", got)
	}
	var kept *incident.StatusPageIncident
	if err := sys.Store.View(sys.Ctx, func(tx incident.Tx) (err error) { kept, err = tx.StatusPageIncident(1); return err }); err != nil {
		t.Fatal(err)
	}
	if kept.ID != incs[0].ID {
		t.Errorf("kept %s, want %s", kept.ID, incs[0].ID)
	}
	// The next update goes to that incident.
	sys.Do("U0ALICE", ch, "mitigate")
	sys.Deliver()
	if incs := sys.Statuspage.Incidents(); len(incs) != 1 || !slices.Equal(sys.Statuspage.StatusHistory(incs[0].ID), []string{"investigating", "monitoring"}) {
		t.Errorf("after mitigate: %+v", incs)
	}
}

// The bot is killed after Statuspage created the incident, the effect left inflight: at
// the next start it is taken back, and the retry adopts that incident.
func TestStatuspageKilledAfterTheCreate(t *testing.T) {
	sys, ch := spWorld(t)
	sys.Do("U0ALICE", ch, "update --status-page Some requests fail.")
	var claimed []incident.Effect
	if err := sys.Store.Update(sys.Ctx, func(tx incident.Tx) (err error) {
		claimed, err = tx.ClaimEffects(sys.Clock.Now(), 10, time.Minute)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(claimed, func(e incident.Effect) bool { return e.Kind == incident.EffectStatusPage })
	if i < 0 {
		t.Fatalf("claimed %+v: no status_page effect", claimed)
	}
	inc := sys.Incident(1)
	// What the dead process did before it died: the create, as the outbox would have made it.
	if _, err := sys.Outbox.StatusPage.Publish(sys.Ctx, incident.StatusPageUpdate{Marker: "INC-1@" + incident.FormatTime(inc.DeclaredAt),
		Name: "Partial outage of intent-processing", Status: incident.PublicInvestigating, Body: "Some requests fail.",
		Components: map[string]incident.ComponentStatus{"intent-processing": incident.ComponentPartialOutage}}); err != nil {
		t.Fatal(err)
	}
	if err := sys.Store.Update(sys.Ctx, func(tx incident.Tx) error { _, err := tx.ReleaseInflight(); return err }); err != nil {
		t.Fatal(err)
	}
	sys.Deliver()
	incs := sys.Statuspage.Incidents()
	if len(incs) != 1 || len(incs[0].Updates) != 1 {
		t.Fatalf("%d page incidents (%+v), want the one the dead process made, with its one update", len(incs), incs)
	}
	if got := published(sys); !slices.Equal(got, []string{incident.StatusPageAdopted + " investigating"}) {
		t.Errorf("published %v", got)
	}
}

// A crash between Statuspage's 200 to an update and the bot's commit: the retry reads the
// incident, finds the update there, and does not add it twice.
func TestStatuspageUpdateThenCommitFails(t *testing.T) {
	sys, ch := spWorld(t)
	sys.Do("U0ALICE", ch, "update --status-page Some requests fail.")
	sys.Deliver()
	store := &commitFails{Store: sys.Store}
	sys.Outbox.Store = store
	sys.Statuspage.OnAnswer(func(r testenv.SPRequest) {
		if r.Method == "PATCH" && r.Status == 200 {
			store.armed.Store(true)
		}
	})
	sys.Do("U0ALICE", ch, "mitigate")
	sys.Deliver()
	sys.Clock.Advance(time.Minute)
	sys.Deliver()
	id := sys.Statuspage.Incidents()[0].ID
	if got := sys.Statuspage.StatusHistory(id); !slices.Equal(got, []string{"investigating", "monitoring"}) {
		t.Errorf("status history %v: the retried update was made twice", got)
	}
	if got := published(sys); !slices.Equal(got, []string{incident.StatusPageCreated + " investigating", incident.StatusPageUnchanged + " monitoring"}) {
		t.Errorf("published %v", got)
	}
}

// A 429 waits for its Retry-After, a 420 (Statuspage's other rate limit answer) too, and a
// 503 backs off; then the publication goes through, once.
func TestStatuspageRateLimitsAndOutages(t *testing.T) {
	sys, ch := spWorld(t)
	sys.Statuspage.Fail(testenv.Fault{Status: 429, RetryAfter: 7}, testenv.Fault{Status: 420, RetryAfter: 3}, testenv.Fault{Status: 503})
	sys.Do("U0ALICE", ch, "update --status-page Some requests fail.")
	start := sys.Clock.Now()
	sys.Deliver()
	e := spEffect(t, sys)
	if e.State != incident.EffectPending || !e.NextAttemptAt.Equal(start.Add(7*time.Second)) || !strings.Contains(e.LastError, "429") {
		t.Fatalf("after the 429: %s due %v (want %v), %q", e.State, e.NextAttemptAt, start.Add(7*time.Second), e.LastError)
	}
	sys.Clock.Advance(6 * time.Second)
	sys.Deliver()
	if n := len(sys.Statuspage.Requests()); n != 1 {
		t.Fatalf("%d requests before the Retry-After is over", n)
	}
	sys.Clock.Advance(time.Second)
	sys.Deliver()
	if e := spEffect(t, sys); !e.NextAttemptAt.Equal(sys.Clock.Now().Add(3*time.Second)) || !strings.Contains(e.LastError, "420") {
		t.Fatalf("after the 420: due %v, %q", e.NextAttemptAt, e.LastError)
	}
	sys.Clock.Advance(3 * time.Second)
	sys.Deliver() // the 503: backs off
	if e := spEffect(t, sys); e.State != incident.EffectPending || !strings.Contains(e.LastError, "503") {
		t.Fatalf("after the 503: %s %q", e.State, e.LastError)
	}
	sys.Clock.Advance(5 * time.Minute)
	sys.Deliver()
	if incs := sys.Statuspage.Incidents(); len(incs) != 1 || len(incs[0].Updates) != 1 {
		t.Fatalf("page incidents %+v, want one with one update", incs)
	}
	if e := spEffect(t, sys); e.State != incident.EffectDone || e.Attempts != 4 {
		t.Errorf("the effect is %s after %d attempts, want done after 4", e.State, e.Attempts)
	}
}

// Refusals retrying cannot mend fail for good, at once, and are said in the channel with
// what to fix; the API key is nowhere on the timeline or in the channel.
func TestStatuspageRefusalsAreReported(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(*config.Config)
		want string
	}{
		{"401", func(c *config.Config) { c.Statuspage.APIKey = "wrong-key-0123456789" },
			"I could not publish on the status page: Statuspage refused the API key (401: Could not authenticate): check STATUSPAGE_API_KEY"},
		{"404", func(c *config.Config) { c.Statuspage.PageID = "zzzzzzzzzzzz" },
			"I could not publish on the status page: Statuspage has no page zzzzzzzzzzzz for this API key (404: The requested resource could not be found.): check statuspage.page_id"},
		{"422", func(c *config.Config) { c.Statuspage.Components["intent-processing"] = "aaaaaaaaaaaa" },
			"I could not publish on the status page: Statuspage refused the incident (422: Component aaaaaaaaaaaa is not a component of this page): check statuspage.components"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys, ch := spWorld(t, testenv.WithConfig(tc.cfg))
			sys.Do("U0ALICE", ch, "update --status-page Some requests fail.")
			sys.Deliver()
			if e := spEffect(t, sys); e.State != incident.EffectFailed || e.Attempts != 1 {
				t.Errorf("the effect is %s after %d attempts, want failed after 1", e.State, e.Attempts)
			}
			var posted []string
			for _, m := range sys.Slack.Channel(ch).Messages {
				posted = append(posted, m.Text)
			}
			all := strings.Join(posted, "\n")
			if !strings.Contains(all, tc.want) {
				t.Errorf("the channel lacks %q:\n%s", tc.want, all)
			}
			for _, e := range sys.Events(1) {
				all += "\n" + e.DataJSON
			}
			for _, secret := range []string{testenv.StatuspageKey, "wrong-key-0123456789"} {
				if strings.Contains(all, secret) {
					t.Errorf("the API key is on the timeline or in the channel")
				}
			}
		})
	}
}

// Without statuspage: configured, a status page update is the built-in page's only: no
// effect is queued, and nothing fails.
func TestWithoutStatuspageTheBuiltInPageOnly(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	for _, cmd := range []string{"update --status-page Some requests fail.", "mitigate", "resolve fixed"} {
		if r := sys.Do("U0ALICE", ch, cmd); r.Error {
			t.Fatalf("%s: %s", cmd, r.Text)
		}
	}
	sys.Deliver()
	for _, e := range sys.Effects(1) {
		if e.Kind == incident.EffectStatusPage || e.State == incident.EffectFailed {
			t.Errorf("effect %s %s: %s", e.Kind, e.State, e.LastError)
		}
	}
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventStatusUpdate && e.Data.Outcome != string(incident.PublicInvestigating) {
			t.Errorf("the status page update records public status %q, want investigating", e.Data.Outcome)
		}
	}
}

// A confidential service added to a public incident is named on neither status page.
func TestConfidentialServiceStaysUnnamed(t *testing.T) {
	sys, ch := spWorld(t)
	if r := sys.Do("U0ALICE", ch, "service add payroll"); r.Error {
		t.Fatal(r.Text)
	}
	sys.Do("U0ALICE", ch, "update --status-page Some requests fail.")
	sys.Deliver()
	incs := sys.Statuspage.Incidents()
	if len(incs) != 1 || incs[0].Name != "Partial outage of intent-processing" {
		t.Fatalf("page incidents %+v", incs)
	}
	rec := httptest.NewRecorder()
	sys.App.Server.Mux.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	if page := rec.Body.String(); !strings.Contains(page, "<h2>Partial outage of intent-processing</h2>") {
		t.Errorf("the built-in page's title is not Statuspage's:\n%s", page)
	}
}
