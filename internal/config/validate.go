package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/drills"
	"github.com/nephoran/incidentbot/internal/incident"
)

var (
	prefixRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,19}$`)
	channelIDRe = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	serviceRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	repoRe      = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	userIDRe    = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	commandRe   = regexp.MustCompile(`^/[a-z0-9][a-z0-9_-]{0,30}$`)
	teamIDRe    = regexp.MustCompile(`^[TE][A-Z0-9]{2,20}$`)
)

// Validate checks every field and returns all problems at once, each naming its path.
func (c *Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	if c.DB == "" && !c.Postgres() {
		bad("db", "must not be empty")
	}
	if c.Postgres() {
		validateDatabaseURL(string(c.Database.URL), bad)
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q is not host:port (such as :8080)", c.Listen)
	} else if _, err := net.LookupPort("tcp", port); err != nil {
		bad("listen", "%q: the port must be a number from 0 to 65535", c.Listen)
	}
	if !prefixRe.MatchString(c.Slack.ChannelPrefix) {
		bad("slack.channel_prefix", "%q must be 1-20 lowercase letters, digits, - or _, starting with a letter or digit", c.Slack.ChannelPrefix)
	}
	c.validateSlack(bad)
	c.validateStatuspage(bad)
	c.validateConsole(bad)
	validatePublicURL(c.Web.PublicURL, bad)
	if ch := c.Drills.Channel; ch != "" && !channelIDRe.MatchString(ch) {
		bad("drills.channel", "%q is not a channel ID (such as C0123ABCD); use the ID, not the name", ch)
	}
	drillNames := map[string]bool{}
	for i, e := range c.Drills.Schedule {
		path := fmt.Sprintf("drills.schedule[%d]", i)
		switch {
		case !serviceRe.MatchString(e.Name):
			bad(path+".name", "%q must be lowercase letters, digits, - or _", e.Name)
		case drillNames[e.Name]:
			bad(path+".name", "%q is given twice", e.Name)
		}
		drillNames[e.Name] = true
		if !slices.Contains(drills.Frequencies, e.Every) {
			bad(path+".every", "%q is not one of %s", e.Every, strings.Join(drills.Frequencies, ", "))
		}
		if e.Title == "" {
			bad(path+".title", "must not be empty")
		}
		if e.Playbook == "" {
			bad(path+".playbook", "must name the playbook to drill")
		}
	}
	if a := c.Slack.AnnounceChannel; a != "" && !channelIDRe.MatchString(a) {
		bad("slack.announce_channel", "%q is not a channel ID (such as C0123ABCD); use the ID, not the name", a)
	}
	for path, u := range map[string]string{"slack.api_url": c.Slack.APIURL, "pagerduty.api_url": c.PagerDuty.APIURL,
		"pagerduty.events_url": c.PagerDuty.EventsURL, "github.api_url": c.GitHub.APIURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			bad(path, "%q is not an http(s) URL", u)
		}
	}
	for name, r := range c.Roles {
		path := "roles." + name
		if !isRole(name) {
			bad(path, "unknown role; the crisis roles are %s", roleNames())
		}
		if pagingTargets(r) > 1 {
			bad(path, "set one of pagerduty_escalation_policy, pagerduty_schedule or pagerduty_routing_key, not several")
		}
	}
	if pagingTargets(c.Drills.Paging) > 1 {
		bad("drills.paging", "set one of pagerduty_escalation_policy, pagerduty_schedule or pagerduty_routing_key, not several")
	}
	if c.Drills.Paging.SlackUsergroup != "" {
		bad("drills.paging.slack_usergroup", "drills page through PagerDuty only")
	}
	c.validateDrillClusters(bad)
	for i, h := range c.Drills.PatroniHosts {
		if !slices.Contains(c.Actions.HTTP.AllowedHosts, h) {
			bad(fmt.Sprintf("drills.patroni_hosts[%d]", i), "%q is not in actions.http.allowed_hosts: the switchover could not reach it", h)
		}
	}
	for name, s := range c.Services {
		path := "services." + name
		if !serviceRe.MatchString(name) {
			bad(path, "a service name must be lowercase letters, digits, - or _")
		}
		if s.Tier < 1 || s.Tier > 3 {
			bad(path+".tier", "must be 1, 2 or 3 (got %d)", s.Tier)
		}
		if s.RTO < 0 {
			bad(path+".rto", "must not be negative")
		}
		if s.RPO < 0 {
			bad(path+".rpo", "must not be negative")
		}
		for seg, v := range s.Impact {
			if !slices.Contains(incident.Segments, seg) {
				bad(path+".impact."+seg, "not a customer segment (%s)", strings.Join(incident.Segments, ", "))
			} else if v < 0 {
				bad(path+".impact."+seg, "must not be negative")
			}
		}
	}
	for name, cl := range c.Clusters {
		if cl.Context == "" {
			bad("clusters."+name+".context", "must name a kubeconfig context")
		}
	}
	if r := c.GitHub.Repo; r != "" && !repoRe.MatchString(r) {
		bad("github.repo", "%q is not owner/name", r)
	}
	if g := c.GitHub; g.AppID != 0 && (g.InstallationID == 0 || g.PrivateKeyFile == "") {
		bad("github.app_id", "a GitHub App also needs installation_id and private_key_file")
	}
	if len(c.GitHub.Labels) == 0 {
		bad("github.labels", "name at least one label: the bot finds its reviews by the first")
	}
	for sev, roles := range c.Paging {
		if _, err := incident.ParseSeverity(sev); err != nil || sev != strings.ToUpper(sev) {
			bad("paging."+sev, "not a severity; use P0, P1, P2 or P3")
		}
		for i, r := range roles {
			if !isRole(r) {
				bad(fmt.Sprintf("paging.%s[%d]", sev, i), "%q is not a crisis role", r)
			} else if _, ok := c.Roles[r]; !ok && c.PagerDuty.Token != "" {
				bad(fmt.Sprintf("paging.%s[%d]", sev, i), "%s is paged but roles.%s names no PagerDuty target", r, r)
			}
		}
	}
	for name, m := range map[string]map[string]string{"pagerduty.priorities": c.PagerDuty.Priorities, "pagerduty.urgencies": c.PagerDuty.Urgencies} {
		for k, v := range m {
			if _, err := incident.ParseSeverity(v); err != nil || v != strings.ToUpper(v) {
				bad(name+"."+k, "%q is not a severity; use P0, P1, P2 or P3", v)
			}
		}
	}
	for k := range c.PagerDuty.Urgencies {
		if k != "high" && k != "low" {
			bad("pagerduty.urgencies."+k, "not a PagerDuty urgency; they are high and low")
		}
	}
	if c.PagerDuty.Token != "" && c.PagerDuty.From == "" {
		bad("pagerduty.from", "PagerDuty needs the email of a PagerDuty user for the From header of pages (PAGERDUTY_FROM)")
	}
	for name, users := range c.Approvals.Groups {
		for i, u := range users {
			if !userIDRe.MatchString(u) {
				bad(fmt.Sprintf("approvals.groups.%s[%d]", name, i), "%q is not a Slack user ID (such as U0123ABCD)", u)
			}
		}
	}
	for i, r := range c.Approvals.DefaultRoles {
		if !isRole(r) {
			bad(fmt.Sprintf("approvals.default_roles[%d]", i), "%q is not a crisis role", r)
		}
	}
	if ttl := time.Duration(c.Approvals.TTL); ttl < 0 || ttl > MaxApprovalTTL {
		bad("approvals.ttl", "%s must be from 0 (approvals never lapse) to %s (default %s)", ttl, MaxApprovalTTL, incident.DefaultApprovalTTL)
	}
	for i, h := range c.Actions.HTTP.AllowedHosts {
		if h == "" || strings.ContainsAny(h, "/:@ ") {
			bad(fmt.Sprintf("actions.http.allowed_hosts[%d]", i), "%q must be a bare hostname", h)
		}
	}
	if c.Actions.Kubernetes.PlanMaxAge <= 0 {
		bad("actions.kubernetes.plan_max_age", "must be positive, such as 5m")
	}
	if w := time.Duration(c.PagerDuty.JoinWindow); w < 0 || w > MaxJoinWindow {
		bad("pagerduty.join_window", "%s must be from 0 (never join) to %s (default %s)", w, MaxJoinWindow, DefaultJoinWindow)
	}
	if l := time.Duration(c.Outbox.Lease); l < MinLease || l > MaxLease {
		bad("outbox.lease", "%s must be from %s to %s (default 30s)", l, MinLease, MaxLease)
	}
	if len(errs) == 0 {
		return nil
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}

// validateSlack checks the slash command's name and the workspaces.
func (c *Config) validateSlack(bad func(path, format string, args ...any)) {
	if !commandRe.MatchString(c.Slack.Command) {
		bad("slack.command", "%q is not a slash command: a / and up to 31 lowercase letters, digits, - or _ (such as /incident)", c.Slack.Command)
	}
	for i, id := range c.Slack.TeamIDs {
		path := fmt.Sprintf("slack.team_ids[%d]", i)
		switch {
		case !teamIDRe.MatchString(id):
			bad(path, "%q is not a workspace ID (T0123ABCD) or an Enterprise Grid organization ID (E0123ABCD)", id)
		case slices.Index(c.Slack.TeamIDs, id) < i:
			bad(path, "%q is given twice", id)
		}
	}
}

// CheckServe reports what serve needs that is missing, in words a newcomer can act on.
func (c *Config) CheckServe() error {
	var missing []string
	if c.Slack.BotToken == "" {
		missing = append(missing, "SLACK_BOT_TOKEN (the Bot User OAuth Token, xoxb-..., from the app's OAuth & Permissions page)")
	}
	if c.Slack.AppToken == "" && c.Slack.SigningSecret == "" {
		missing = append(missing, "SLACK_APP_TOKEN (xapp-..., for Socket Mode) or SLACK_SIGNING_SECRET (for HTTP mode, from Basic Information)")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("incidentbot needs Slack credentials to serve. Create the app from deploy/slack-app-manifest.yaml (see the README), then set:\n  - %s", strings.Join(missing, "\n  - "))
}

// pagingTargets counts how many PagerDuty targets r sets.
func pagingTargets(r Role) int {
	n := 0
	for _, v := range []string{r.PagerDutyEscalationPolicy, r.PagerDutySchedule, string(r.PagerDutyRoutingKey)} {
		if v != "" {
			n++
		}
	}
	return n
}

// validateDrillClusters refuses a drills.clusters mapping that could let a drill act on a
// production cluster: a drill cluster must be configured, be another cluster, and share no
// kubeconfig context with any cluster that is not a drill cluster.
func (c *Config) validateDrillClusters(bad func(path, format string, args ...any)) {
	standsIn, isDrill := map[string]bool{}, map[string]bool{}
	for _, to := range c.Drills.Clusters {
		standsIn[to] = true
	}
	for to := range standsIn {
		_, stoodIn := c.Drills.Clusters[to]
		isDrill[to] = !stoodIn // only a cluster that stands in and is never stood in for is a drill cluster
	}
	for _, from := range slices.Sorted(maps.Keys(c.Drills.Clusters)) {
		to, path := c.Drills.Clusters[from], "drills.clusters."+from
		dst, dstOK := c.Clusters[to]
		if _, ok := c.Clusters[from]; !ok {
			bad(path, "%q is not one of the clusters (clusters:)", from)
			continue
		}
		switch {
		case !dstOK:
			bad(path, "the drill cluster %q is not one of the clusters (clusters:)", to)
		case to == from:
			bad(path, "the drill cluster must be another cluster than %s: a drill would change production", from)
		case standsIn[from]:
			bad(path, "%s is a drill cluster itself; a cluster cannot both stand in for one and be stood in for", from)
		default:
			for _, other := range slices.Sorted(maps.Keys(c.Clusters)) {
				if !isDrill[other] && c.Clusters[other].Context == dst.Context {
					bad(path, "the drill cluster %s uses the context of %s (%s): a drill would change production", to, other, dst.Context)
				}
			}
		}
	}
}

// validateDatabaseURL checks database.url without ever printing it (it may hold a password).
func validateDatabaseURL(raw string, bad func(path, format string, args ...any)) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		bad("database.url", "is not a URL (such as postgres://incidentbot@db.internal:5432/incidentbot)")
	case u.Scheme != "postgres" && u.Scheme != "postgresql":
		bad("database.url", "must be a postgres:// URL, not %s:// (unset it to keep the SQLite file db)", u.Scheme)
	case u.Host == "" && u.Query().Get("host") == "":
		bad("database.url", "names no host (postgres://HOST/DB, or ?host=/run/postgresql for a unix socket)")
	case strings.Trim(u.Path, "/") == "":
		bad("database.url", "names no database (postgres://host/DATABASE)")
	}
}
