package postmortem

import (
	"testing"

	"github.com/nephoran/incidentbot/internal/words"
)

// People read as names on GitHub (never as @logins, which would ping someone else there):
// the chat name, else the label typed, else the ID; HTML typed in chat stays text.
func TestPeopleAreNamedInMarkdown(t *testing.T) {
	names := words.NameMap{People: map[string]string{"U0DAVE": "Dave Jones"}}
	got := chatText("<@U0CAROL|carol> asked <@U0ZED>; <@U0DAVE> approved &lt;script&gt;x&lt;/script&gt; <b> in <#C01|inc-1>", names)
	if want := "carol asked U0ZED; Dave Jones approved &lt;script&gt;x&lt;/script&gt; &lt;b&gt; in #inc-1"; got != want {
		t.Errorf("chatText = %q, want %q", got, want)
	}
}
