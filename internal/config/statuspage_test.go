package config

import (
	"os"
	"strings"
	"testing"
)

// Each field of statuspage: that is wrong is named with its path and what it should be.
func TestStatuspageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		env  map[string]string
		want []string
	}{
		{"bad ids, services and URL", "testdata/bad-statuspage.yaml", map[string]string{"STATUSPAGE_API_KEY": "k"}, []string{
			`statuspage.page_id: "QFN30Z5R6S5H" is not a Statuspage page id: 12 lowercase letters and digits, such as qfn30z5r6s5h`,
			`statuspage.components.api-gateway: "not-an-id" is not a Statuspage component id: 12 lowercase letters and digits`,
			"statuspage.components.payroll: payroll is confidential: its incidents are private and never published",
			`statuspage.components.billing: "billing" is not one of the services (services:)`,
			`statuspage.api_url: "ftp://statuspage.example.com" is not an http(s) URL`,
		}},
		{"a key without its page", "-", map[string]string{"STATUSPAGE_API_KEY": "k"}, []string{
			"statuspage.page_id: STATUSPAGE_API_KEY is set but not the page to publish on",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file
			if file == "-" {
				file = ""
			}
			_, err := Load(file, env(tc.env))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// A valid statuspage: turns Statuspage on for the domain, the key from the environment
// winning over the file's, and masked when the configuration is printed.
func TestStatuspageLoads(t *testing.T) {
	f := t.TempDir() + "/c.yaml"
	os.WriteFile(f, []byte(`services: {api-gateway: {tier: 2}}
statuspage: {page_id: qfn30z5r6s5h, api_key: from-the-file, components: {api-gateway: 8kbf7d35c070}}
`), 0o600)
	cfg, err := Load(f, env(map[string]string{"STATUSPAGE_API_KEY": "sp-key-from-env", "STATUSPAGE_API_URL": "http://127.0.0.1:9/v1"}))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Statuspage
	if !s.Enabled() || s.APIKey != "sp-key-from-env" || s.APIURL != "http://127.0.0.1:9/v1" || cfg.StatuspageComponents()["api-gateway"] != "8kbf7d35c070" {
		t.Errorf("statuspage %+v", s)
	}
	if !cfg.Settings().StatusPage {
		t.Error("the domain is not told Statuspage is configured")
	}
	if masked := s.APIKey.Masked(); strings.Contains(masked, "sp-key") {
		t.Errorf("the key prints as %q", masked)
	}
	if Default().Settings().StatusPage {
		t.Error("Statuspage is on without a page")
	}
}

// A page without its key loads (the environment usually brings the key) but is warned
// about, and publishes nothing.
func TestStatuspagePageWithoutItsKey(t *testing.T) {
	f := t.TempDir() + "/c.yaml"
	os.WriteFile(f, []byte("statuspage: {page_id: qfn30z5r6s5h}\n"), 0o600)
	cfg, err := Load(f, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Statuspage.Enabled() || cfg.Settings().StatusPage {
		t.Error("Statuspage is on without a key")
	}
	if w := strings.Join(cfg.Warnings(), "\n"); !strings.Contains(w, "statuspage.page_id: set, but there is no API key (STATUSPAGE_API_KEY)") {
		t.Errorf("warnings: %s", w)
	}
}
