package playbook_test

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/playbooks"
)

// The step specs the last release stored (its action a JSON string of Go field names,
// beside action_type, notify_text and notify_channel) decode into the spec this release
// builds from the same playbook: the same typed action, summary, plan and approvals. The
// .jsonl files were written by that release: every step of the built-in library, and of
// every-field.yaml, which sets the fields the library leaves unused.
func TestStepSpecsOfTheLastRelease(t *testing.T) {
	lib := playbook.NewLibrary()
	if err := lib.LoadFS(playbooks.FS, ".", "playbooks", playbook.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := lib.LoadFS(os.DirFS("testdata/TestStepSpecsOfTheLastRelease"), ".", "testdata", playbook.Options{}); err != nil {
		t.Fatal(err)
	}
	inc := &incident.Incident{Number: 42, Title: "API down", Severity: incident.P1, Service: "api-gateway", Tier: 2, ChannelID: "C0INC42", Commander: "UALICE"}
	types := map[string]bool{}
	for _, file := range []string{"builtin.jsonl", "every-field.jsonl"} {
		f, err := os.Open("testdata/TestStepSpecsOfTheLastRelease/" + file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		lines := bufio.NewScanner(f)
		lines.Buffer(nil, 1<<20)
		for lines.Scan() {
			var stored struct {
				Playbook string
				Args     map[string]string
				Spec     json.RawMessage
			}
			if err := json.Unmarshal(lines.Bytes(), &stored); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(stored.Spec), `"action":"{\"Type\":`) {
				t.Fatalf("%s: not a spec as the last release stored it: %s", file, stored.Spec)
			}
			var old incident.StepSpec
			if err := json.Unmarshal(stored.Spec, &old); err != nil {
				t.Fatalf("%s: %v", stored.Spec, err)
			}
			p, ok := lib.Get(stored.Playbook)
			if !ok {
				t.Fatalf("no playbook %s", stored.Playbook)
			}
			run, err := playbook.Build(p, stored.Args, inc, playbook.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			now := stepSpec(t, run, old.StepID)
			if change, ok := changedSinceTheLastRelease[stored.Playbook+"/"+old.StepID]; ok {
				old = change(old) // the stored spec, as the playbook's change would have built it
			}
			if !reflect.DeepEqual(old, now) {
				t.Errorf("%s %s:\nstored by the last release: %+v\nbuilt now:                  %+v", stored.Playbook, old.StepID, old, now)
			}
			types[old.Action.Type] = true
		}
	}
	for _, k := range playbook.Kinds() {
		if !types[k.Type] && !newSinceTheLastRelease[k.Type] {
			t.Errorf("no stored step of type %s", k.Type)
		}
	}
}

// newSinceTheLastRelease are the action types the last release did not have: it stored no
// step of theirs.
var newSinceTheLastRelease = map[string]bool{playbook.PatroniSwitchover: true, "kubernetes.preflight": true}

// changedSinceTheLastRelease are the built-in steps whose playbook changed since the last
// release, each with the change: applied to the stored spec it must give the spec built now,
// so everything else about the step still decodes and builds as it did.
var changedSinceTheLastRelease = map[string]func(incident.StepSpec) incident.StepSpec{
	// The tertiary region's apply names its namespace: a Deployment cannot be applied
	// without one (the seed playbook drills on a real API server found it).
	"multi-region-cloud-outage/activate-tertiary": func(s incident.StepSpec) incident.StepSpec {
		s.Action.Namespace = "nephoran-system"
		s.Summary = playbook.Describe(s.Action)
		return s
	},
	// The database switchovers go through Patroni's REST API (patroni.switchover), which
	// measures the RPO achieved, instead of an exec of patronictl; the candidate, the
	// timeout, the approval rules, the title and the owner are as they were.
	"database-primary-failure/switchover": patroniSwitchover,
	"regional-outage/promote-standby":     patroniSwitchover,
}

// patroniSwitchover is the stored exec of `patronictl switchover --master L --candidate C`
// as the patroni.switchover step built now, at the param patroni_url's default.
func patroniSwitchover(s incident.StepSpec) incident.StepSpec {
	old := s.Action
	s.Action = incident.Action{Type: playbook.PatroniSwitchover, URL: "http://patroni.nephoran-system.svc:8008",
		Leader: old.Command[3], Candidate: old.Command[5], Timeout: old.Timeout}
	s.Summary = playbook.Describe(s.Action)
	return s
}

// stepSpec finds a built step and passes it through JSON, as the store does.
func stepSpec(t *testing.T, run incident.RunSpec, id string) incident.StepSpec {
	t.Helper()
	for _, ph := range run.Phases {
		for _, s := range ph.Steps {
			if s.StepID != id {
				continue
			}
			data, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			var out incident.StepSpec
			if err := json.Unmarshal(data, &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	t.Fatalf("no step %s", id)
	return incident.StepSpec{}
}
