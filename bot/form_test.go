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
