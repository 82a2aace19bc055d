package github_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// GitHub counts a body's characters: 65,536 of them (two bytes each here) are taken, one
// more is refused with a 422, which the tracker reports as permanent (no retry helps).
func TestBodyLimitIsGitHubs(t *testing.T) {
	ctx := context.Background()
	tr, fake := newTracker(t)
	head := "<!-- incidentbot:INC-7 -->\n"
	fits := review
	fits.Body = head + strings.Repeat("é", testenv.MaxGitHubBody-len(head))
	if _, err := tr.FileReview(ctx, fits, 0); err != nil {
		t.Fatalf("a body of %d characters was refused: %v", testenv.MaxGitHubBody, err)
	}
	long := fits
	long.Body += "x"
	_, err := tr.FileReview(ctx, long, 1)
	if err == nil || !strings.Contains(err.Error(), "422") || errors.As(err, new(*incident.TemporaryError)) {
		t.Fatalf("a body of %d characters: %v, want a permanent 422", testenv.MaxGitHubBody+1, err)
	}
	if got := fake.Issues()[0].Body; got != fits.Body {
		t.Errorf("the refused edit changed the issue (%d characters)", len([]rune(got)))
	}
}
