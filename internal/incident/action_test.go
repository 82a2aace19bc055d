package incident_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// A step spec as the last release stored it: the action a JSON string keyed by Go field
// names (Kind_, PatchType...), beside action_type and notify_text. Copied from a run_steps
// row; internal/playbook's TestStepSpecsOfTheLastRelease checks every step of the library.
const lastRelease = `{"step_id":"json-patch","title":"Patch by JSON patch","owner":"incident-commander",` +
	`"action_type":"kubernetes.patch","action":"{\"Type\":\"kubernetes.patch\",\"Cluster\":\"us-east-1\",\"Namespace\":\"db\",` +
	`\"APIVersion\":\"v1\",\"Kind_\":\"ConfigMap\",\"Name\":\"pg-config\",\"PatchType\":\"json\",` +
	`\"Patch\":[{\"op\":\"replace\",\"path\":\"/data/region\",\"value\":\"us-east-1\"}]}",` +
	`"summary":"kubernetes.patch cluster=us-east-1 namespace=db","mutating":true}`

func TestAStepSpecOfTheLastReleaseDecodes(t *testing.T) {
	var spec incident.StepSpec
	if err := json.Unmarshal([]byte(lastRelease), &spec); err != nil {
		t.Fatal(err)
	}
	want := incident.Action{Type: "kubernetes.patch", Cluster: "us-east-1", Namespace: "db", APIVersion: "v1", Kind: "ConfigMap",
		Name: "pg-config", PatchType: "json", Patch: []any{map[string]any{"op": "replace", "path": "/data/region", "value": "us-east-1"}}}
	if !reflect.DeepEqual(spec.Action, want) {
		t.Errorf("decoded %+v\nwant    %+v", spec.Action, want)
	}
	if !spec.Mutating || !spec.NeedsDryRun() || spec.Manual() {
		t.Errorf("mutating %v, needs a dry run %v, manual %v", spec.Mutating, spec.NeedsDryRun(), spec.Manual())
	}
	// Stored again, it is an object under the playbook's keys, and decodes to the same.
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"action":{"type":"kubernetes.patch","cluster":"us-east-1","namespace":"db","apiVersion":"v1","kind":"ConfigMap","name":"pg-config","patch_type":"json","patch":[`) {
		t.Errorf("stored as %s", data)
	}
	var again incident.StepSpec
	if err := json.Unmarshal(data, &again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, spec) {
		t.Errorf("round trip: %+v\nwant %+v", again, spec)
	}
}

// The fields whose JSON name differs from the last release's key by more than case.
func TestRenamedFieldsOfTheLastReleaseDecode(t *testing.T) {
	old := `"{\"Type\":\"kubernetes.drain\",\"Node\":\"n1\",\"Timeout\":90000000000,\"IgnoreDaemonSets\":true,\"DeleteEmptyDirData\":true,` +
		`\"MinReady\":2,\"SecretHeaders\":{\"Authorization\":\"TOKEN\"}}"`
	var a incident.Action
	if err := json.Unmarshal([]byte(old), &a); err != nil {
		t.Fatal(err)
	}
	two := 2
	want := incident.Action{Type: "kubernetes.drain", Node: "n1", Timeout: 90 * time.Second, IgnoreDaemonSets: true, DeleteEmptyDirData: true,
		MinReady: &two, SecretHeaders: map[string]string{"Authorization": "TOKEN"}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("decoded %+v\nwant    %+v", a, want)
	}
	if err := json.Unmarshal([]byte(`"not an object"`), &a); err == nil {
		t.Error("a string that holds no object decoded")
	}
}
