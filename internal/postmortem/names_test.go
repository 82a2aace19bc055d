package postmortem

import "testing"

// Mentions read as names on GitHub: the chat name, else the label typed, else the ID.
func TestNamesReplaceMentions(t *testing.T) {
	got := names("<@U0CAROL|carol> asked <@U0ZED>; <@U0DAVE> approved", map[string]string{"U0DAVE": "dave"})
	if want := "@carol asked @U0ZED; @dave approved"; got != want {
		t.Errorf("names = %q, want %q", got, want)
	}
}
