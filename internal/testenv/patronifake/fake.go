// Package patronifake is an in-process fake of Patroni 3.0's REST API for unit tests: GET
// /cluster, /patroni (of each member), /primary, /replica?lag= and POST /switchover,
// answering as Patroni does (its statuses and texts, from patroni/api.py). The real thing
// on loopback is internal/testenv/patroni; use that to test against Patroni itself.
//
// Every member's api_url is on the fake's own server (URL + "/member/<name>"), so a client
// allow-listing 127.0.0.1 can read each member's GET /patroni.
package patronifake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Member is one member of the fake cluster.
type Member struct {
	Name     string
	Role     string // leader, sync_standby or replica
	State    string // running, stopped, ...
	Timeline int
	Lag      int64 // bytes behind the leader; -1 is "unknown"
	// ReplayedAt is the commit time of the last transaction a replica replayed (zero: none).
	ReplayedAt time.Time
	// Streaming says whether the leader's pg_stat_replication lists the replica as streaming.
	Streaming bool
}

// Request is a POST /switchover the fake received.
type Request struct {
	Leader, Candidate, ScheduledAt string
}

// Fake is a running fake Patroni cluster.
type Fake struct {
	URL string // the base URL of the REST API

	mu      sync.Mutex
	members []Member
	sync    bool
	// answer, when set, is the status and text of every POST /switchover (503, say).
	answer     int
	answerText string
	requests   []Request
}

// Start serves a two-member cluster in synchronous mode: n1 leads on timeline 1, n2 is its
// streaming synchronous standby, 0 bytes behind. It stops when the test ends.
func Start(tb testing.TB) *Fake {
	f := &Fake{sync: true, members: []Member{
		{Name: "n1", Role: "leader", State: "running", Timeline: 1},
		{Name: "n2", Role: "sync_standby", State: "running", Timeline: 1, Streaming: true},
	}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Set replaces the members and says whether the cluster is in synchronous mode.
func (f *Fake) Set(synchronous bool, members ...Member) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync, f.members = synchronous, append([]Member(nil), members...)
}

// Update changes the member called name.
func (f *Fake) Update(name string, change func(*Member)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.members {
		if f.members[i].Name == name {
			change(&f.members[i])
		}
	}
}

// Answer makes every POST /switchover answer status with text (0: behave as Patroni).
func (f *Fake) Answer(status int, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer, f.answerText = status, text
}

// Requests are the switchovers asked for, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// Leader is the name of the member that leads, or "".
func (f *Fake) Leader() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l := f.leader(); l != nil {
		return l.Name
	}
	return ""
}

// APIURL is the api_url of the member called name.
func (f *Fake) APIURL(name string) string { return f.URL + "/member/" + name }

func (f *Fake) leader() *Member {
	for i := range f.members {
		if f.members[i].Role == "leader" {
			return &f.members[i]
		}
	}
	return nil
}

func (f *Fake) member(name string) *Member {
	for i := range f.members {
		if f.members[i].Name == name {
			return &f.members[i]
		}
	}
	return nil
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/cluster":
		f.cluster(w)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/member/") && strings.HasSuffix(path, "/patroni"):
		f.status(w, strings.TrimSuffix(strings.TrimPrefix(path, "/member/"), "/patroni"))
	case r.Method == http.MethodGet && path == "/primary":
		code := http.StatusServiceUnavailable
		if f.leader() != nil {
			code = http.StatusOK // the base URL is the leader's
		}
		w.WriteHeader(code)
	case r.Method == http.MethodGet && path == "/replica":
		f.replica(w, r)
	case r.Method == http.MethodPost && path == "/switchover":
		f.switchover(w, r)
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

func (f *Fake) cluster(w http.ResponseWriter) {
	var ms []map[string]any
	for _, m := range f.members {
		j := map[string]any{"name": m.Name, "role": m.Role, "state": m.State, "api_url": f.APIURL(m.Name),
			"host": "127.0.0.1", "port": 5432, "timeline": m.Timeline}
		if m.Role != "leader" {
			if m.Lag < 0 {
				j["lag"] = "unknown"
			} else {
				j["lag"] = m.Lag
			}
		}
		ms = append(ms, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": ms})
}

// status answers GET /patroni of a member as Patroni 3.0.2 does (a primary says "master").
func (f *Fake) status(w http.ResponseWriter, name string) {
	m := f.member(name)
	if m == nil {
		http.Error(w, "no such member", http.StatusNotFound)
		return
	}
	if m.Role == "leader" {
		var reps []map[string]string
		for _, o := range f.members {
			if o.Role != "leader" && o.Streaming {
				sync := "async"
				if o.Role == "sync_standby" {
					sync = "sync"
				}
				reps = append(reps, map[string]string{"application_name": o.Name, "state": "streaming", "sync_state": sync, "usename": "replicator"})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"state": m.State, "role": "master", "timeline": m.Timeline,
			"xlog": map[string]any{"location": 50331648}, "replication": reps})
		return
	}
	replayed := "None" // Python's str(None), as json.dumps(default=str) writes no timestamp
	if !m.ReplayedAt.IsZero() {
		replayed = m.ReplayedAt.UTC().Format("2006-01-02 15:04:05.999999+00:00")
	}
	st := map[string]any{"state": m.State, "role": "replica", "timeline": m.Timeline,
		"xlog": map[string]any{"received_location": 50331648, "replayed_location": 50331648, "replayed_timestamp": replayed, "paused": false}}
	if m.Role == "sync_standby" {
		st["sync_standby"] = true
	}
	writeJSON(w, http.StatusOK, st)
}

// replica answers GET /replica?lag=: 200 for a running replica within the lag. The base URL
// is the leader's, so it answers for the first replica, as a load balancer would see it.
func (f *Fake) replica(w http.ResponseWriter, r *http.Request) {
	maxLag := int64(-1)
	if v := r.URL.Query().Get("lag"); v != "" {
		n, err := parseBytes(v)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		maxLag = n
	}
	for _, m := range f.members {
		if m.Role != "leader" {
			if m.State == "running" && m.Lag >= 0 && (maxLag < 0 || m.Lag <= maxLag) {
				w.WriteHeader(http.StatusOK)
			} else {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
			return
		}
	}
	w.WriteHeader(http.StatusServiceUnavailable)
}

// parseBytes reads 16MB, 1kB or a plain number of bytes, as Patroni's parse_int(v, 'B').
func parseBytes(v string) (int64, error) {
	units := []struct {
		suffix string
		n      int64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"kB", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			n, err := strconv.ParseInt(strings.TrimSuffix(v, u.suffix), 10, 64)
			return n * u.n, err
		}
	}
	return strconv.ParseInt(v, 10, 64)
}

// switchover follows do_POST_failover(action='switchover') of Patroni 3.0.2.
func (f *Fake) switchover(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Leader      string `json:"leader"`
		Candidate   string `json:"candidate"`
		ScheduledAt string `json:"scheduled_at"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeText(w, http.StatusBadRequest, "Bad request")
		return
	}
	f.requests = append(f.requests, Request{Leader: req.Leader, Candidate: req.Candidate, ScheduledAt: req.ScheduledAt})
	if f.answer != 0 {
		writeText(w, f.answer, f.answerText)
		return
	}
	if req.Leader == "" {
		writeText(w, http.StatusBadRequest, "Switchover could be performed only from a specific leader")
		return
	}
	if req.ScheduledAt != "" {
		writeText(w, http.StatusAccepted, "Switchover scheduled")
		return
	}
	leader := f.leader()
	if leader == nil || leader.Name != req.Leader {
		writeText(w, http.StatusPreconditionFailed, "leader name does not match")
		return
	}
	var cand *Member
	if req.Candidate != "" {
		cand = f.member(req.Candidate)
		if f.sync && (cand == nil || cand.Role != "sync_standby") {
			writeText(w, http.StatusPreconditionFailed, "candidate name does not match with sync_standby")
			return
		}
		if cand == nil {
			writeText(w, http.StatusPreconditionFailed, "candidate does not exists")
			return
		}
	} else {
		for i := range f.members {
			if m := &f.members[i]; m.Role != "leader" && (!f.sync || m.Role == "sync_standby") {
				cand = m
				break
			}
		}
	}
	if cand == nil || cand.State != "running" {
		writeText(w, http.StatusPreconditionFailed, "switchover is not possible: no good candidates have been found")
		return
	}
	tl := leader.Timeline + 1
	leader.Role, leader.Timeline, leader.Lag, leader.Streaming = "replica", tl, 0, true
	if f.sync {
		leader.Role = "sync_standby"
	}
	cand.Role, cand.Timeline, cand.Lag, cand.Streaming = "leader", tl, 0, false
	for i := range f.members {
		f.members[i].Timeline = tl
	}
	writeText(w, http.StatusOK, fmt.Sprintf("Successfully switched over to %q", cand.Name))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprint(w, text)
}
