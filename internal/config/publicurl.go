package config

import (
	"net/url"
	"strings"
)

// validatePublicURL checks web.public_url: an absolute http or https address with a host,
// no query, fragment or credentials, for links such as <public_url>/incidents/INC-42.
func validatePublicURL(raw string, bad func(path, format string, args ...any)) {
	if raw == "" {
		return
	}
	const path = "web.public_url"
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		bad(path, "%q is not a URL: %v", raw, err)
	case u.Scheme != "https" && u.Scheme != "http":
		bad(path, "%q must start with https:// (or http://): it is where people open the dashboard", raw)
	case u.Host == "":
		bad(path, "%q has no host", raw)
	case u.User != nil:
		bad(path, "%q must not carry a user name or password: links to it are posted in Slack and GitHub", raw)
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?") || strings.HasSuffix(raw, "#"):
		bad(path, "%q must not have a query or a fragment: links add their path to it", raw)
	}
}

// PublicBase is web.public_url without its trailing slashes, ready to have a path added.
func (w Web) PublicBase() string { return strings.TrimRight(w.PublicURL, "/") }
