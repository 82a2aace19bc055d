package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// web.public_url (or INCIDENTBOT_PUBLIC_URL) is an absolute http(s) address; the domain gets
// it without its trailing slash, and anything else is refused saying why.
func TestPublicURL(t *testing.T) {
	cfg, err := Load("", env(map[string]string{"INCIDENTBOT_PUBLIC_URL": "https://incidents.example.com/"}))
	if err != nil || cfg.Settings().PublicURL != "https://incidents.example.com" {
		t.Fatalf("INCIDENTBOT_PUBLIC_URL: %q, %v", cfg.Settings().PublicURL, err)
	}
	for raw, want := range map[string]string{
		"incidents.example.com":          "must start with https://",
		"ftp://incidents.example.com":    "must start with https://",
		"https://":                       "has no host",
		"https://ops:secret@example.com": "must not carry a user name or password",
		"https://example.com/?token=1":   "must not have a query or a fragment",
		"https://example.com/#top":       "must not have a query or a fragment",
		"https://example.com/%zz":        "is not a URL",
	} {
		path := filepath.Join(t.TempDir(), "web.yaml")
		if err := os.WriteFile(path, []byte("web: {public_url: \""+raw+"\"}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path, env(nil))
		if err == nil || !strings.Contains(err.Error(), "web.public_url: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("public_url %q: %v, want %q", raw, err, want)
		}
	}
}
