package incident_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Follow-ups are tracked to completion: done in chat (by their owner, author or the
// commander; once) closes their GitHub issue, an issue closed on GitHub closes the
// follow-up at the time it was closed, the review's checklist follows, and the plan's KPI
// "Improvement Implementation within 30 days" counts them.
func TestFollowupCompletion(t *testing.T) {
	sys, ch := reviewWorld(t, true)
	const alice, bob, carol = "U0ALICE", "U0BOB", "U0CAROL"
	for _, text := range []string{
		"followup Alert on the 5xx rate of the gateway <@U0BOB|bob>",
		"followup Run the gateway failover drill monthly",
		"followup Rewrite the gateway runbook <@U0BOB|bob>",
		"followup Document the DNS failover",
	} {
		if r := sys.Do(alice, ch, text); r.Error {
			t.Fatal(r.Text)
		}
	}
	sys.Do(alice, ch, "resolve fixed")
	sys.Deliver()
	fs, err := sys.Service.Followups(sys.Ctx, 1)
	if err != nil || len(fs) != 4 {
		t.Fatalf("follow-ups %v %v", fs, err)
	}
	for _, f := range fs {
		if f.IssueNumber == 0 || f.Done() {
			t.Fatalf("follow-up %+v: want filed as an issue and open", f)
		}
	}

	sys.Clock.Advance(3 * 24 * time.Hour)
	if r := sys.Do(carol, ch, "followup done 1"); !r.Error || !strings.Contains(r.Text, "Follow-up #1 has an owner") {
		t.Errorf("someone else completed bob's follow-up: %q", r.Text)
	}
	if r := sys.Do(bob, ch, "followup done #1"); r.Error || !strings.Contains(r.Text, "Follow-up #1 is done") ||
		!strings.Contains(r.Text, fmt.Sprintf("closing issue #%d", fs[0].IssueNumber)) {
		t.Fatalf("done: %q", r.Text)
	}
	if r := sys.Do(alice, ch, "followup done 1"); !r.Error || !strings.Contains(r.Text, "already closed (done, ") {
		t.Errorf("done twice: %q", r.Text)
	}
	if r := sys.Do(alice, ch, "followup done 9"); !r.Error || !strings.Contains(r.Text, "INC-1 has no follow-up #9") {
		t.Errorf("an unknown follow-up: %q", r.Text)
	}
	sys.Deliver()
	issues := sys.GitHub.Issues()
	if is := issues[fs[0].IssueNumber-1]; is.State != "closed" || is.StateReason != "completed" {
		t.Errorf("the done follow-up's issue is %s (%s)", is.State, is.StateReason)
	}
	if review := issues[0].Body; !strings.Contains(review, "- [x] Alert on the 5xx rate of the gateway") ||
		!strings.Contains(review, "- [ ] Run the gateway failover drill monthly") {
		t.Errorf("the review's checklist was not refreshed:\n%s", review)
	}

	// Closed on GitHub: #2 as completed a week later, #3 as not planned.
	sys.Clock.Advance(7 * 24 * time.Hour)
	sys.GitHub.CloseIssue(fs[1].IssueNumber, "dana", "completed")
	sys.GitHub.CloseIssue(fs[2].IssueNumber, "dana", "not_planned")
	syncer := sys.Outbox.Tracker.(incident.FollowupSyncer)
	if n, err := sys.Service.SyncFollowups(sys.Ctx, syncer); err != nil || n != 2 {
		t.Fatalf("sync closed %d: %v", n, err)
	}
	if n, err := sys.Service.SyncFollowups(sys.Ctx, syncer); err != nil || n != 0 {
		t.Errorf("a second sync closed %d more: %v", n, err)
	}
	fs, _ = sys.Service.Followups(sys.Ctx, 1)
	if f := fs[1]; f.Outcome != incident.FollowupDone || f.DoneBy != "dana" || f.DoneAt.Sub(f.CreatedAt) != 10*24*time.Hour {
		t.Errorf("#2 closed on GitHub: %+v", f)
	}
	if f := fs[2]; f.Outcome != incident.FollowupNotPlanned {
		t.Errorf("#3 closed as not planned: %+v", f)
	}
	done := 0
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventFollowupDone {
			done++
		}
	}
	if done != 3 {
		t.Errorf("%d followup_done events, want 3", done)
	}

	// 40 days on: #1 and #2 done within 30 days, #3 not planned (not counted), #4 open past
	// its window: 2 of 3.
	sys.Clock.Advance(30 * 24 * time.Hour)
	st, err := sys.Service.Stats(sys.Ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if k := st.Real.All; k.FollowupsOnTime != 2 || k.FollowupsDue != 3 {
		t.Errorf("improvements done within 30 days: %d of %d, want 2 of 3", k.FollowupsOnTime, k.FollowupsDue)
	}
	r := sys.Do(alice, ch, "followups")
	for _, want := range []string{
		":white_check_mark: • #1 Alert on the 5xx rate of the gateway (owner <@U0BOB>)", "done after 3d",
		":white_check_mark: • #3 Rewrite the gateway runbook", "not planned after 10d",
		":warning: • #4 Document the DNS failover", "open for 40d, past the 30-day target",
	} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("followups lacks %q:\n%s", want, r.Text)
		}
	}
	if r := sys.Do(alice, ch, "stats all"); !strings.Contains(r.Text, "improvements done within 30 days 66.7% (2/3)") {
		t.Errorf("stats:\n%s", r.Text)
	}
	if b := incident.VerifyChain(sys.Events(1)); b != nil {
		t.Errorf("chain: %+v", b)
	}
}

// holdFiling holds the first follow-up filing until released.
type holdFiling struct {
	incident.Tracker
	incident.FollowupSyncer
	once       sync.Once
	held, free chan struct{}
}

func (h *holdFiling) FileFollowup(ctx context.Context, key string, f incident.Followup, reviewURL string) (incident.IssueRef, error) {
	h.once.Do(func() { close(h.held); <-h.free })
	return h.Tracker.FileFollowup(ctx, key, f, reviewURL)
}

// A follow-up marked done while its issue is being filed gets that issue closed once the
// filing lands, instead of leaving an open issue for finished work.
func TestFollowupDoneWhileItsIssueIsFiled(t *testing.T) {
	sys, ch := reviewWorld(t, true)
	sys.Do("U0ALICE", ch, "followup Alert on the 5xx rate of the gateway")
	h := &holdFiling{Tracker: sys.Outbox.Tracker, FollowupSyncer: sys.Outbox.Tracker.(incident.FollowupSyncer),
		held: make(chan struct{}), free: make(chan struct{})}
	sys.Outbox.Tracker = h
	sys.Do("U0ALICE", ch, "resolve fixed")
	delivered := make(chan struct{})
	go func() { defer close(delivered); sys.Deliver() }()
	<-h.held
	if r := sys.Do("U0ALICE", ch, "followup done 1"); r.Error || strings.Contains(r.Text, "closing issue") {
		t.Fatalf("done before the issue exists: %q", r.Text)
	}
	close(h.free)
	<-delivered
	sys.Deliver()
	fs, _ := sys.Service.Followups(sys.Ctx, 1)
	if len(fs) != 1 || fs[0].IssueNumber == 0 {
		t.Fatalf("follow-ups %+v", fs)
	}
	if is := sys.GitHub.Issues()[fs[0].IssueNumber-1]; is.State != "closed" {
		t.Errorf("the issue of a done follow-up is %s", is.State)
	}
}

// holdReview holds the first review filing until released.
type holdReview struct {
	incident.Tracker
	once       sync.Once
	held, free chan struct{}
}

func (h *holdReview) FileReview(ctx context.Context, r incident.Review, number int) (incident.IssueRef, error) {
	h.once.Do(func() { close(h.held); <-h.free })
	return h.Tracker.FileReview(ctx, r, number)
}

// A follow-up marked done while the first filing of the review is in flight shows as done
// in the review once that filing lands: the review is filed again, into the same issue.
func TestFollowupDoneWhileTheReviewIsFiled(t *testing.T) {
	sys, ch := reviewWorld(t, true)
	sys.Do("U0ALICE", ch, "followup Alert on the 5xx rate of the gateway")
	h := &holdReview{Tracker: sys.Outbox.Tracker, held: make(chan struct{}), free: make(chan struct{})}
	sys.Outbox.Tracker = h
	sys.Do("U0ALICE", ch, "resolve fixed")
	delivered := make(chan struct{})
	go func() { defer close(delivered); sys.Deliver() }()
	<-h.held
	if r := sys.Do("U0ALICE", ch, "followup done 1"); r.Error {
		t.Fatalf("done: %q", r.Text)
	}
	close(h.free)
	<-delivered
	sys.Deliver()
	var reviews []string
	for _, is := range sys.GitHub.Issues() {
		if strings.HasPrefix(is.Title, "Post-incident review") {
			reviews = append(reviews, is.Body)
		}
	}
	if len(reviews) != 1 {
		t.Fatalf("%d review issues, want 1", len(reviews))
	}
	if !strings.Contains(reviews[0], "- [x] Alert on the 5xx rate of the gateway") {
		t.Errorf("the review does not show the follow-up done:\n%s", reviews[0])
	}
}
