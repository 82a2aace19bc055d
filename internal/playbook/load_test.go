package playbook

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected error files")

var testOpts = Options{AllowedHosts: []string{"dns-failover.internal", "patroni.nephoran-system.svc"}}

func TestValidPlaybookLoads(t *testing.T) {
	lib := NewLibrary()
	if err := lib.LoadFS(os.DirFS("testdata/valid"), ".", "testdata/valid", testOpts); err != nil {
		t.Fatal(err)
	}
	p, ok := lib.Get("regional-outage")
	if !ok {
		t.Fatal("not loaded")
	}
	steps := p.Steps()
	if len(steps) != 6 {
		t.Fatalf("%d steps", len(steps))
	}
	exec := steps[0].Step.Action
	if exec.Type != "kubernetes.exec" || exec.Command[1] != "switchover" || exec.Pod != "postgresql-replica-0" || !Mutates(exec) {
		t.Errorf("exec %+v", exec)
	}
	if ap := steps[0].Step.Approval; ap == nil || !ap.TwoPerson || ap.Roles[0] != "incident-commander" {
		t.Errorf("approval %+v", ap)
	}
	patch := steps[1].Step.Action
	if patch.Patch.(map[string]any)["data"].(map[string]any)["primary.host"] != "postgresql-replica-0" {
		t.Errorf("patch %+v", patch.Patch)
	}
	if m, err := p.ReadFile("manifests/operator.yaml"); err != nil || !strings.Contains(string(m), "operator-ha") {
		t.Errorf("manifest: %v", err)
	}
	if time := p.Phases[0].Within.String(); time != "15m0s" {
		t.Errorf("within %s", time)
	}
}

// Each file in testdata/errors has beside it a .err file with the exact errors expected.
func TestLoadErrors(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.yaml")
	if len(files) < 10 {
		t.Fatalf("only %d error cases", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			lib := NewLibrary()
			err := lib.LoadFile(os.DirFS("."), f, f, testOpts)
			if err == nil {
				t.Fatal("loaded without error")
			}
			got := err.Error() + "\n"
			want := strings.TrimSuffix(f, ".yaml") + ".err"
			if *update {
				os.WriteFile(want, []byte(got), 0o644)
			}
			exp, rerr := os.ReadFile(want)
			if rerr != nil {
				t.Fatalf("%v (run go test -update and review)", rerr)
			}
			if got != string(exp) {
				t.Errorf("errors differ\n got:\n%s\nwant:\n%s", got, exp)
			}
		})
	}
}
