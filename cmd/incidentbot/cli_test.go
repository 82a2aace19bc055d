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

// config check loads everything serve loads, and each error names the key and the path;
// serve refuses the same configurations with the same errors.
func TestConfigCheckLoadsWhatServeLoads(t *testing.T) {
	const dir = "testdata/TestConfigCheckLoadsWhatServeLoads/"
	for _, tc := range []struct {
		file string
		want []string // in the output
		code int      // of config check
	}{
		{"listen-port.yaml", []string{`listen: "not-an-address:99999999": the port must be a number from 0 to 65535`}, 1},
		{"missing-dir.yaml", []string{"playbooks.dirs[1]: " + dir + "no-such-playbooks: no such directory"}, 1},
		{"dir-is-a-file.yaml", []string{"playbooks.dirs[0]: " + dir + "listen-port.yaml: not a directory"}, 1},
		{"bad-playbook.yaml", []string{dir + "playbooks-bad/broken.yaml"}, 1},
		{"missing-template.yaml", []string{"github.template: " + dir + "no-such.tmpl: no such file"}, 1},
		{"bad-template.yaml", []string{"github.template: ", dir + "bad.tmpl", "unclosed action"}, 1},
		{"missing-key.yaml", []string{"github.private_key_file: " + dir + "no-such.pem: no such file"}, 1},
		{"bad-signing-key.yaml", []string{"timeline.signing_key_file: " + dir + "bad.tmpl: neither a PEM private key (PKCS #8) nor a raw ed25519 key of 32 or 64 bytes"}, 1},
		{"urgencies.yaml", []string{"pagerduty.urgencies.hgh: not a PagerDuty urgency; they are high and low"}, 1},
		{"drill-playbook.yaml", []string{`drills.schedule[0].playbook: there is no playbook "no-such-playbook"`}, 1},
		{"missing-kubeconfig.yaml", []string{"kubeconfig: " + dir + "no-such-kubeconfig: no such file"}, 1},
		{"unknown-context.yaml", []string{`warning: clusters.us-east-1.context: "prod-use1" is not a context of ` + dir + "kubeconfig (it has staging)", "configuration is valid"}, 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			env := []string{"PATH=" + os.Getenv("PATH"), "INCIDENTBOT_CONFIG=" + dir + tc.file}
			out, code := run(t, env, "config", "check")
			if code != tc.code {
				t.Errorf("config check: exit %d, want %d:\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("config check: the output lacks %q:\n%s", w, out)
				}
			}
			if tc.code == 0 {
				return
			}
			db := filepath.Join(t.TempDir(), "bot.db")
			out, code = run(t, append(env, "INCIDENTBOT_DB="+db, "SLACK_BOT_TOKEN=xoxb-x", "SLACK_SIGNING_SECRET=s", "SLACK_API_URL=http://127.0.0.1:1/"), "serve")
			if code != 1 || !strings.Contains(out, tc.want[0]) {
				t.Errorf("serve: exit %d, want 1 and %q:\n%s", code, tc.want[0], out)
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("serve created its database before refusing the configuration (stat: %v)", err)
			}
		})
	}
}
