package github_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/github"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func newTracker(t *testing.T) (*github.Tracker, *testenv.GitHub) {
	fake := testenv.NewGitHub("nephoran/incidents")
	t.Cleanup(fake.Close)
	tr, err := github.New(github.Options{Repo: "nephoran/incidents", Token: testenv.GitHubToken, BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return tr, fake
}

var review = incident.Review{Key: "INC-7", Title: "Post-incident review: INC-7 DB down", Body: "<!-- incidentbot:INC-7 -->\n# INC-7", Labels: []string{"severity:P1"}}

// A crash between the create and the store of its number still leaves one issue: the next
// attempt finds it by its marker and updates it.
func TestFilingIsIdempotent(t *testing.T) {
	ctx := context.Background()
	tr, fake := newTracker(t)
	first, err := tr.FileReview(ctx, review, 0)
	if err != nil || first.Number != 1 {
		t.Fatalf("%+v %v", first, err)
	}
	again := review
	again.Body += "\nupdated"
	second, err := tr.FileReview(ctx, again, 0) // the number was never stored
	if err != nil || second.Number != 1 {
		t.Fatalf("%+v %v", second, err)
	}
	third, err := tr.FileReview(ctx, again, 1) // with the stored number: no lookup
	if err != nil || third.Number != 1 {
		t.Fatalf("%+v %v", third, err)
	}
	issues := fake.Issues()
	if len(issues) != 1 || !strings.HasSuffix(issues[0].Body, "updated") || strings.Join(issues[0].Labels, ",") != "postmortem,severity:P1" {
		t.Errorf("issues %+v", issues)
	}
	if calls := strings.Join(fake.Calls(), ","); calls != "GET /issues,GET /search,POST /issues,GET /issues,PATCH /issues,PATCH /issues" {
		t.Errorf("calls %s", calls)
	}
}

func TestRateLimitsAndRefusals(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		fault     testenv.Fault
		temporary bool
		minWait   time.Duration
		maxWait   time.Duration
	}{
		{"primary rate limit", testenv.Fault{Status: 403}, true, 50 * time.Second, 61 * time.Second},
		{"secondary rate limit", testenv.Fault{Status: 403, RetryAfter: 42}, true, 42 * time.Second, 42 * time.Second},
		{"429", testenv.Fault{Status: 429, RetryAfter: 7}, true, 7 * time.Second, 7 * time.Second},
		{"502", testenv.Fault{Status: 502}, true, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, fake := newTracker(t)
			fake.Fail("GET /issues", tc.fault)
			_, err := tr.FileReview(ctx, review, 0)
			var tmp *incident.TemporaryError
			if !errors.As(err, &tmp) {
				t.Fatalf("not temporary: %v", err)
			}
			if tmp.RetryAfter < tc.minWait || tmp.RetryAfter > tc.maxWait {
				t.Errorf("retry after %s, want %s to %s", tmp.RetryAfter, tc.minWait, tc.maxWait)
			}
		})
	}
	tr, _ := newTracker(t)
	bad := review
	bad.Title = ""
	_, err := tr.FileReview(ctx, bad, 0)
	var tmp *incident.TemporaryError
	if err == nil || errors.As(err, &tmp) || !strings.Contains(err.Error(), "422") {
		t.Errorf("an invalid issue: %v", err)
	}
	if _, err := github.New(github.Options{Repo: "nephoran/incidents", Token: "wrong", BaseURL: "http://127.0.0.1:1/"}); err != nil {
		t.Fatal(err)
	}
	if _, err := github.New(github.Options{Repo: "nope"}); err == nil {
		t.Error("a repository without owner was accepted")
	}
}
