package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"
)

// GHComment is a comment on an issue in the GitHub fake.
type GHComment struct {
	ID      int64
	Issue   int
	Body    string
	Login   string
	Created time.Time
}

var commentsPath = regexp.MustCompile(`^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$`)

// Comments returns copies of the comments on issue number, oldest first.
func (g *GitHub) Comments(number int) []GHComment {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []GHComment
	for _, c := range g.comments {
		if c.Issue == number {
			out = append(out, *c)
		}
	}
	return out
}

// serveComments serves GET (paginated as GitHub does: per_page up to 100, default 30, and
// a Link header to the next page) and POST of /repos/{repo}/issues/{n}/comments. It is
// called with g.mu held.
func (g *GitHub) serveComments(w http.ResponseWriter, r *http.Request, m []string) {
	n, _ := strconv.Atoi(m[2])
	switch {
	case m[1] != g.repo || n < 1 || n > len(g.issues):
		ghError(w, 404, "Not Found", "https://docs.github.com/rest/issues/comments")
	case r.Method == http.MethodGet:
		var out []map[string]any
		for _, c := range g.comments {
			if c.Issue == n {
				out = append(out, g.commentJSON(c))
			}
		}
		writePage(w, r, out)
	case r.Method == http.MethodPost:
		var req struct {
			Body *string `json:"body"`
		}
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &req) != nil {
			ghError(w, 400, "Problems parsing JSON", "")
			return
		}
		if req.Body == nil || *req.Body == "" {
			ghError(w, 422, "Validation Failed", "", map[string]any{"resource": "IssueComment", "field": "body", "code": "missing_field"})
			return
		}
		if utf8.RuneCountInString(*req.Body) > MaxGitHubBody {
			ghError(w, 422, "Validation Failed", "", map[string]any{"resource": "IssueComment", "field": "body", "code": "custom",
				"message": fmt.Sprintf("body is too long (maximum is %d characters)", MaxGitHubBody)})
			return
		}
		c := &GHComment{ID: int64(1000 + len(g.comments) + 1), Issue: n, Body: *req.Body, Login: GitHubBotLogin, Created: g.now().UTC().Truncate(time.Second)}
		g.comments = append(g.comments, c)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(g.commentJSON(c))
	default:
		ghError(w, 404, "Not Found", "")
	}
}

func (g *GitHub) commentJSON(c *GHComment) map[string]any {
	return map[string]any{"id": c.ID, "body": c.Body, "user": map[string]any{"login": c.Login, "type": "Bot"},
		"created_at": c.Created.Format(time.RFC3339), "updated_at": c.Created.Format(time.RFC3339),
		"html_url": fmt.Sprintf("https://github.example/%s/issues/%d#issuecomment-%d", g.repo, c.Issue, c.ID)}
}

// writePage writes the page of items that the request's page and per_page ask for, with
// GitHub's Link header naming the next and last pages.
func writePage(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max(1, (len(items)+per-1)/per)
	from, to := min((page-1)*per, len(items)), min(page*per, len(items))
	if page < last {
		link := func(p int) string {
			u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
			v := r.URL.Query()
			v.Set("page", strconv.Itoa(p))
			v.Set("per_page", strconv.Itoa(per))
			u.RawQuery = v.Encode()
			return u.String()
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`, link(page+1), link(last)))
	}
	out := items[from:to]
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, out)
}
