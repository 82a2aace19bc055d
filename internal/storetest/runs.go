package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func runCases() []testCase {
	return []testCase{
		{"CreateRunSetsIDs", createRunSetsIDs},
		{"EveryFieldRoundTrips", everyRunFieldRoundTrips},
		{"EveryActionRoundTrips", everyActionRoundTrips},
		{"StepsReadInSeqOrder", stepsReadInSeqOrder},
		{"RunsOldestFirst", runsOldestFirst},
		{"UpdateRunStoresTheCard", updateRunStoresTheCard},
		{"UpdateRunStepStoresWhatHappened", updateRunStepStoresWhatHappened},
		{"RunStepRef", runStepRef},
		{"StepsInState", stepsInState},
	}
}

func intp(n int) *int          { return &n }
func strp(s string) *string    { return &s }
func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// actions is one action of every type, each field set the way a playbook sets it; the
// values of the untyped fields (patch, body) are as JSON decodes them.
func actions() []incident.Action {
	return []incident.Action{
		{Type: "manual", Instructions: "Check the dashboard, then *press* Mark done.\n— <the> on-call"},
		{Type: "notify", Text: "INC-1 is being handled “now”", Channel: "C0EXEC"},
		{Type: "notify", Text: "in the incident channel"},
		{Type: "http", Method: "put", URL: "https://dns-failover.internal:8443/v1/failover?region=us-west-2",
			Headers:       map[string]*string{"Content-Type": strp("application/json"), "X-Remove": nil, "X-Empty": strp("")},
			SecretHeaders: map[string]string{"Authorization": "DNS_FAILOVER_TOKEN"},
			Body:          map[string]any{"region": "us-west-2", "weight": 100.0, "force": true, "hosts": []any{"a", "b"}, "none": nil},
			Expect:        []int{200, 202, 409}, Timeout: 90 * time.Second},
		{Type: "http", URL: "http://patroni.nephoran-system.svc:8008/switchover", Body: "leader=pg-0"},
		{Type: "kubernetes.rollout-restart", Cluster: "us-west-2", Namespace: "nephoran-system", Deployment: "nephoran-controller"},
		{Type: "kubernetes.rollout-restart", Namespace: "nephoran-system", All: true},
		{Type: "kubernetes.scale", Cluster: "eu-west-1", Namespace: "ns", StatefulSet: "pg", Replicas: intp(0)},
		{Type: "kubernetes.scale", Namespace: "ns", Deployment: "api", Replicas: intp(7)},
		{Type: "kubernetes.wait", Namespace: "ns", DaemonSet: "node-agent", For: "rollout-complete", Timeout: 5*time.Minute + ms(250)},
		{Type: "kubernetes.check", Namespace: "ns", Selector: "app=api,tier in (web)", MinReady: intp(0)},
		{Type: "kubernetes.patch", Namespace: "nephoran-system", APIVersion: "v1", Kind: "ConfigMap", Name: "database-config", PatchType: "merge",
			Patch: map[string]any{"data": map[string]any{"primary.host": "postgresql-replica-0", "port": "5432"}}},
		{Type: "kubernetes.patch", Namespace: "ns", Kind: "Deployment", Name: "api", PatchType: "json",
			Patch: []any{map[string]any{"op": "replace", "path": "/spec/replicas", "value": 3.0}}},
		{Type: "kubernetes.exec", Cluster: "us-west-2", Namespace: "nephoran-system", Pod: "postgresql-replica-0", Container: "postgres",
			Command: []string{"patronictl", "switchover", "--master", "postgresql-primary", "--candidate", "postgresql-replica-0", "--force", "it's \"quoted\""},
			Timeout: 2 * time.Minute},
		{Type: "kubernetes.apply", Namespace: "ns", Manifest: "manifests/standby.yaml", Content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: \"v\"\n"},
		{Type: "kubernetes.cordon", Cluster: "us-east-1", Node: "node-7"},
		{Type: "kubernetes.drain", Node: "node-7", IgnoreDaemonSets: true, DeleteEmptyDirData: true, Timeout: 10 * time.Minute},
	}
}

// fullRun is a run of two phases whose steps set every field of their specs.
func fullRun(incidentID int64) *incident.Run {
	started := at(time.Minute)
	r := &incident.Run{
		IncidentID: incidentID, Playbook: "regional-outage", Title: "Regional data center outage — “us-west-2”",
		Params:    map[string]string{"target_region": "us-west-2", "reason": "a=b c \"d\"", "empty": ""},
		StartedBy: "U0ALICE", StartedAt: started, CardTS: "",
	}
	for i, a := range actions() {
		phase := i / 9
		spec := incident.StepSpec{
			StepID: fmt.Sprintf("step-%d", i+1), Title: fmt.Sprintf("Step %d: %s", i+1, a.Type), Owner: incident.RoleTechnicalLead,
			Action: a, Summary: a.Type + " on one line", Mutating: a.Type != "manual" && a.Type != "notify",
		}
		if i%3 == 0 {
			spec.ApprovalRoles, spec.ApprovalGroups, spec.TwoPerson = []incident.Role{incident.RoleCommander, incident.RoleTechnicalLead}, []string{"sre-leads"}, true
			spec.Plan, spec.DrillLive = "a rendered plan", true
		}
		r.Steps = append(r.Steps, incident.RunStep{
			Seq: i + 1, Phase: phase, PhaseName: fmt.Sprintf("Phase %d", phase+1), PhaseAfter: time.Duration(phase) * 15 * time.Minute,
			PhaseWithin: time.Duration(phase+1)*15*time.Minute + ms(1), Spec: spec, State: incident.StepPending, UpdatedAt: started,
		})
	}
	return r
}

func createRun(t *testing.T, s incident.Store, r *incident.Run) *incident.Run {
	t.Helper()
	update(t, s, func(tx incident.Tx) error { return tx.CreateRun(r) })
	return r
}

func readRun(t *testing.T, s incident.Store, id int64) *incident.Run {
	t.Helper()
	var r *incident.Run
	view(t, s, func(tx incident.Tx) (err error) { r, err = tx.Run(id); return err })
	return r
}

// CreateRun sets the run's ID and each step's ID and RunID; step IDs are distinct across
// runs.
func createRunSetsIDs(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	seen := map[int64]bool{}
	for range 2 {
		r := createRun(t, s, fullRun(inc.ID))
		if r.ID <= 0 {
			t.Errorf("CreateRun set run ID %d", r.ID)
		}
		for _, st := range r.Steps {
			if st.ID <= 0 || seen[st.ID] {
				t.Errorf("step %d got ID %d (taken: %v)", st.Seq, st.ID, seen[st.ID])
			}
			if st.RunID != r.ID {
				t.Errorf("step %d has RunID %d, want %d", st.Seq, st.RunID, r.ID)
			}
			seen[st.ID] = true
		}
	}
}

// A run and its steps read back exactly through Run and Runs, in UTC, Number left 0.
func everyRunFieldRoundTrips(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	want := createRun(t, s, fullRun(inc.ID))
	got := readRun(t, s, want.ID)
	wantNoDiff(t, "Run", want, got)
	wantUTC(t, "Run", got)
	var runs []incident.Run
	view(t, s, func(tx incident.Tx) (err error) { runs, err = tx.Runs(inc.ID); return err })
	if len(runs) != 1 {
		t.Fatalf("Runs: %d runs", len(runs))
	}
	wantNoDiff(t, "Runs", *want, runs[0])
}

// Each action type reads back with every field it set: pointers to zero stay pointers to
// zero, a header set to null stays null, untyped patch and body values keep their shape.
func everyActionRoundTrips(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	r := createRun(t, s, fullRun(inc.ID))
	got := readRun(t, s, r.ID)
	if len(got.Steps) != len(actions()) {
		t.Fatalf("%d steps, want %d", len(got.Steps), len(actions()))
	}
	for i, want := range actions() {
		wantNoDiff(t, fmt.Sprintf("step %d (%s)", i+1, want.Type), want, got.Steps[i].Spec.Action)
	}
	if rep := got.Steps[7].Spec.Action.Replicas; rep == nil || *rep != 0 {
		t.Errorf("scale to 0 replicas reads back as %v", rep)
	}
	if h := got.Steps[3].Spec.Action.Headers; h == nil || h["X-Remove"] != nil || h["X-Empty"] == nil {
		t.Errorf("headers read back as %v", h)
	}
}

// Run returns the steps in seq order, however they were listed when the run was created
// (a step's Seq is its index plus one for the domain).
func stepsReadInSeqOrder(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	r := fullRun(inc.ID)
	r.Steps = r.Steps[:4]
	r.Steps[0], r.Steps[2] = r.Steps[2], r.Steps[0]
	createRun(t, s, r)
	got := readRun(t, s, r.ID)
	var seqs []int
	for _, st := range got.Steps {
		seqs = append(seqs, st.Seq)
	}
	if !slices.Equal(seqs, []int{1, 2, 3, 4}) {
		t.Errorf("steps read back in seq order %v, want [1 2 3 4]", seqs)
	}
}

// Runs lists an incident's runs oldest first, each with its steps, and none of other
// incidents.
func runsOldestFirst(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	var want []incident.Run
	for i := range 3 {
		r := fullRun(a.ID)
		r.Playbook, r.Steps = fmt.Sprintf("playbook-%d", i), r.Steps[:i+1]
		createRun(t, s, r)
		other := fullRun(b.ID)
		other.Steps = other.Steps[:1]
		createRun(t, s, other)
		want = append(want, *r)
	}
	var got []incident.Run
	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.Runs(a.ID); return err })
	wantNoDiff(t, "Runs", want, got)
	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.Runs(b.ID + 100); return err })
	if len(got) != 0 {
		t.Errorf("Runs of no incident: %d", len(got))
	}
}

// UpdateRun stores the run's card.
func updateRunStoresTheCard(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	r := createRun(t, s, fullRun(inc.ID))
	r.CardTS = "1772600767.000900"
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRun(r) })
	wantNoDiff(t, "Run", r, readRun(t, s, r.ID))
}

// UpdateRunStep stores a step's state and what happened to it, and leaves its other steps
// as they were.
func updateRunStepStoresWhatHappened(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	r := createRun(t, s, fullRun(inc.ID))
	st := &r.Steps[2]
	st.State, st.RequestedBy, st.ApprovedBy, st.DecidedBy = incident.StepSucceeded, "U0BOB", "U0CAROL", "U0DAVE"
	st.Attempts, st.Output, st.CardTS = 2, "HTTP 200 OK\n{\"ok\":true} — “done” <&>", "1772600767.000300"
	st.UpdatedAt, st.Plan, st.PlannedAt = at(time.Hour+ms(7)), "would patch ConfigMap/database-config:\n  data.primary.host: pg-0", at(50*time.Minute+ms(1))
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(st) })
	wantNoDiff(t, "Run after UpdateRunStep", r, readRun(t, s, r.ID))

	st.State, st.Output, st.Plan, st.PlannedAt, st.ApprovedBy = incident.StepUnknown, "", "", time.Time{}, ""
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(st) })
	wantNoDiff(t, "Run after clearing fields", r, readRun(t, s, r.ID))
}

// RunStepRef returns the run of a step.
func runStepRef(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	r1 := createRun(t, s, fullRun(inc.ID))
	r2 := createRun(t, s, fullRun(inc.ID))
	view(t, s, func(tx incident.Tx) error {
		for _, r := range []*incident.Run{r1, r2} {
			for _, st := range r.Steps {
				got, err := tx.RunStepRef(st.ID)
				if err != nil || got != r.ID {
					t.Errorf("RunStepRef(%d) = %d, %v; want %d", st.ID, got, err, r.ID)
				}
			}
		}
		return nil
	})
}

// StepsInState returns every step in a state, across runs and incidents, each as stored.
func stepsInState(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	ra := createRun(t, s, fullRun(a.ID))
	rb := createRun(t, s, fullRun(b.ID))
	in := func(st incident.StepState) []incident.RunStep {
		t.Helper()
		var out []incident.RunStep
		view(t, s, func(tx incident.Tx) (err error) { out, err = tx.StepsInState(st); return err })
		slices.SortFunc(out, func(x, y incident.RunStep) int { return cmp.Compare(x.ID, y.ID) })
		return out
	}
	if got := in(incident.StepRunning); len(got) != 0 {
		t.Errorf("StepsInState(running) before any ran: %d", len(got))
	}
	running := []*incident.RunStep{&ra.Steps[1], &ra.Steps[4], &rb.Steps[0]}
	for _, st := range running {
		st.State, st.Attempts, st.UpdatedAt = incident.StepRunning, 1, at(time.Hour)
		update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(st) })
	}
	wantNoDiff(t, "StepsInState(running)", []incident.RunStep{*running[0], *running[1], *running[2]}, in(incident.StepRunning))
	if got := len(in(incident.StepPending)); got != len(ra.Steps)+len(rb.Steps)-3 {
		t.Errorf("StepsInState(pending): %d steps, want %d", got, len(ra.Steps)+len(rb.Steps)-3)
	}
	running[1].State = incident.StepUnknown
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(running[1]) })
	wantNoDiff(t, "StepsInState(running) after one became unknown", []incident.RunStep{*running[0], *running[2]}, in(incident.StepRunning))
	wantNoDiff(t, "StepsInState(unknown)", []incident.RunStep{*running[1]}, in(incident.StepUnknown))
}
