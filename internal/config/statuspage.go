package config

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
)

// Statuspage configures publishing on a hosted Atlassian Statuspage page: status page
// updates (`update --status-page`), mitigations and resolutions of incidents that are
// neither drills nor private. Unset, the built-in status page (/status) is the only one.
type Statuspage struct {
	// PageID is the page (Statuspage's API info page shows it), such as qfn30z5r6s5h.
	PageID string `yaml:"page_id"`
	// Components maps services (services:) to the page's components they show as; a
	// service without one is named in the page incident's title but sets no component.
	Components map[string]string `yaml:"components"`
	APIKey     Secret            `yaml:"api_key"` // STATUSPAGE_API_KEY
	APIURL     string            `yaml:"api_url"` // STATUSPAGE_API_URL; default https://api.statuspage.io/v1
}

// Enabled reports whether incidents are published on Statuspage: a page and a key.
func (s Statuspage) Enabled() bool { return s.PageID != "" && s.APIKey != "" }

// statuspageIDRe is the shape of Statuspage's ids: 12 lowercase letters and digits.
var statuspageIDRe = regexp.MustCompile(`^[a-z0-9]{12}$`)

// validateStatuspage checks statuspage: the page and components are ids of Statuspage's
// shape, each component's service is configured and not confidential, and a key comes
// with its page (a page without its key is a warning: the environment may bring it).
func (c *Config) validateStatuspage(bad func(path, format string, args ...any)) {
	s := c.Statuspage
	if s.PageID != "" && !statuspageIDRe.MatchString(s.PageID) {
		bad("statuspage.page_id", "%q is not a Statuspage page id: 12 lowercase letters and digits, such as qfn30z5r6s5h (the API info page of Statuspage shows it)", s.PageID)
	}
	switch {
	case s.PageID == "" && s.APIKey != "":
		bad("statuspage.page_id", "STATUSPAGE_API_KEY is set but not the page to publish on")
	case s.PageID == "" && len(s.Components) > 0:
		bad("statuspage.page_id", "components are mapped but no page is named")
	}
	for _, name := range slices.Sorted(maps.Keys(s.Components)) {
		id, path := s.Components[name], "statuspage.components."+name
		svc, ok := c.Services[name]
		switch {
		case !ok:
			bad(path, "%q is not one of the services (services:)", name)
		case svc.Confidential:
			bad(path, "%s is confidential: its incidents are private and never published", name)
		}
		if !statuspageIDRe.MatchString(id) {
			bad(path, "%q is not a Statuspage component id: 12 lowercase letters and digits, such as 8kbf7d35c070", id)
		}
	}
	if u := s.APIURL; u != "" {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			bad("statuspage.api_url", "%q is not an http(s) URL", u)
		}
	}
}

// StatuspageComponents returns statuspage.components (service -> component id).
func (c *Config) StatuspageComponents() map[string]string { return maps.Clone(c.Statuspage.Components) }

// statuspageWarnings are Warnings' about statuspage: a page named without its key (which
// the environment usually brings) publishes nothing.
func (c *Config) statuspageWarnings() []string {
	if c.Statuspage.PageID != "" && c.Statuspage.APIKey == "" {
		return []string{"statuspage.page_id: set, but there is no API key (STATUSPAGE_API_KEY), so nothing is published on Statuspage; the built-in status page still is"}
	}
	return nil
}
