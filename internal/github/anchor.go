package github

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"
	"github.com/nephoran/incidentbot/internal/incident"
)

var _ incident.AnchorCommenter = (*Tracker)(nil)

// anchorMarker is the hidden text of the comment that holds one anchor.
func anchorMarker(a incident.Anchor) string {
	return marker(fmt.Sprintf("%s:anchor-%d", a.Incident, a.Events))
}

// CommentAnchor adds anchor a to review issue number as a comment, unless a comment of the
// bot's already holds it (an attempt that died after it was made): then it returns that one.
func (t *Tracker) CommentAnchor(ctx context.Context, number int, a incident.Anchor) (string, error) {
	mk := anchorMarker(a)
	var found string
	err := t.eachComment(ctx, number, func(c *gh.IssueComment) bool {
		if strings.Contains(c.GetBody(), mk) {
			found = c.GetHTMLURL()
			return false
		}
		return true
	})
	if err != nil || found != "" {
		return found, err
	}
	body := fmt.Sprintf("%s\nTimeline anchor of %s: its hash chain had %d events when this was written, the newest with hash `%s` (%s).\n"+
		"`incidentbot timeline verify --anchors` checks the bot's database against every anchor of this review.\n\n    %s\n",
		mk, a.Incident, a.Events, a.Head, incident.FormatTime(a.At), a.Line())
	c, _, err := t.client.Issues.CreateComment(ctx, t.owner, t.repo, number, &gh.IssueComment{Body: &body})
	if err != nil {
		return "", classify("comment on issue "+strconv.Itoa(number), err)
	}
	return c.GetHTMLURL(), nil
}

// eachComment calls fn with each comment on issue number, oldest first, page by page, until
// fn returns false.
func (t *Tracker) eachComment(ctx context.Context, number int, fn func(*gh.IssueComment) bool) error {
	opt := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		cs, resp, err := t.client.Issues.ListComments(ctx, t.owner, t.repo, number, opt)
		if err != nil {
			return classify("list the comments of issue "+strconv.Itoa(number), err)
		}
		for _, c := range cs {
			if !fn(c) {
				return nil
			}
		}
		if resp.NextPage == 0 {
			return nil
		}
		opt.Page = resp.NextPage
	}
}

// ReviewAnchors are the anchors written in one review issue.
type ReviewAnchors struct {
	Number  int
	URL     string
	Anchors []incident.Anchor // of the issue's incident, from its body then its comments, each once
}

// reviewKey reads the incident key of a review's marker, such as INC-42.
var reviewKey = regexp.MustCompile(`<!-- incidentbot:(INC-[0-9]+) -->`)

// Anchors reads, from every review issue of the repository (those with the review label,
// open or closed), the anchors each holds in its body and its comments, by incident key.
// The bot's database is not consulted: an incident whose review number was changed or
// lost there is still found by the marker of its issue.
func (t *Tracker) Anchors(ctx context.Context) (map[string]ReviewAnchors, error) {
	out := map[string]ReviewAnchors{}
	opt := &gh.IssueListByRepoOptions{State: "all", Labels: []string{t.reviewLabel}, Sort: "created", Direction: "asc",
		ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		issues, resp, err := t.client.Issues.ListByRepo(ctx, t.owner, t.repo, opt)
		if err != nil {
			return nil, classify("list the reviews", err)
		}
		for _, is := range issues {
			m := reviewKey.FindStringSubmatch(is.GetBody())
			if m == nil || is.IsPullRequest() {
				continue
			}
			key := m[1]
			ra, seen := out[key] // two issues of one incident: the anchors of both count
			if !seen {
				ra = ReviewAnchors{Number: is.GetNumber(), URL: is.GetHTMLURL()}
			}
			ra.Anchors = append(ra.Anchors, anchorsOf(key, is.GetBody())...)
			err := t.eachComment(ctx, is.GetNumber(), func(c *gh.IssueComment) bool {
				ra.Anchors = append(ra.Anchors, anchorsOf(key, c.GetBody())...)
				return true
			})
			if err != nil {
				return nil, err
			}
			ra.Anchors = distinct(ra.Anchors)
			out[key] = ra
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// distinct keeps the first of anchors that say the same (the body and a comment hold
// each anchor); two that differ are both kept.
func distinct(as []incident.Anchor) []incident.Anchor {
	var out []incident.Anchor
	seen := map[string]bool{}
	for _, a := range as {
		if k := a.Line(); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

// anchorsOf returns the anchors of incident key in text.
func anchorsOf(key, text string) []incident.Anchor {
	var out []incident.Anchor
	for _, a := range incident.ParseAnchors(text) {
		if a.Incident == key {
			out = append(out, a)
		}
	}
	return out
}
