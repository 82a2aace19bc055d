package kubesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
)

// ServePatroni serves the simulated Patroni cluster's REST API (Patroni 3.0.2's GET
// /cluster, each member's GET /patroni and POST /switchover) on loopback, over the same
// members and leader patronictl answers for, so a switchover through either shows in
// Leader. It returns the base URL (http://127.0.0.1:port) and stops it when stop is called.
// Every member's api_url is on this server (URL + "/member/<name>"). The replicas stream
// and are 0 bytes behind: nothing writes to the simulated database.
func (c *Cluster) ServePatroni() (url string, stop func()) {
	srv := httptest.NewServer(http.HandlerFunc(c.db.serve))
	c.db.mu.Lock()
	c.db.apiURL = srv.URL
	c.db.mu.Unlock()
	return srv.URL, srv.Close
}

func (p *patroni) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch path := r.URL.Path; {
	case r.Method == http.MethodGet && path == "/cluster":
		p.cluster(w)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/member/") && strings.HasSuffix(path, "/patroni"):
		p.status(w, strings.TrimSuffix(strings.TrimPrefix(path, "/member/"), "/patroni"))
	case r.Method == http.MethodPost && path == "/switchover":
		p.switchover(w, r)
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

func (p *patroni) cluster(w http.ResponseWriter) {
	var ms []map[string]any
	for _, m := range p.members {
		j := map[string]any{"name": m, "role": "leader", "state": "running", "api_url": p.apiURL + "/member/" + m,
			"host": "127.0.0.1", "port": 5432, "timeline": p.tl}
		if m != p.leader {
			j["role"], j["state"], j["lag"] = "replica", "streaming", 0
		}
		ms = append(ms, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": ms})
}

// status answers a member's GET /patroni as Patroni 3.0.2 does (a primary says "master").
func (p *patroni) status(w http.ResponseWriter, name string) {
	if !slices.Contains(p.members, name) {
		http.Error(w, "no such member", http.StatusNotFound)
		return
	}
	if name != p.leader {
		writeJSON(w, http.StatusOK, map[string]any{"state": "running", "role": "replica", "timeline": p.tl,
			"xlog": map[string]any{"received_location": 50331648, "replayed_location": 50331648, "replayed_timestamp": "None", "paused": false}})
		return
	}
	var reps []map[string]string
	for _, m := range p.members {
		if m != p.leader {
			reps = append(reps, map[string]string{"application_name": m, "state": "streaming", "sync_state": "async", "usename": "replicator"})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"state": "running", "role": "master", "timeline": p.tl,
		"xlog": map[string]any{"location": 50331648}, "replication": reps})
}

// switchover follows Patroni 3.0.2's do_POST_failover(action='switchover') for a cluster
// not in synchronous mode, switching at once (a scheduled_at is not simulated).
func (p *patroni) switchover(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Leader      string `json:"leader"`
		Candidate   string `json:"candidate"`
		ScheduledAt string `json:"scheduled_at"`
	}
	switch err := json.NewDecoder(r.Body).Decode(&req); {
	case err != nil:
		writeText(w, http.StatusBadRequest, "Bad request")
	case req.Leader == "":
		writeText(w, http.StatusBadRequest, "Switchover could be performed only from a specific leader")
	case req.ScheduledAt != "":
		writeText(w, http.StatusBadRequest, "The simulated Patroni does not schedule switchovers")
	case req.Leader != p.leader:
		writeText(w, http.StatusPreconditionFailed, "leader name does not match")
	case req.Candidate != "" && !slices.Contains(p.members, req.Candidate):
		writeText(w, http.StatusPreconditionFailed, "candidate does not exists")
	case req.Candidate == p.leader:
		writeText(w, http.StatusPreconditionFailed, "switchover is not possible: no good candidates have been found")
	default:
		candidate := req.Candidate
		for _, m := range p.members {
			if candidate == "" && m != p.leader {
				candidate = m
			}
		}
		if candidate == "" {
			writeText(w, http.StatusPreconditionFailed, "switchover is not possible: no good candidates have been found")
			return
		}
		p.leader, p.tl = candidate, p.tl+1
		writeText(w, http.StatusOK, fmt.Sprintf("Successfully switched over to %q", candidate))
	}
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
