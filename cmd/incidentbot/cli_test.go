package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An unknown command is a usage error (exit 2) that names it, at every level.
func TestUnknownCommandExits2(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, args := range [][]string{{"frob"}, {"timeline", "frob"}, {"config", "frob"}, {"playbooks", "frob"}} {
		out, code := run(t, env, args...)
		if code != 2 || !strings.Contains(out, `unknown command "frob"`) {
			t.Errorf("incidentbot %s: exit %d, want 2 and the unknown command named:\n%s", strings.Join(args, " "), code, out)
		}
	}
	if out, code := run(t, env, "timeline"); code != 0 || !strings.Contains(out, "verify") {
		t.Errorf("incidentbot timeline alone: exit %d, want its help:\n%s", code, out)
	}
}

// timeline verify reads a database; one that does not exist is an error, and none is made.
func TestTimelineVerifyRefusesAMissingDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "nope.db")
	out, code := run(t, []string{"PATH=" + os.Getenv("PATH"), "INCIDENTBOT_DB=" + db}, "timeline", "verify")
	if code != 1 || !strings.Contains(out, db) || strings.Contains(out, "checked") {
		t.Errorf("exit %d, want 1 and the path named:\n%s", code, out)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("timeline verify created %s (stat: %v)", db, err)
	}
}
