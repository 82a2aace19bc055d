package drills

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Pod execs in the drills: kwok has no container runtime, so the control plane's kwok runs
// a kubernetes.exec step's command on this host instead (its ClusterExec with local:
// internal/testenv/kubecluster), in the cluster's ExecDir, with that folder first in PATH.
// The request still goes through the real API server's exec endpoint and kwok's kubelet
// server, as the bot's executor sends it; only the program at the end is a stand-in. The
// stand-ins below print what the real programs print on success and record each call in
// execs.log, so the drill checks that the step's command line reached the "pod".
//
// A playbook that execs a program with no stand-in here fails its drill, naming it.
var standIns = map[string]string{
	// patronictl switchover --master <old> --candidate <new> --force
	"patronictl": `echo "Switchover to $5 completed: $5 is the new leader"`,
	// psql -c <sql> or -tAc <sql>: the primary is out of recovery.
	"psql": `case "$*" in *pg_is_in_recovery*) echo f ;; *ALTER\ DATABASE*) echo "ALTER DATABASE" ;; *) echo "(1 row)" ;; esac`,
	// pg_restore prints nothing when it succeeds.
	"pg_restore": `:`,
}

// execLog is where the stand-ins record their calls, one line each: program and arguments.
func execLog(dir string) string { return filepath.Join(dir, "execs.log") }

// writeStandIns puts the stand-ins in dir (the cluster's ExecDir).
func writeStandIns(t *testing.T, dir string) {
	t.Helper()
	for prog, body := range standIns {
		script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' %q\" $*\" >> %q\n%s\n", prog, execLog(dir), body)
		if err := os.WriteFile(filepath.Join(dir, prog), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// execCalls returns the stand-ins' calls so far.
func execCalls(dir string) []string {
	b, _ := os.ReadFile(execLog(dir))
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}
