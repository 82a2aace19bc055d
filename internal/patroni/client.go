// Package patroni is a client of Patroni's REST API (GET /cluster, /patroni, /replica and
// POST /switchover) and the executor of the patroni.switchover playbook action, which reads
// the candidate's replication lag right before it switches over and reports it as the RPO
// achieved (measure.go states the rule).
//
// Every URL it calls is on a host of actions.http.allowed_hosts, as for the http action:
// the configured base URL, and a member's own api_url only when its host is allowed too.
package patroni

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Client talks to one Patroni cluster through the REST API of any of its members.
type Client struct {
	base    *url.URL
	allowed []string
	http    *http.Client
}

// New returns a client of the Patroni REST API at base (http://host:8008), whose host must
// be in allowed (ports are ignored). hc nil is a client with a 30 s timeout that follows no
// redirect off the allow-list.
func New(base string, allowed []string, hc *http.Client) (*Client, error) {
	u, err := checkURL(base, allowed)
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := *hc
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !slices.Contains(allowed, req.URL.Hostname()) {
			return fmt.Errorf("redirect to %s refused: not an allowed host", req.URL.Hostname())
		}
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return nil
	}
	return &Client{base: u, allowed: allowed, http: &c}, nil
}

// checkURL parses an http(s) URL without credentials on an allowed host.
func checkURL(raw string, allowed []string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("patroni: expected an http or https URL, got %q", raw)
	}
	if u.User != nil {
		return nil, errors.New("patroni: credentials in the URL would be shown in plans")
	}
	if !slices.Contains(allowed, u.Hostname()) {
		return nil, fmt.Errorf("patroni: host %q is not in actions.http.allowed_hosts", u.Hostname())
	}
	return u, nil
}

// URL is the base URL the client calls.
func (c *Client) URL() string { return c.base.String() }

// Cluster is what GET /cluster says: the members as the DCS knows them.
type Cluster struct {
	Members []Member `json:"members"`
	Pause   bool     `json:"pause,omitempty"`
	// ScheduledSwitchover is set while a switchover waits for its time.
	ScheduledSwitchover *struct {
		At   string `json:"at"`
		From string `json:"from,omitempty"`
		To   string `json:"to,omitempty"`
	} `json:"scheduled_switchover,omitempty"`
}

// Member is one member of GET /cluster.
type Member struct {
	Name     string `json:"name"`
	Role     string `json:"role"`  // leader, standby_leader, sync_standby or replica
	State    string `json:"state"` // running, streaming (Patroni 3.0.4 and later), starting, stopped, ...
	APIURL   string `json:"api_url"`
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`
	Timeline int    `json:"timeline,omitempty"`
	Lag      Lag    `json:"lag"` // replicas only
}

// Lag is how many bytes of WAL a replica is behind the leader as the DCS last recorded it
// (each member updates it every loop_wait); Known is false when Patroni says "unknown"
// (and for the leader, which has none).
type Lag struct {
	Bytes int64
	Known bool
}

// UnmarshalJSON reads a number of bytes or "unknown".
func (l *Lag) UnmarshalJSON(data []byte) error {
	*l = Lag{}
	if string(data) == "null" || (len(data) > 0 && data[0] == '"') {
		return nil
	}
	n, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return fmt.Errorf("patroni: lag %s is not a number of bytes", data)
	}
	*l = Lag{Bytes: n, Known: true}
	return nil
}

// MarshalJSON writes the lag as Patroni does.
func (l Lag) MarshalJSON() ([]byte, error) {
	if !l.Known {
		return []byte(`"unknown"`), nil
	}
	return strconv.AppendInt(nil, l.Bytes, 10), nil
}

// String is "1234 bytes" or "unknown".
func (l Lag) String() string {
	if !l.Known {
		return "unknown"
	}
	return FormatBytes(l.Bytes)
}

// Leader is the member that leads, or nil.
func (cl *Cluster) Leader() *Member {
	for i := range cl.Members {
		if r := cl.Members[i].Role; r == "leader" || r == "standby_leader" {
			return &cl.Members[i]
		}
	}
	return nil
}

// Member is the member called name, or nil.
func (cl *Cluster) Member(name string) *Member {
	for i := range cl.Members {
		if cl.Members[i].Name == name {
			return &cl.Members[i]
		}
	}
	return nil
}

// Replica reports whether the member follows a leader (replica or sync_standby).
func (m *Member) Replica() bool { return m.Role == "replica" || m.Role == "sync_standby" }

// Cluster reads GET /cluster.
func (c *Client) Cluster(ctx context.Context) (*Cluster, error) {
	var cl Cluster
	if err := c.getJSON(ctx, c.base.String()+"/cluster", &cl); err != nil {
		return nil, err
	}
	return &cl, nil
}

// NodeStatus is what GET /patroni says of the node that answers it.
type NodeStatus struct {
	State    string `json:"state"`
	Role     string `json:"role"` // master (Patroni 3.0 says so of a primary) or replica
	Timeline int    `json:"timeline"`
	XLog     struct {
		Location          int64  `json:"location"`          // a primary's current WAL position
		ReceivedLocation  int64  `json:"received_location"` // a replica's
		ReplayedLocation  int64  `json:"replayed_location"`
		ReplayedTimestamp string `json:"replayed_timestamp"` // pg_last_xact_replay_timestamp(), "" or "None" when none
		Paused            bool   `json:"paused"`
	} `json:"xlog"`
	SyncStandby bool `json:"sync_standby,omitempty"`
	// Replication is a primary's pg_stat_replication: its standbys and their state.
	Replication []struct {
		ApplicationName string `json:"application_name"`
		State           string `json:"state"`      // streaming, catchup, ...
		SyncState       string `json:"sync_state"` // sync, async, potential, quorum
	} `json:"replication,omitempty"`
}

// ReplayedAt is when the last transaction the replica replayed was committed on the
// primary, and false when it has replayed none (or the answer has no time).
func (s *NodeStatus) ReplayedAt() (time.Time, bool) {
	v := s.XLog.ReplayedTimestamp
	if v == "" || v == "None" {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05-07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Status reads GET /patroni of a member by its api_url (as /cluster gives it), when its
// host is allowed; an error otherwise.
func (c *Client) Status(ctx context.Context, apiURL string) (*NodeStatus, error) {
	u, err := checkURL(apiURL, c.allowed)
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/patroni"), "/") + "/patroni"
	var st NodeStatus
	if err := c.getJSON(ctx, u.String(), &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Replica asks GET /replica?lag=maxLag of the node at the base URL: true when it is a
// running replica no more than maxLag behind the leader ("16MB", "0" or bytes; "" is no
// limit), false when Patroni answers 503.
func (c *Client) Replica(ctx context.Context, maxLag string) (bool, error) {
	u := c.base.String() + "/replica"
	if maxLag != "" {
		u += "?" + url.Values{"lag": {maxLag}}.Encode()
	}
	status, _, err := c.do(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, err
	}
	switch status {
	case http.StatusOK:
		return true, nil
	case http.StatusServiceUnavailable:
		return false, nil
	}
	return false, fmt.Errorf("patroni: GET /replica answered %d", status)
}

// getJSON decodes the 200 answer of GET u.
func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	status, body, err := c.do(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("patroni: GET %s answered %d: %s", pathOf(u), status, firstLine(body))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("patroni: GET %s: %w", pathOf(u), err)
	}
	return nil
}

// do sends a request and reads up to 1 MiB of the answer.
func (c *Client) do(ctx context.Context, method, u string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("User-Agent", "incidentbot")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, nil, fmt.Errorf("patroni: %s %s: %w", method, pathOf(u), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("patroni: %s %s: %w", method, pathOf(u), err)
	}
	return resp.StatusCode, data, nil
}

func pathOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Path
	}
	return u
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// FormatBytes writes a byte count as Patroni's lag is read: bytes, then kB, MB, GB.
func FormatBytes(n int64) string {
	switch {
	case n == 1:
		return "1 byte"
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d bytes (%.1f kB)", n, float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%d bytes (%.1f MB)", n, float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes (%.1f GB)", n, float64(n)/(1<<30))
}
