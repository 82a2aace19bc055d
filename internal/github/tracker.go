// Package github implements incidentbot's Tracker port over go-github v60: the post-incident
// review and follow-ups as issues, idempotent across retries and crashes (the stored issue
// number, else a lookup of the hidden marker before any create), with GitHub's rate limits
// mapped to retries.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	gh "github.com/google/go-github/v60/github"
	"github.com/nephoran/incidentbot/internal/httpgate"
	"github.com/nephoran/incidentbot/internal/incident"
)

// Tracker files reviews in one repository.
type Tracker struct {
	client        *gh.Client
	owner, repo   string
	reviewLabel   string // the label every review carries; the lookup lists by it
	followupLabel string
}

var _ incident.Tracker = (*Tracker)(nil)

// Options configure a Tracker. Token, or AppID with InstallationID and PrivateKey (GitHub
// App installation auth).
type Options struct {
	Repo           string // owner/name
	Token          string
	BaseURL        string // GitHub Enterprise (or a test server); "" for github.com
	AppID          int64
	InstallationID int64
	PrivateKey     []byte
	ReviewLabel    string            // default "postmortem"
	Transport      http.RoundTripper // nil: http.DefaultTransport
}

// New returns a Tracker.
func New(o Options) (*Tracker, error) {
	owner, repo, ok := strings.Cut(o.Repo, "/")
	if !ok || owner == "" || repo == "" {
		return nil, fmt.Errorf("github repository %q is not owner/name", o.Repo)
	}
	// A 429 pauses calls to GitHub for every caller until it says (httpgate).
	var base http.RoundTripper = httpgate.New(o.Transport, nil)
	var client *gh.Client
	switch {
	case o.AppID != 0:
		tr, err := ghinstallation.New(base, o.AppID, o.InstallationID, o.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("github app auth: %w", err)
		}
		if o.BaseURL != "" {
			tr.BaseURL = strings.TrimSuffix(o.BaseURL, "/")
		}
		client = gh.NewClient(&http.Client{Transport: tr, Timeout: 30 * time.Second})
	case o.Token != "":
		client = gh.NewClient(&http.Client{Timeout: 30 * time.Second, Transport: base}).WithAuthToken(o.Token)
	default:
		return nil, errors.New("github needs GITHUB_TOKEN, or a GitHub App's id, installation and key")
	}
	if o.BaseURL != "" && !strings.Contains(o.BaseURL, "api.github.com") {
		var err error
		if client, err = client.WithEnterpriseURLs(o.BaseURL, o.BaseURL); err != nil {
			return nil, err
		}
	}
	label := o.ReviewLabel
	if label == "" {
		label = "postmortem"
	}
	return &Tracker{client: client, owner: owner, repo: repo, reviewLabel: label, followupLabel: "incident-follow-up"}, nil
}

// marker is the hidden text that identifies an issue the bot filed.
func marker(key string) string { return "<!-- incidentbot:" + key + " -->" }

// FileReview updates the review issue number, or the one found by its marker, or creates it.
func (t *Tracker) FileReview(ctx context.Context, r incident.Review, number int) (incident.IssueRef, error) {
	labels := append([]string{t.reviewLabel}, r.Labels...)
	labels = dedupe(labels)
	body := r.Body
	if !strings.Contains(body, marker(r.Key)) {
		body = marker(r.Key) + "\n" + body
	}
	req := &gh.IssueRequest{Title: &r.Title, Body: &body, Labels: &labels}
	if number == 0 {
		found, err := t.find(ctx, marker(r.Key), t.reviewLabel)
		if err != nil {
			return incident.IssueRef{}, err
		}
		number = found
	}
	if number > 0 {
		is, _, err := t.client.Issues.Edit(ctx, t.owner, t.repo, number, req)
		if err != nil {
			return incident.IssueRef{}, classify("edit issue "+strconv.Itoa(number), err)
		}
		return incident.IssueRef{Number: is.GetNumber(), URL: is.GetHTMLURL()}, nil
	}
	is, _, err := t.client.Issues.Create(ctx, t.owner, t.repo, req)
	if err != nil {
		return incident.IssueRef{}, classify("create issue", err)
	}
	return incident.IssueRef{Number: is.GetNumber(), URL: is.GetHTMLURL()}, nil
}

// FileFollowup files a follow-up as an issue, once.
func (t *Tracker) FileFollowup(ctx context.Context, key string, f incident.Followup, reviewURL string) (incident.IssueRef, error) {
	mk := marker(fmt.Sprintf("%s:followup-%d", key, f.ID))
	found, err := t.find(ctx, mk, t.followupLabel)
	if err != nil {
		return incident.IssueRef{}, err
	}
	if found > 0 {
		return incident.IssueRef{Number: found, URL: fmt.Sprintf("https://github.com/%s/%s/issues/%d", t.owner, t.repo, found)}, nil
	}
	title := fmt.Sprintf("%s follow-up: %s", key, firstLine(f.Text, 200))
	body := fmt.Sprintf("%s\n%s\n\nFrom the post-incident review of %s: %s", mk, f.Text, key, reviewURL)
	labels := []string{t.followupLabel}
	is, _, err := t.client.Issues.Create(ctx, t.owner, t.repo, &gh.IssueRequest{Title: &title, Body: &body, Labels: &labels})
	if err != nil {
		return incident.IssueRef{}, classify("create follow-up issue", err)
	}
	return incident.IssueRef{Number: is.GetNumber(), URL: is.GetHTMLURL()}, nil
}

// CloseFollowup closes a follow-up's issue as completed. Closing a closed issue changes
// nothing, so a retry is harmless.
func (t *Tracker) CloseFollowup(ctx context.Context, number int) error {
	closed, reason := "closed", "completed"
	if _, _, err := t.client.Issues.Edit(ctx, t.owner, t.repo, number, &gh.IssueRequest{State: &closed, StateReason: &reason}); err != nil {
		return classify("close follow-up issue", err)
	}
	return nil
}

// FollowupState reads whether a follow-up's issue is closed, when, by whom and how.
func (t *Tracker) FollowupState(ctx context.Context, number int) (incident.FollowupState, error) {
	is, _, err := t.client.Issues.Get(ctx, t.owner, t.repo, number)
	if err != nil {
		return incident.FollowupState{}, classify("read follow-up issue", err)
	}
	if is.GetState() != "closed" {
		return incident.FollowupState{}, nil
	}
	return incident.FollowupState{Closed: true, ClosedAt: is.GetClosedAt().Time, ClosedBy: is.GetClosedBy().GetLogin(),
		NotPlanned: is.GetStateReason() == "not_planned"}, nil
}

// find looks for an issue whose body holds mk: first among the newest issues with label
// (the normal quota, and no search index lag), then through search (30 requests a minute).
func (t *Tracker) find(ctx context.Context, mk, label string) (int, error) {
	issues, _, err := t.client.Issues.ListByRepo(ctx, t.owner, t.repo, &gh.IssueListByRepoOptions{
		State: "all", Labels: []string{label}, Sort: "created", Direction: "desc", ListOptions: gh.ListOptions{PerPage: 100},
	})
	if err != nil {
		return 0, classify("list issues", err)
	}
	for _, is := range issues {
		if strings.Contains(is.GetBody(), mk) {
			return is.GetNumber(), nil
		}
	}
	q := fmt.Sprintf(`repo:%s/%s in:body "%s"`, t.owner, t.repo, strings.Trim(strings.TrimSuffix(strings.TrimPrefix(mk, "<!-- "), " -->"), " "))
	res, _, err := t.client.Search.Issues(ctx, q, &gh.SearchOptions{ListOptions: gh.ListOptions{PerPage: 10}})
	if err != nil {
		return 0, classify("search issues", err)
	}
	for _, is := range res.Issues {
		if strings.Contains(is.GetBody(), mk) {
			return is.GetNumber(), nil
		}
	}
	return 0, nil
}

// classify maps go-github errors: the primary rate limit waits until its reset, the
// secondary one and a 429 for their Retry-After, 5xx and network errors back off; anything
// else (422 validation, 404, 401) is permanent.
func classify(what string, err error) error {
	wrapped := fmt.Errorf("github: %s: %w", what, err)
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return incident.RateLimited(max(time.Until(rl.Rate.Reset.Time), time.Second), wrapped)
	}
	var abuse *gh.AbuseRateLimitError
	if errors.As(err, &abuse) {
		wait := time.Minute
		if abuse.RetryAfter != nil {
			wait = max(*abuse.RetryAfter, time.Second)
		}
		return incident.RateLimited(wait, wrapped)
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch code := er.Response.StatusCode; {
		case code == http.StatusTooManyRequests:
			wait := time.Minute
			if s, perr := strconv.Atoi(er.Response.Header.Get("Retry-After")); perr == nil {
				wait = time.Duration(s) * time.Second
			}
			return incident.RateLimited(max(wait, time.Second), wrapped)
		case code >= 500:
			return incident.Temporary(wrapped)
		}
		return wrapped
	}
	if errors.Is(err, context.Canceled) {
		return wrapped
	}
	return incident.Temporary(wrapped)
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func firstLine(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
