package patroni

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv/patronifake"
)

var local = []string{"127.0.0.1"}

func client(t *testing.T, f *patronifake.Fake) *Client {
	t.Helper()
	c, err := New(f.URL, local, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// URLs off the allow-list, with credentials or not http are refused before any request.
func TestNewRefusesURLs(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"http://patroni.evil:8008", `host "patroni.evil" is not in actions.http.allowed_hosts`},
		{"http://u:p@127.0.0.1:8008", "credentials in the URL"},
		{"ftp://127.0.0.1/", "expected an http or https URL"},
		{"127.0.0.1:8008", "expected an http or https URL"},
	} {
		if _, err := New(tc.url, local, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q) = %v, want %q", tc.url, err, tc.want)
		}
	}
	if _, err := New("http://127.0.0.1:8008/", local, nil); err != nil {
		t.Errorf("an allowed URL: %v", err)
	}
}

func TestCluster(t *testing.T) {
	f := patronifake.Start(t)
	f.Set(false,
		patronifake.Member{Name: "n1", Role: "leader", State: "running", Timeline: 4},
		patronifake.Member{Name: "n2", Role: "replica", State: "running", Timeline: 4, Lag: 4096, Streaming: true},
		patronifake.Member{Name: "n3", Role: "replica", State: "stopped", Lag: -1})
	cl, err := client(t, f).Cluster(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l := cl.Leader(); l == nil || l.Name != "n1" || l.Timeline != 4 || l.Lag.Known {
		t.Errorf("leader %+v", l)
	}
	if m := cl.Member("n2"); m == nil || !m.Replica() || m.Lag != (Lag{Bytes: 4096, Known: true}) || m.APIURL != f.APIURL("n2") {
		t.Errorf("n2 %+v", m)
	}
	if m := cl.Member("n3"); m == nil || m.Lag.Known || m.Lag.String() != "unknown" {
		t.Errorf("n3 %+v: want an unknown lag", m)
	}
}

// ReplicaLag names the leader, each replica's lag, the largest, and who does not stream,
// as the leader's pg_stat_replication says.
func TestReplicaLag(t *testing.T) {
	f := patronifake.Start(t)
	f.Set(false,
		patronifake.Member{Name: "n1", Role: "leader", State: "running", Timeline: 2},
		patronifake.Member{Name: "n2", Role: "replica", State: "running", Timeline: 2, Lag: 8192, Streaming: true},
		patronifake.Member{Name: "n3", Role: "replica", State: "running", Timeline: 2, Lag: 16, Streaming: false},
		patronifake.Member{Name: "n4", Role: "replica", State: "stopped", Lag: -1})
	r, err := client(t, f).ReplicaLag(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Leader != "n1" || r.Timeline != 2 || !r.Confirmed || len(r.Replicas) != 3 {
		t.Fatalf("replication %+v", r)
	}
	if r.MaxLag != (Lag{Bytes: 8192, Known: true}) {
		t.Errorf("max lag %v, want 8192 bytes", r.MaxLag)
	}
	if got := strings.Join(r.NotStreaming, ","); got != "n3,n4" {
		t.Errorf("not streaming %q, want n3,n4", got)
	}
	if r.OK() {
		t.Error("OK with replicas not streaming")
	}
	text := r.String()
	for _, want := range []string{"n1 leads (timeline 2)", "n2 (replica, running): streaming, lag 8192 bytes (8.0 kB)", "n3 (replica, running): NOT streaming", "Max lag: 8192 bytes", "Not streaming: n3, n4."} {
		if !strings.Contains(text, want) {
			t.Errorf("String() lacks %q:\n%s", want, text)
		}
	}

	f.Set(true,
		patronifake.Member{Name: "n1", Role: "leader", State: "running", Timeline: 2},
		patronifake.Member{Name: "n2", Role: "sync_standby", State: "running", Timeline: 2, Streaming: true})
	if r, err = client(t, f).ReplicaLag(context.Background()); err != nil || !r.OK() || !r.Replica("n2").Sync || r.MaxLag.Bytes != 0 || !r.MaxLag.Known {
		t.Errorf("healthy pair: %+v %v", r, err)
	}
}

// Without the leader's REST API on an allowed host, streaming is judged from /cluster's
// member states, and the report says so.
func TestReplicaLagUnconfirmed(t *testing.T) {
	f := patronifake.Start(t)
	f.Set(false,
		patronifake.Member{Name: "n1", Role: "leader", State: "running", Timeline: 3},
		patronifake.Member{Name: "n2", Role: "replica", State: "running", Timeline: 3, Lag: 0},
		patronifake.Member{Name: "n3", Role: "replica", State: "running", Timeline: 2, Lag: 0})
	// The fake's api_urls are on 127.0.0.1: reach the base through "localhost" and allow only it.
	base := strings.Replace(f.URL, "127.0.0.1", "localhost", 1)
	c, err := New(base, []string{"localhost"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.ReplicaLag(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Confirmed || strings.Join(r.NotStreaming, ",") != "n3" {
		t.Errorf("replication %+v: want unconfirmed, n3 (an older timeline) not streaming", r)
	}
	if !strings.Contains(r.String(), "judged from the members' states") {
		t.Errorf("String() does not say how streaming was judged:\n%s", r)
	}
}

func TestReplica(t *testing.T) {
	f := patronifake.Start(t)
	f.Set(false,
		patronifake.Member{Name: "n1", Role: "leader", State: "running"},
		patronifake.Member{Name: "n2", Role: "replica", State: "running", Lag: 2 << 20})
	c := client(t, f)
	for _, tc := range []struct {
		lag  string
		want bool
	}{{"", true}, {"16MB", true}, {"1MB", false}, {"0", false}} {
		if got, err := c.Replica(context.Background(), tc.lag); err != nil || got != tc.want {
			t.Errorf("Replica(%q) = %v, %v; want %v", tc.lag, got, err, tc.want)
		}
	}
}

// Each status of POST /switchover is a clear result.
func TestSwitchoverStatuses(t *testing.T) {
	ctx := context.Background()
	f := patronifake.Start(t)
	c := client(t, f)

	if _, err := c.Switchover(ctx, "", "n2", time.Time{}); !IsKind(err, BadRequest) || !strings.Contains(err.Error(), "only from a specific leader") {
		t.Errorf("no leader: %v, want a 400", err)
	}
	if _, err := c.Switchover(ctx, "n2", "n1", time.Time{}); !IsKind(err, NotPossible) || !strings.Contains(err.Error(), "leader name does not match") {
		t.Errorf("wrong leader: %v, want a 412", err)
	}
	if r, err := c.Switchover(ctx, "n1", "n2", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil || r.Outcome != Scheduled || r.Status != 202 {
		t.Errorf("scheduled: %+v %v, want a 202", r, err)
	}
	if got := f.Requests()[2].ScheduledAt; got != "2030-01-01T00:00:00Z" {
		t.Errorf("scheduled_at sent as %q", got)
	}
	f.Answer(http.StatusServiceUnavailable, "Switchover status unknown")
	if _, err := c.Switchover(ctx, "n1", "n2", time.Time{}); !IsKind(err, UnknownOutcome) || !strings.Contains(err.Error(), "outcome is unknown (Patroni answered 503): Switchover status unknown") {
		t.Errorf("503: %v", err)
	}
	f.Answer(http.StatusInternalServerError, "boom")
	if _, err := c.Switchover(ctx, "n1", "n2", time.Time{}); !IsKind(err, Unexpected) || !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("500: %v", err)
	}
	f.Answer(0, "")
	r, err := c.Switchover(ctx, "n1", "n2", time.Time{})
	if err != nil || r.Outcome != SwitchedOver || r.NewLeader != "n2" || f.Leader() != "n2" {
		t.Errorf("switchover: %+v %v (leader %s)", r, err, f.Leader())
	}
}

// A request that got no answer may have switched over: its outcome is unknown.
func TestSwitchoverNoAnswer(t *testing.T) {
	f := patronifake.Start(t)
	c := client(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Switchover(ctx, "n1", "n2", time.Time{}); !IsKind(err, UnknownOutcome) {
		t.Errorf("err %v, want an unknown outcome", err)
	}
}

func TestStatusReplayedAt(t *testing.T) {
	f := patronifake.Start(t)
	at := time.Date(2026, 12, 1, 20, 45, 34, 123456000, time.UTC)
	f.Update("n2", func(m *patronifake.Member) { m.ReplayedAt = at })
	c := client(t, f)
	st, err := c.Status(context.Background(), f.APIURL("n2"))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := st.ReplayedAt(); !ok || !got.Equal(at) || !st.SyncStandby || st.Role != "replica" {
		t.Errorf("status %+v: replayed at %v %v", st, got, ok)
	}
	f.Update("n2", func(m *patronifake.Member) { m.ReplayedAt = time.Time{} })
	if st, err = c.Status(context.Background(), f.APIURL("n2")); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.ReplayedAt(); ok {
		t.Errorf("a replica that replayed nothing has a replay time: %q", st.XLog.ReplayedTimestamp)
	}
	if _, err := c.Status(context.Background(), "http://10.0.0.7:8008/patroni"); err == nil {
		t.Error("Status called a member off the allow-list")
	}
}
