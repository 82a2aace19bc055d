package incident_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	_ "modernc.org/sqlite"
)

// A delivery whose result cannot be stored (the disk fails in the middle of the record)
// must not be marked done with the result lost: the whole record is rolled back and the
// effect tried again, and the retry finds the message the first attempt posted instead of
// posting it twice.
func TestResultThatCannotBeStoredIsRetriedNotLost(t *testing.T) {
	sys, ch := reviewWorld(t, false)
	raw, err := sql.Open("sqlite", "file:"+sys.DB.Path()+"?_pragma=busy_timeout(10000)") // waits for the bot's writer
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER fail_card BEFORE UPDATE OF card_ts ON runs
		BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`); err != nil {
		t.Fatal(err)
	}
	if r := sys.Do("U0ALICE", ch, "playbook application-service-failure"); r.Error {
		t.Fatal(r.Text)
	}
	sys.Deliver()
	card := effectOf(t, &world{sys: sys, t: t}, 1, incident.EffectPostRunCard)
	if card.State != incident.EffectPending || !strings.Contains(card.LastError, "disk I/O error") {
		t.Fatalf("run card effect is %s (%q) after its result could not be stored, want pending with the error", card.State, card.LastError)
	}
	if _, err := raw.Exec(`DROP TRIGGER fail_card`); err != nil {
		t.Fatal(err)
	}
	sys.Clock.Advance(time.Minute)
	sys.Deliver()
	runs, err := sys.Service.RunsOf(sys.Ctx, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	if runs[0].CardTS == "" {
		t.Fatal("the run card's message was never recorded")
	}
	cards := 0
	for _, m := range sys.Slack.Channel(ch).Messages {
		if strings.Contains(string(m.Metadata), card.Key) {
			cards++
		}
	}
	if cards != 1 {
		t.Errorf("%d run cards in the channel, want 1", cards)
	}
}

// When the database fails for a while, an effect whose result could not be recorded is
// still put back once it answers again, not left inflight until the next start (at the
// head of its lane it would hold back every later post in the channel).
func TestEffectIsPutBackOnceTheDatabaseAnswersAgain(t *testing.T) {
	sys, ch := reviewWorld(t, false)
	raw, err := sql.Open("sqlite", "file:"+sys.DB.Path()+"?_pragma=busy_timeout(10000)") // waits for the bot's writer
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, trigger := range []string{
		`CREATE TRIGGER fail_card BEFORE UPDATE OF card_ts ON runs BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`,
		`CREATE TRIGGER fail_reschedule BEFORE UPDATE ON effects WHEN NEW.last_error LIKE 'recording%'
			BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`,
	} {
		if _, err := raw.Exec(trigger); err != nil {
			t.Fatal(err)
		}
	}
	if r := sys.Do("U0ALICE", ch, "playbook application-service-failure"); r.Error {
		t.Fatal(r.Text)
	}
	delivered := make(chan struct{})
	go func() { defer close(delivered); sys.Deliver() }()
	// Once the run card is in the channel its record has failed (card_ts), and the
	// reschedule fails and is retried; only then does the database answer again.
	posted := time.Now().Add(20 * time.Second)
	for !strings.Contains(messagesOf(sys, ch), "steps done") && time.Now().Before(posted) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := raw.Exec(`DROP TRIGGER fail_reschedule; DROP TRIGGER fail_card`); err != nil {
		t.Fatal(err)
	}
	<-delivered
	card := effectOf(t, &world{sys: sys, t: t}, 1, incident.EffectPostRunCard)
	if card.State != incident.EffectPending {
		t.Fatalf("run card effect is %s after the database answered again, want pending", card.State)
	}
	sys.Clock.Advance(time.Minute)
	sys.Deliver()
	if runs, _ := sys.Service.RunsOf(sys.Ctx, 1); len(runs) != 1 || runs[0].CardTS == "" {
		t.Fatal("the run card was never recorded")
	}
}

// messagesOf is the text and blocks of the channel's messages, for waiting on a post.
func messagesOf(sys *testenv.System, ch string) string {
	var b strings.Builder
	for _, m := range sys.Slack.Channel(ch).Messages {
		b.WriteString(m.Text + string(m.Blocks) + "\n")
	}
	return b.String()
}
