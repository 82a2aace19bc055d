package bot_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// submission is the declaration form of view id as Slack submits it, each delivery with
// its own trigger_id (so it is not a byte-for-byte replay).
func submission(id, user, origin, title string, n int) map[string]any {
	p := viewSubmission(user, origin, title, "P1", "intent-processing")
	p["trigger_id"] = fmt.Sprintf("%d.7.%s", n, id)
	v := p["view"].(map[string]any)
	v["id"], v["hash"] = id, "1700000000.abcd"+id
	return p
}

// Slack can deliver one submission of the declaration form twice, or the user can press
// Submit twice: one view declares one incident. A form sent back with field errors is
// still the same view, and its corrected submission declares.
func TestFormSubmittedTwiceDeclaresOnce(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 2; i++ {
		resp, err := e.sender.Interaction(submission("V0ONE", "U0BOB", e.general, "Intent API down", i))
		if err != nil || resp.Status != 200 || len(resp.Body) != 0 {
			t.Fatalf("delivery %d: %v %d %s", i, err, resp.Status, resp.Body)
		}
	}
	if n := e.incidents(); n != 1 {
		t.Errorf("%d incidents after one form delivered twice, want 1", n)
	}

	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.sender.Interaction(submission("V0TWO", "U0BOB", e.general, "Checkout down", 10+i))
		}()
	}
	wg.Wait()
	if n := e.incidents(); n != 2 {
		t.Errorf("%d incidents after a second form submitted 5 times at once, want 2", n)
	}

	resp, _ := e.sender.Interaction(submission("V0THREE", "U0BOB", e.general, "  ", 20))
	if !strings.Contains(string(resp.Body), `"response_action":"errors"`) {
		t.Fatalf("an empty title: %s", resp.Body)
	}
	resp, _ = e.sender.Interaction(submission("V0THREE", "U0BOB", e.general, "Search down", 21))
	if resp.Status != 200 || len(resp.Body) != 0 {
		t.Errorf("the corrected form: %d %s", resp.Status, resp.Body)
	}
	if n := e.incidents(); n != 3 {
		t.Errorf("%d incidents, want 3: the corrected form declares", n)
	}
}

// The form declares through the same command path as typing `/incident declare`: each rule
// of a declaration refuses the form with the words it refuses the typed command with, under
// the field it is about. (The form used to check the severity itself and said "Pick a
// severity." where the typed command names the bad value.)
func TestFormAndTypedDeclarationGoOneWay(t *testing.T) {
	e := newEnvWith(t, false) // no channel yet: the repeat refusal says so for both
	typed := func(text string) string {
		t.Helper()
		resp, err := e.sender.Command("U0BOB", e.general, text, "")
		var body struct{ Text string }
		if err != nil || resp.Status != 200 || resp.JSON(&body) != nil {
			t.Fatalf("%s: %v %d %s", text, err, resp.Status, resp.Body)
		}
		return body.Text
	}
	n := 0
	form := func(title, severity, service string) map[string]string {
		t.Helper()
		n++
		p := submission(fmt.Sprintf("V0ONEWAY%d", n), "U0BOB", e.general, title, n)
		values := p["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
		values["severity"] = map[string]any{"severity": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": severity}}}
		values["service"] = map[string]any{"service": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": service}}}
		values["description"] = map[string]any{"description": map[string]any{"type": "plain_text_input", "value": ""}} // typed has none
		resp, err := e.sender.Interaction(p)
		var body struct {
			Errors map[string]string `json:"errors"`
		}
		if err != nil || resp.Status != 200 || (len(resp.Body) > 0 && resp.JSON(&body) != nil) {
			t.Fatalf("form %q: %v %d %s", title, err, resp.Status, resp.Body)
		}
		return body.Errors
	}

	if got := typed("declare P1 intent-processing Intent API down"); !strings.Contains(got, "Declared *INC-1*") {
		t.Fatalf("the first declaration: %q", got)
	}
	for _, tc := range []struct {
		name, typed                     string
		title, severity, service, field string
		want                            string
	}{
		{"the same declaration again", "declare P1 intent-processing Intent API down", "Intent API down", "P1", "intent-processing", "title", "You declared INC-1 with this title"},
		{"a title over the limit", "declare P1 " + strings.Repeat("t", 151), strings.Repeat("t", 151), "P1", "", "title", "keep it to 150"},
		{"no such severity", "declare P9 Intent API down", "Intent API down", "P9", "", "severity", `"P9" is not a severity`},
	} {
		want := typed(tc.typed)
		got := form(tc.title, tc.severity, tc.service)
		if !strings.Contains(want, tc.want) || len(got) != 1 || got[tc.field] != want {
			t.Errorf("%s: typed %q; form %v, want the same under %s", tc.name, want, got, tc.field)
		}
	}
	if got := form("Intent API down", "P2", "intent-processing"); len(got) != 0 {
		t.Errorf("another severity is another declaration: %v", got)
	}
	if n := e.incidents(); n != 2 {
		t.Errorf("%d incidents, want 2", n)
	}
}
