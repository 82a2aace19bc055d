package incident_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The domain must not depend on any SDK or adapter: they depend on it.
func TestDomainImportsNoSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/nephoran/incidentbot/internal/incident").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/slack-go/", "k8s.io/", "github.com/google/go-github", "github.com/PagerDuty/",
		"modernc.org/sqlite", "github.com/nephoran/incidentbot/internal/", "github.com/nephoran/incidentbot/bot",
		"github.com/nephoran/incidentbot/commands",
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/nephoran/incidentbot/internal/incident" {
			continue
		}
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("internal/incident depends on %s", dep)
			}
		}
	}
}
