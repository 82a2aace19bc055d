package patroni

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv/patronifake"
)

func switchoverStep(url, leader, candidate string) *incident.RunStep {
	return &incident.RunStep{ID: 1, Seq: 3, Spec: incident.StepSpec{StepID: "promote-db", Title: "Promote the standby", Mutating: true,
		Action: incident.Action{Type: ActionType, URL: url, Leader: leader, Candidate: candidate}}}
}

var fixedNow = time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)

func executor() *Executor {
	return &Executor{AllowedHosts: local, Now: func() time.Time { return fixedNow }, Confirm: 2 * time.Second}
}

// The plan names the leader, the candidate (the synchronous standby when none is given)
// and its lag, and changes nothing.
func TestPlan(t *testing.T) {
	f := patronifake.Start(t)
	f.Update("n2", func(m *patronifake.Member) { m.Lag = 512 })
	plan, err := executor().Plan(context.Background(), nil, switchoverStep(f.URL, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	want := "would switch over the Patroni cluster at " + f.URL + " (POST /switchover)\nleader: n1 (timeline 1)\ncandidate: n2 (sync_standby, running), lag 512 bytes"
	if plan != want {
		t.Errorf("plan:\n%s\nwant:\n%s", plan, want)
	}
	if len(f.Requests()) != 0 || f.Leader() != "n1" {
		t.Errorf("the plan changed something: %v, leader %s", f.Requests(), f.Leader())
	}
	plan, err = executor().Plan(context.Background(), nil, switchoverStep(f.URL, "n2", ""))
	if err != nil || !strings.HasPrefix(plan, "would not switch over "+f.URL+": n1 leads, not n2") {
		t.Errorf("plan with the wrong leader: %q %v", plan, err)
	}
	if _, err := executor().Plan(context.Background(), nil, switchoverStep("http://patroni.elsewhere:8008", "", "")); err == nil ||
		!strings.Contains(err.Error(), "not in actions.http.allowed_hosts") {
		t.Errorf("a host off the allow-list: %v", err)
	}
}

// A switchover to the synchronous standby succeeds with a measured RPO of 0 s.
func TestExecuteSynchronous(t *testing.T) {
	f := patronifake.Start(t)
	f.Update("n2", func(m *patronifake.Member) { m.Lag = 128 })
	res, err := executor().Execute(context.Background(), nil, switchoverStep(f.URL, "n1", "n2"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.RPO == nil || res.RPO.Window != 0 || res.RPO.LagBytes != 128 {
		t.Fatalf("result %+v (rpo %+v)", res, res.RPO)
	}
	for _, want := range []string{"Switched over: n1 -> n2, timeline 2", `Successfully switched over to "n2"`, "candidate: n2 (sync_standby, running), lag 128 bytes",
		"Measured RPO: 0s (n2 was the synchronous standby"} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("output lacks %q:\n%s", want, res.Output)
		}
	}
	if got := f.Requests(); len(got) != 1 || got[0] != (patronifake.Request{Leader: "n1", Candidate: "n2"}) {
		t.Errorf("requests %+v", got)
	}
}

// An asynchronous replica behind the leader: the window is the age of its last replayed
// transaction when the lag was read.
func TestExecuteAsynchronousBehind(t *testing.T) {
	f := patronifake.Start(t)
	f.Set(false,
		patronifake.Member{Name: "n1", Role: "leader", State: "running", Timeline: 5},
		patronifake.Member{Name: "n2", Role: "replica", State: "running", Timeline: 5, Lag: 1 << 20, Streaming: true, ReplayedAt: fixedNow.Add(-12 * time.Second)},
		patronifake.Member{Name: "n3", Role: "replica", State: "running", Timeline: 5, Lag: 4 << 20, Streaming: true})
	res, err := executor().Execute(context.Background(), nil, switchoverStep(f.URL, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.RPO == nil || res.RPO.Window != 12*time.Second || res.RPO.LagBytes != 1<<20 {
		t.Fatalf("result %+v (rpo %+v)", res, res.RPO)
	}
	if !strings.Contains(res.Output, "n2 was 1048576 bytes (1.0 MB) behind; its last replayed transaction was 12s old") ||
		!strings.Contains(res.Output, "other replica: n3 (replica, running), lag 4194304 bytes") {
		t.Errorf("output:\n%s", res.Output)
	}
	if f.Requests()[0].Candidate != "n2" {
		t.Errorf("candidate %q, want the least behind, n2", f.Requests()[0].Candidate)
	}

	// Without a replay time the switchover still succeeds; no RPO is measured.
	f.Set(false,
		patronifake.Member{Name: "n1", Role: "leader", State: "running", Timeline: 5},
		patronifake.Member{Name: "n2", Role: "replica", State: "running", Timeline: 5, Lag: 100, Streaming: true})
	res, err = executor().Execute(context.Background(), nil, switchoverStep(f.URL, "", ""))
	if err != nil || !res.OK || res.RPO != nil || !strings.Contains(res.Output, "RPO not measured: n2 was 100 bytes behind and has replayed no transaction") {
		t.Errorf("result %+v %v", res, err)
	}
}

// Refusals and unknown outcomes are failed results that say what happened; nothing is
// measured.
func TestExecuteRefused(t *testing.T) {
	ctx := context.Background()
	f := patronifake.Start(t)
	f.Set(true,
		patronifake.Member{Name: "n1", Role: "leader", State: "running", Timeline: 1},
		patronifake.Member{Name: "n2", Role: "sync_standby", State: "running", Timeline: 1, Streaming: true},
		patronifake.Member{Name: "n3", Role: "replica", State: "running", Timeline: 1, Streaming: true},
		patronifake.Member{Name: "n4", Role: "replica", State: "stopped", Lag: -1})

	for _, tc := range []struct {
		name, leader, candidate string
		answer                  int
		says                    string
		posted                  bool
	}{
		{"wrong leader", "n2", "", 0, "Not switched over: n1 leads, not n2.", false},
		{"no such member", "", "n9", 0, "Not switched over: n9 is not a replica of the cluster.", false},
		{"not streaming", "", "n4", 0, "Not switched over: n4 does not stream from the leader (stopped).", false},
		{"412 from Patroni", "", "n3", 0, "Patroni says the switchover is not possible (412): candidate name does not match with sync_standby", true},
		{"503 from Patroni", "", "n2", http.StatusServiceUnavailable, "the switchover's outcome is unknown (Patroni answered 503): Switchover failed.\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.Answer(tc.answer, "Switchover failed")
			before := len(f.Requests())
			res, err := executor().Execute(ctx, nil, switchoverStep(f.URL, tc.leader, tc.candidate))
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.RPO != nil || !strings.Contains(res.Output, tc.says) {
				t.Errorf("result %+v, want a failure saying %q", res, tc.says)
			}
			if posted := len(f.Requests()) > before; posted != tc.posted {
				t.Errorf("posted %v, want %v", posted, tc.posted)
			}
			if tc.answer == http.StatusServiceUnavailable && !strings.Contains(res.Output, "Check GET /cluster") {
				t.Errorf("an unknown outcome does not say to check who leads:\n%s", res.Output)
			}
		})
	}
	if f.Leader() != "n1" {
		t.Errorf("leader %s after refusals", f.Leader())
	}
	// Patroni cannot be read at all: an error.
	if _, err := executor().Execute(ctx, nil, switchoverStep("http://127.0.0.1:1", "", "")); err == nil {
		t.Error("no error with Patroni unreachable")
	}
}
