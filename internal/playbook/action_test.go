package playbook_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
)

// Every field of incident.Action is a key of some action type (but type, which every one
// has, content, which the bot reads from the manifest when a run starts, ahead, which it
// fills in for a preflight from the run's later steps, and undo and undo_of, which only an
// undo step has): a field that no playbook can set would be dead.
func TestEveryActionFieldBelongsToAType(t *testing.T) {
	taken := map[string]bool{"type": true, "content": true, "ahead": true, "undo": true, "undo_of": true}
	for _, k := range playbook.Kinds() {
		for _, f := range k.Fields {
			taken[f] = true
		}
	}
	at := reflect.TypeOf(incident.Action{})
	for i := 0; i < at.NumField(); i++ {
		name := strings.Split(at.Field(i).Tag.Get("json"), ",")[0]
		if !taken[name] {
			t.Errorf("incident.Action.%s (%s) is the key of no action type", at.Field(i).Name, name)
		}
	}
}
