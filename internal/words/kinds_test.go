package words

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// eventKinds reads the EventKind constants the domain declares in timeline.go.
func eventKinds(t *testing.T) []incident.EventKind {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "../incident/timeline.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []incident.EventKind
	ast.Inspect(file, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok || spec.Type == nil || len(spec.Values) != 1 {
			return true
		}
		if id, ok := spec.Type.(*ast.Ident); ok && id.Name == "EventKind" {
			v, _ := strconv.Unquote(spec.Values[0].(*ast.BasicLit).Value)
			kinds = append(kinds, incident.EventKind(v))
		}
		return true
	})
	if len(kinds) < 40 {
		t.Fatalf("found %d event kinds in timeline.go", len(kinds))
	}
	return kinds
}

// Every kind of event the domain can write is said in words: a new kind without a phrase
// fails here, not on a timeline at 3 a.m.
func TestEveryEventKindHasAPhrase(t *testing.T) {
	for _, k := range eventKinds(t) {
		if _, ok := phrases[k]; !ok {
			t.Errorf("no phrase for %s", k)
		}
	}
}

// The kinds the domain posts in the channel when they happen (its tell and announceChange)
// each have a notice.
func TestToldKindsHaveANotice(t *testing.T) {
	for _, k := range []incident.EventKind{
		incident.EventStatusUpdate, incident.EventSeverityChanged, incident.EventMitigated, incident.EventResolved,
		incident.EventRoleAssigned, incident.EventServiceAdded, incident.EventImpactSet, incident.EventAcknowledged,
		incident.EventStepUnknown, incident.EventRTOWarning, incident.EventCadence, incident.EventBoardReminder,
		incident.EventReviewFiled, incident.EventEffectFailing, incident.EventEffectFailed, incident.EventPagerJoined,
		incident.EventStepVoided, incident.EventStepApproved,
	} {
		if !Posted(k) {
			t.Errorf("%s is posted in the channel but has no notice", k)
		}
	}
}

// An event of a kind this release does not know still shows what it holds.
func TestAnUnknownKindShowsItsData(t *testing.T) {
	e := incident.TimelineEvent{Kind: "from_the_future", Format: incident.FormatData, DataJSON: `{"text":"x"}`}
	if got := Event(e).String(); got != `from_the_future: {"text":"x"}` {
		t.Errorf("unknown kind: %q", got)
	}
}
