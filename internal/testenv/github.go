package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// GitHubToken is the token the GitHub fake accepts.
const GitHubToken = "ghp_testtoken000000000000000000000000"

// GitHub fakes the parts of the GitHub REST API the bot uses: issues (create, edit, get,
// list by repository with labels, paginated), issue comments (list, paginated, and create), issue search, with GitHub's answers: 401 without the
// token, 422 for invalid input, 403 with X-RateLimit-Remaining: 0 and X-RateLimit-Reset,
// the secondary rate limit (403 with Retry-After), and 429.
type GitHub struct {
	srv    *httptest.Server
	mu     sync.Mutex
	repo   string // owner/name
	issues []*GHIssue
	// comments are the issues' comments, in the order they were made (github_comments.go).
	comments []*GHComment
	faults   map[string][]Fault // by "METHOD /route"
	calls    []string
	now      func() time.Time
}

// GHIssue is an issue in the fake.
type GHIssue struct {
	Number int
	Title  string
	Body   string
	Labels []string
	State  string
	// StateReason, ClosedAt and ClosedBy are set when the issue is closed.
	StateReason string
	ClosedAt    time.Time
	ClosedBy    string
}

// MaxGitHubBody is the longest issue or comment body GitHub takes, in characters; a
// longer one is refused with 422 "body is too long (maximum is 65536 characters)".
const MaxGitHubBody = 65536

// GitHubBotLogin is the login the fake's token belongs to.
const GitHubBotLogin = "incidentbot[bot]"

// CloseIssue closes issue number as login would on GitHub, with reason "completed" or
// "not_planned".
func (g *GitHub) CloseIssue(number int, login, reason string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	is := g.issues[number-1]
	is.State, is.StateReason, is.ClosedAt, is.ClosedBy = "closed", reason, g.now().UTC().Truncate(time.Second), login
}

// NewGitHub starts a fake that serves repo (owner/name).
func NewGitHub(repo string) *GitHub {
	g := &GitHub{repo: repo, faults: map[string][]Fault{}, now: time.Now}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serveHTTP))
	return g
}

// SetClock sets the fake's clock (closing times, rate limit resets).
func (g *GitHub) SetClock(now func() time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now = now
}

// URL is the API base URL (GITHUB_API_URL).
func (g *GitHub) URL() string { return g.srv.URL + "/" }

// Close stops the fake.
func (g *GitHub) Close() { g.srv.Close() }

// Fail scripts failures of a route: "POST /issues", "PATCH /issues", "GET /issues", "GET /search",
// "GET /comments", "POST /comments".
// Fault.Status 403 with RetryAfter 0 is the primary rate limit; 403 with RetryAfter the
// secondary one; 429 carries Retry-After.
func (g *GitHub) Fail(route string, faults ...Fault) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.faults[route] = append(g.faults[route], faults...)
}

// Issues returns copies of the issues.
func (g *GitHub) Issues() []GHIssue {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]GHIssue, len(g.issues))
	for i, is := range g.issues {
		out[i] = *is
	}
	return out
}

// Calls lists the requests, as "METHOD /route".
func (g *GitHub) Calls() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.calls...)
}

func (g *GitHub) issueJSON(is *GHIssue) map[string]any {
	var labels []map[string]any
	for _, l := range is.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	out := map[string]any{"number": is.Number, "title": is.Title, "body": is.Body, "state": is.State, "labels": labels,
		"html_url": fmt.Sprintf("https://github.example/%s/issues/%d", g.repo, is.Number), "closed_at": nil, "state_reason": nil}
	if is.State == "closed" {
		out["closed_at"] = is.ClosedAt.Format(time.RFC3339)
		out["closed_by"] = map[string]any{"login": is.ClosedBy, "type": "User"}
		out["state_reason"] = is.StateReason
	}
	return out
}

func ghError(w http.ResponseWriter, status int, msg, doc string, errs ...map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"message": msg, "documentation_url": doc}
	if len(errs) > 0 {
		body["errors"] = errs
	}
	json.NewEncoder(w).Encode(body)
}

var issuePath = regexp.MustCompile(`^/repos/([^/]+/[^/]+)/issues(?:/(\d+))?$`)

func (g *GitHub) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v3")
	route := r.Method + " /other"
	m := issuePath.FindStringSubmatch(path)
	cm := commentsPath.FindStringSubmatch(path)
	switch {
	case m != nil:
		route = r.Method + " /issues"
	case cm != nil:
		route = r.Method + " /comments"
	case path == "/search/issues":
		route = "GET /search"
	}
	g.mu.Lock()
	g.calls = append(g.calls, route)
	var fault Fault
	faulted := false
	if q := g.faults[route]; len(q) > 0 {
		fault, faulted, g.faults[route] = q[0], true, q[1:]
	}
	g.mu.Unlock()
	if faulted {
		switch {
		case fault.Status == 403 && fault.RetryAfter == 0:
			w.Header().Set("X-RateLimit-Limit", "5000")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(g.now().Add(time.Minute).Unix(), 10))
			ghError(w, 403, "API rate limit exceeded", "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting")
		case fault.Status == 403:
			w.Header().Set("Retry-After", strconv.Itoa(fault.RetryAfter))
			ghError(w, 403, "You have exceeded a secondary rate limit.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
		case fault.Status == 429:
			w.Header().Set("Retry-After", strconv.Itoa(fault.RetryAfter))
			ghError(w, 429, "Too many requests", "")
		default:
			ghError(w, fault.Status, "Server Error", "")
		}
		return
	}
	if a := r.Header.Get("Authorization"); a != "Bearer "+GitHubToken && a != "token "+GitHubToken {
		ghError(w, 401, "Bad credentials", "https://docs.github.com/rest")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case cm != nil:
		g.serveComments(w, r, cm)
	case m != nil && m[1] != g.repo:
		ghError(w, 404, "Not Found", "")
	case route == "POST /issues" && m[2] == "":
		g.create(w, r)
	case route == "PATCH /issues" && m[2] != "":
		g.edit(w, r, m[2])
	case route == "GET /issues" && m[2] != "":
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > len(g.issues) {
			ghError(w, 404, "Not Found", "")
			return
		}
		writeJSON(w, g.issueJSON(g.issues[n-1]))
	case route == "GET /issues":
		g.list(w, r)
	case route == "GET /search":
		g.search(w, r)
	default:
		ghError(w, 404, "Not Found", "")
	}
}

type issueRequest struct {
	Title  *string   `json:"title"`
	Body   *string   `json:"body"`
	Labels *[]string `json:"labels"`
	State  *string   `json:"state"`
	// StateReason: completed, not_planned or reopened.
	StateReason *string `json:"state_reason"`
}

func (g *GitHub) validate(w http.ResponseWriter, req issueRequest, creating bool) bool {
	if creating && (req.Title == nil || strings.TrimSpace(*req.Title) == "") {
		ghError(w, 422, "Validation Failed", "", map[string]any{"resource": "Issue", "field": "title", "code": "missing_field"})
		return false
	}
	if req.Title != nil && len(*req.Title) > 256 {
		ghError(w, 422, "Validation Failed", "", map[string]any{"resource": "Issue", "field": "title", "code": "invalid"})
		return false
	}
	if req.Body != nil && utf8.RuneCountInString(*req.Body) > MaxGitHubBody { // GitHub counts characters
		ghError(w, 422, "Validation Failed", "", map[string]any{"resource": "Issue", "field": "body", "code": "custom", "message": "body is too long (maximum is 65536 characters)"})
		return false
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		ghError(w, 422, "Validation Failed", "", map[string]any{"resource": "Issue", "field": "state", "code": "invalid"})
		return false
	}
	if r := req.StateReason; r != nil && *r != "completed" && *r != "not_planned" && *r != "reopened" {
		ghError(w, 422, "Validation Failed", "", map[string]any{"resource": "Issue", "field": "state_reason", "code": "invalid"})
		return false
	}
	if req.Labels != nil {
		for _, l := range *req.Labels {
			if strings.TrimSpace(l) == "" || len(l) > 50 {
				ghError(w, 422, "Validation Failed", "", map[string]any{"resource": "Label", "field": "name", "code": "invalid"})
				return false
			}
		}
	}
	return true
}

func (g *GitHub) create(w http.ResponseWriter, r *http.Request) {
	var req issueRequest
	body, _ := io.ReadAll(r.Body)
	if json.Unmarshal(body, &req) != nil {
		ghError(w, 400, "Problems parsing JSON", "")
		return
	}
	if !g.validate(w, req, true) {
		return
	}
	is := &GHIssue{Number: len(g.issues) + 1, Title: *req.Title, State: "open"}
	if req.Body != nil {
		is.Body = *req.Body
	}
	if req.Labels != nil {
		is.Labels = *req.Labels
	}
	g.issues = append(g.issues, is)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(g.issueJSON(is))
}

func (g *GitHub) edit(w http.ResponseWriter, r *http.Request, num string) {
	n, _ := strconv.Atoi(num)
	if n < 1 || n > len(g.issues) {
		ghError(w, 404, "Not Found", "")
		return
	}
	var req issueRequest
	body, _ := io.ReadAll(r.Body)
	if json.Unmarshal(body, &req) != nil {
		ghError(w, 400, "Problems parsing JSON", "")
		return
	}
	if !g.validate(w, req, false) {
		return
	}
	is := g.issues[n-1]
	if req.Title != nil {
		is.Title = *req.Title
	}
	if req.Body != nil {
		is.Body = *req.Body
	}
	if req.Labels != nil {
		is.Labels = *req.Labels
	}
	if req.State != nil && *req.State != is.State {
		is.State, is.StateReason, is.ClosedAt, is.ClosedBy = *req.State, "reopened", time.Time{}, ""
		if is.State == "closed" {
			is.StateReason, is.ClosedAt, is.ClosedBy = "completed", g.now().UTC().Truncate(time.Second), GitHubBotLogin
			if req.StateReason != nil {
				is.StateReason = *req.StateReason
			}
		}
	}
	writeJSON(w, g.issueJSON(is))
}

func (g *GitHub) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var want []string
	if l := q.Get("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var out []map[string]any
	for _, is := range g.issues {
		if state != "all" && is.State != state {
			continue
		}
		has := true
		for _, l := range want {
			found := false
			for _, x := range is.Labels {
				found = found || x == l
			}
			has = has && found
		}
		if has {
			out = append(out, g.issueJSON(is))
		}
	}
	if q.Get("direction") != "asc" {
		sort.SliceStable(out, func(i, j int) bool { return out[i]["number"].(int) > out[j]["number"].(int) })
	}
	writePage(w, r, out)
}

var inBody = regexp.MustCompile(`"([^"]+)"\s+in:body|in:body\s+"([^"]+)"`)

func (g *GitHub) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	m := inBody.FindStringSubmatch(q)
	if m == nil {
		ghError(w, 422, "Validation Failed", "", map[string]any{"resource": "Search", "field": "q", "code": "invalid"})
		return
	}
	needle := m[1] + m[2]
	var items []map[string]any
	for _, is := range g.issues {
		if strings.Contains(is.Body, needle) {
			items = append(items, g.issueJSON(is))
		}
	}
	if items == nil {
		items = []map[string]any{}
	}
	writeJSON(w, map[string]any{"total_count": len(items), "incomplete_results": false, "items": items})
}
