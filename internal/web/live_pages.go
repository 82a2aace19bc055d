package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed" // the pages' script
	"encoding/base64"
	"fmt"
	"hash/crc64"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/nephoran/incidentbot/internal/incident"
)

// liveJS is the one script of the pages: it shows times in the reader's time zone and,
// told by GET /events that the page changed, fetches it and swaps its <main> in place.
//
//go:embed live.js
var liveJS string

// pageCSP lets the pages run their one script (by its hash) and read their stream of
// changes and themselves; nothing else.
var pageCSP = func() string {
	sum := sha256.Sum256([]byte(liveJS))
	return "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}()

// pageFuncs are the functions the templates call.
var pageFuncs = template.FuncMap{"liveScript": func() template.JS { return template.JS(liveJS) }} //nolint:gosec // our own file

// parsePage parses the layout and the page name's template.
func parsePage(name string) *template.Template {
	return template.Must(template.New(name).Funcs(pageFuncs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
}

// etagMark stands on a page, where its ETag goes, while the page is rendered and digested.
const etagMark = "@@incidentbot-etag@@"

var (
	crcTable      = crc64.MakeTable(crc64.ECMA)
	renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// writePage answers with a rendered page: its ETag is a digest of it (the same on every
// replica for the same state), written also where the template put etagMark.
func writePage(w http.ResponseWriter, page []byte) {
	etag := fmt.Sprintf("%016x", crc64.Checksum(page, crcTable))
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", `"`+etag+`"`)
	i := bytes.Index(page, []byte(etagMark))
	if i < 0 {
		_, _ = w.Write(page)
		return
	}
	_, _ = w.Write(page[:i])
	_, _ = io.WriteString(w, etag)
	_, _ = w.Write(page[i+len(etagMark):])
}

// liveKey is the context key under which Live's render of an incident's page learns
// which incident it is.
type liveKey struct{}

// shown tells Live's render (if this request is one) which incident the page shows.
func shown(ctx context.Context, id int64) {
	if slot, ok := ctx.Value(liveKey{}).(*int64); ok {
		*slot = id
	}
}

// renderFor renders the page at path (a path with its query) as a GET would, without the
// token's guard (the stream was let through it), for Live: its ETag, "" when it does not
// answer 200, and the incident it shows (0: a page of every incident; -1: none).
func (p *Pages) renderFor(ctx context.Context, path string) (string, int64) {
	id := int64(0)
	r, err := http.NewRequestWithContext(context.WithValue(ctx, liveKey{}, &id), http.MethodGet, path, nil)
	if err != nil {
		return "", -1
	}
	rec := &etagRecorder{header: http.Header{}}
	p.inner.ServeHTTP(rec, r)
	if rec.status != http.StatusOK {
		return "", -1
	}
	return strings.Trim(rec.header.Get("ETag"), `"`), id
}

// etagRecorder keeps a response's status and headers, and drops its body.
type etagRecorder struct {
	header http.Header
	status int
}

func (e *etagRecorder) Header() http.Header { return e.header }
func (e *etagRecorder) WriteHeader(code int) {
	if e.status == 0 {
		e.status = code
	}
}
func (e *etagRecorder) Write(b []byte) (int, error) { e.WriteHeader(http.StatusOK); return len(b), nil }

// livePath reports whether a page at path has a stream of changes, and whether it is the
// public status page (whose stream needs no token).
func livePath(path string) (ok, public bool) {
	switch {
	case path == "/status":
		return true, true
	case path == "/", strings.HasPrefix(path, "/incidents/"):
		return true, false
	}
	return false, false
}

// events streams "changed" to a browser showing a page (?page=, its path and query) each
// time what the page shows changes, as server-sent events; ?since= is the ETag of the copy
// the browser has. The status page's stream is public; the others need the dashboard's token.
func (p *Pages) events(w http.ResponseWriter, r *http.Request) {
	page := r.URL.Query().Get("page")
	u, err := url.Parse(page)
	if page == "" || err != nil || u.Scheme != "" || u.Host != "" || u.Fragment != "" {
		WriteError(w, r, p.Log, incident.Errorf(incident.EINVALID, "Give page as the path of a page, such as /status."))
		return
	}
	ok, public := livePath(u.Path)
	if !ok {
		WriteError(w, r, p.Log, incident.Errorf(incident.ENOTFOUND, "There is no live page %s.", incident.Quote(u.Path)))
		return
	}
	topic := u.EscapedPath()
	if u.RawQuery != "" && !public { // the status page reads no query: one topic, however asked for
		topic += "?" + u.RawQuery
	}
	serve := func(w http.ResponseWriter, r *http.Request) {
		p.Live.serve(w, r, topic, r.URL.Query().Get("since"), public)
	}
	if public {
		serve(w, r)
		return
	}
	p.guard(serve)(w, r)
}
