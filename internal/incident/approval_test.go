package incident_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// A plan's digest is 16 hex digits, the same for two dry runs of the same state (a rollout
// restart's restartedAt stamp is the time of the dry run, and observedGeneration follows the
// controller), and different when anything else in the plan differs.
func TestPlanDigest(t *testing.T) {
	restart := func(stamp string, gen, observed int) string {
		return "would restart deployment apps/api: kubectl.kubernetes.io/restartedAt=" + stamp +
			"; generation " + itoa(gen) + ", observedGeneration " + itoa(observed) + ", replicas 3"
	}
	a := incident.PlanDigest(restart("2026-11-26T03:00:00Z", 4, 3))
	if len(a) != 16 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Fatalf("digest %q is not 16 hex digits", a)
	}
	for _, same := range []string{restart("2026-11-26T03:04:59Z", 4, 3), restart("2026-11-26T03:04:59+01:00", 4, 4)} {
		if d := incident.PlanDigest(same); d != a {
			t.Errorf("%q has digest %s, want %s (the same state)", same, d, a)
		}
	}
	for _, other := range []string{restart("2026-11-26T03:00:00Z", 5, 3), strings.Replace(restart("2026-11-26T03:00:00Z", 4, 3), "replicas 3", "replicas 2", 1),
		"would scale deployment apps/api: replicas 1 -> 3"} {
		if d := incident.PlanDigest(other); d == a {
			t.Errorf("%q has the digest of another plan", other)
		}
	}
	if d := incident.PlanDigest(""); d != "" {
		t.Errorf("no plan has digest %q", d)
	}
	// A switchover's lag moves with every write; its leader and candidate do not.
	switchover := func(leader, candidate, lag string) string {
		return "would switch over the Patroni cluster at http://patroni.db.svc:8008 (POST /switchover)\nleader: " + leader +
			" (timeline 1)\ncandidate: " + candidate + " (replica, streaming), lag " + lag + "\nother replica: pg-2 (replica, streaming), lag " + lag
	}
	if incident.PlanDigest(switchover("pg-0", "pg-1", "0 B")) != incident.PlanDigest(switchover("pg-0", "pg-1", "16 MB")) {
		t.Error("a switchover's plan changed its digest with the replica lag alone")
	}
	if incident.PlanDigest(switchover("pg-0", "pg-1", "0 B")) == incident.PlanDigest(switchover("pg-1", "pg-0", "0 B")) {
		t.Error("a switchover to another candidate has the same digest")
	}
}

func itoa(n int) string { return string(rune('0' + n)) }

// What changed between two plans is a line diff: removed lines first, then added ones, in
// plan order, cut at 20 lines.
func TestPlanChange(t *testing.T) {
	for _, c := range []struct{ name, was, now, want string }{
		{"one line", "replicas 1 -> 3", "replicas 2 -> 3", "- replicas 1 -> 3\n+ replicas 2 -> 3"},
		{"kept lines are left out", "would patch ConfigMap ns/db:\ndata.host: a -> b\ndata.port: 1 -> 2",
			"would patch ConfigMap ns/db:\ndata.host: c -> b\ndata.port: 1 -> 2\ndata.user: (unset) -> x",
			"- data.host: a -> b\n+ data.host: c -> b\n+ data.user: (unset) -> x"},
		{"only noise", "x", "x", "(only what the digest leaves out changed)"},
	} {
		if got := incident.PlanChange(c.was, c.now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	var long []string
	for i := range 30 {
		long = append(long, "line "+itoa(i%10)+itoa(i/10))
	}
	got := strings.Split(incident.PlanChange("", strings.Join(long, "\n")), "\n")
	if len(got) != 21 || got[20] != "... and 11 more changed lines" {
		t.Errorf("a long change: %d lines, ending %q", len(got), got[len(got)-1])
	}
}
