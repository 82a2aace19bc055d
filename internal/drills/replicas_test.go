package drills_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/drills"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Three replicas on one PostgreSQL database tick the reminders at the same moment, each
// as the singleton duty: each entry is posted once, not once per replica (a tick checks,
// then posts, then records: two replicas checking together would both post). Slack answers
// slowly, as it does under load, which is what widens that window.
func TestRemindersArePostedOnceAcrossReplicas(t *testing.T) {
	url := pgtest.New(t)
	sys := testenv.NewSystem(t)
	sys.Slack.SetLatency(30 * time.Millisecond)
	ch := sys.Slack.AddChannel("drills", "U0ALICE", testenv.SlackBotUser)
	var wg sync.WaitGroup
	for range 3 {
		db, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		r := &drills.Reminder{Store: db, Chat: sys.Chat, Clock: sys.Clock, Channel: ch, Schedule: drills.DefaultSchedule()}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 { // a replica that skipped a pass tries again at its next
				if _, err := db.Duty(sys.Ctx, incident.DutyDrillReminders, func(ctx context.Context) error {
					_, err := r.Tick(ctx)
					return err
				}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	posts := map[string]int{}
	for _, m := range sys.Slack.Channel(ch).Messages {
		posts[strings.SplitN(m.Text, "\n", 2)[0]]++
	}
	if len(posts) != len(drills.DefaultSchedule()) {
		t.Errorf("%d distinct reminders, want one per entry (%d): %v", len(posts), len(drills.DefaultSchedule()), posts)
	}
	for head, n := range posts {
		if n != 1 {
			t.Errorf("%q posted %d times", head, n)
		}
	}
}
