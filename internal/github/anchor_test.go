package github_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func hashOf(n int) string { return fmt.Sprintf("%064x", n) }

// An anchor is commented once however often it is added (an attempt that died after its
// comment), and Anchors reads every review's anchors back, from the body and from every
// page of comments, each once, by the incident its marker names.
func TestAnchorsCommentedOnceAndReadBack(t *testing.T) {
	ctx := context.Background()
	tr, fake := newTracker(t)
	body := review
	body.Body += "\n" + incident.Anchor{Incident: "INC-7", Events: 1, Head: hashOf(1)}.Line() + "\n" +
		incident.Anchor{Incident: "INC-8", Events: 5, Head: hashOf(5)}.Line() // another incident's: not INC-7's
	ref, err := tr.FileReview(ctx, body, 0)
	if err != nil {
		t.Fatal(err)
	}
	other := incident.Review{Key: "INC-9", Title: "Post-incident review: INC-9", Body: "# INC-9"}
	if _, err := tr.FileReview(ctx, other, 0); err != nil {
		t.Fatal(err)
	}
	const n = 150 // more than a page of comments
	for i := 1; i <= n; i++ {
		a := incident.Anchor{Incident: "INC-7", Events: i, Head: hashOf(i), At: time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)}
		url, err := tr.CommentAnchor(ctx, ref.Number, a)
		if err != nil || !strings.Contains(url, "#issuecomment-") {
			t.Fatalf("comment %d: %q %v", i, url, err)
		}
	}
	again, err := tr.CommentAnchor(ctx, ref.Number, incident.Anchor{Incident: "INC-7", Events: n, Head: hashOf(n)})
	if err != nil {
		t.Fatal(err)
	}
	comments := fake.Comments(ref.Number)
	if len(comments) != n || !strings.HasSuffix(again, fmt.Sprint(comments[n-1].ID)) {
		t.Errorf("%d comments after adding the last anchor again (%s), want %d and the existing one", len(comments), again, n)
	}
	if !strings.Contains(comments[0].Body, "<!-- incidentbot:INC-7:anchor-1 -->") || !strings.Contains(comments[0].Body, "    incidentbot-anchor INC-7 events=1 head="+hashOf(1)) {
		t.Errorf("the first comment:\n%s", comments[0].Body)
	}
	got, err := tr.Anchors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ra := got["INC-7"]
	if len(got) != 2 || ra.Number != ref.Number || len(ra.Anchors) != n || len(got["INC-9"].Anchors) != 0 {
		t.Fatalf("anchors by incident: %d incidents, INC-7 #%d with %d anchors; want INC-7 and INC-9, INC-7 with %d", len(got), ra.Number, len(ra.Anchors), n)
	}
	for i, a := range ra.Anchors {
		if a.Events != i+1 || a.Head != hashOf(i+1) {
			t.Fatalf("anchor %d: %+v", i, a)
		}
	}
}
