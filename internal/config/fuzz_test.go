package config

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// masked matches a secret as the configuration prints it.
var masked = regexp.MustCompile(`\*{8} \(\d+ characters\)`)

// FuzzConfig decodes and validates YAML as Load does. Seeds: the fixtures under testdata.
// Properties: no panic; an unknown top-level key is refused, naming it; an accepted
// configuration prints as YAML that decodes and validates again to the same print.
func FuzzConfig(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(""))
	f.Add([]byte("services: {api: {tier: 1, impact: {mid_market: 0}}}\nlisten: ':99999'\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Default()
		err := decode("fuzz.yaml", data, cfg)
		if err == nil {
			err = cfg.Validate()
		}
		if err != nil {
			return
		}
		var top map[string]any
		if yaml.Unmarshal(data, &top) == nil {
			for k := range top {
				if !slices.Contains(strings.Fields("db listen dashboard_token console_token kubeconfig slack pagerduty github roles services clusters playbooks paging approvals actions drills"), k) {
					t.Fatalf("accepted the unknown key %q", k)
				}
			}
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("an accepted configuration does not print: %v", err)
		}
		again := Default()
		if err := decode("printed.yaml", out, again); err != nil {
			t.Fatalf("the printed configuration does not decode: %v\n%s", err, out)
		}
		if err := again.Validate(); err != nil {
			t.Fatalf("the printed configuration does not validate: %v\n%s", err, out)
		}
		out2, _ := yaml.Marshal(again)
		if a, b := masked.ReplaceAllString(string(out), "***"), masked.ReplaceAllString(string(out2), "***"); a != b {
			t.Fatalf("printing is not stable:\n%s\n---\n%s", a, b)
		}
	})
}
