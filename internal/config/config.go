// Package config loads incidentbot's configuration: a YAML file (every key optional, unknown
// keys are errors naming their path) and environment variables, which win. Validation
// errors name the field path. The domain gets plain values from it, never YAML.
package config

import (
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/nephoran/incidentbot/internal/drills"
	"github.com/nephoran/incidentbot/internal/incident"
)

// Config is the whole configuration. Secrets are of type Secret so they never print.
type Config struct {
	DB string `yaml:"db"` // the SQLite file, when Database.URL is unset
	// Database selects PostgreSQL instead of the SQLite file DB, for several replicas.
	Database Database `yaml:"database"`
	Listen   string   `yaml:"listen"`
	// DashboardToken, when set, closes the read-only web dashboard (/ and /incidents/{id})
	// to those who do not give it. The public status page needs none.
	DashboardToken Secret `yaml:"dashboard_token"`
	// ConsoleToken was the fallback console's shared password. It is refused: it let one
	// person sign in as any user. Console operators have their own passwords (Console).
	ConsoleToken Secret  `yaml:"console_token"`
	Console      Console `yaml:"console"`
	Kubeconfig   string  `yaml:"kubeconfig"`
	Web          Web     `yaml:"web"`

	Slack     Slack     `yaml:"slack"`
	PagerDuty PagerDuty `yaml:"pagerduty"`
	GitHub    GitHub    `yaml:"github"`
	// Statuspage publishes incidents on a hosted Atlassian Statuspage page (statuspage.go).
	Statuspage Statuspage          `yaml:"statuspage"`
	Roles      map[string]Role     `yaml:"roles"`
	Services   map[string]Service  `yaml:"services"`
	Clusters   map[string]Cluster  `yaml:"clusters"`
	Playbooks  Playbooks           `yaml:"playbooks"`
	Paging     map[string][]string `yaml:"paging"` // roles paged on declaration, by severity
	Approvals  Approvals           `yaml:"approvals"`
	Actions    Actions             `yaml:"actions"`
	Drills     Drills              `yaml:"drills"`
	Outbox     Outbox              `yaml:"outbox"`
	Timeline   Timeline            `yaml:"timeline"`
}

// Web configures the bot's own web pages as others reach them.
type Web struct {
	// PublicURL is the address people open the dashboard at (https://incidents.example.com),
	// for links to it from Slack and GitHub: the channel's bookmark, the incident card and
	// the review. Empty: no such links (the bot cannot know its address behind a proxy).
	PublicURL string `yaml:"public_url"`
}

// Outbox configures the delivery of effects (posts, pages, steps) from the database.
type Outbox struct {
	// Lease is how long a replica's claim on an effect it delivers holds unless renewed
	// (default 30s; renewed every third of it). With several replicas, an effect whose
	// replica died is taken over once its claim lapses, so a shorter lease means a faster
	// takeover and more renewals. At least MinLease, at most MaxLease.
	Lease Duration `yaml:"lease"`
}

// MinLease and MaxLease bound outbox.lease: under a second or two a slow database answer
// could let a live replica's claim lapse; over ten minutes a dead replica's effects wait
// too long.
const (
	MinLease = 2 * time.Second
	MaxLease = 10 * time.Minute
)

// Database configures a PostgreSQL database shared by every replica of the bot.
type Database struct {
	// URL is a postgres:// (or postgresql://) URL, with the password if it needs one (so
	// it is a Secret: it never prints); several hosts (host1,host2) reach a primary
	// wherever it runs. Unset: the embedded SQLite file db.
	URL Secret `yaml:"url"`
}

// Postgres reports whether the configuration selects PostgreSQL.
func (c *Config) Postgres() bool { return c.Database.URL != "" }

// Drills configures drills and the reminders of the plan's recovery testing schedule.
type Drills struct {
	// Channel is where reminders are posted (a channel ID); none are posted without it.
	Channel  string         `yaml:"channel"`
	Schedule []drills.Entry `yaml:"schedule"` // defaults to the plan's schedule
	// Paging is the PagerDuty target (a drill escalation policy, schedule or routing key)
	// that every page of a drill goes to, for the roles its severity pages. Unset: drills
	// page nobody.
	Paging Role `yaml:"paging"`
	// Clusters maps a cluster (clusters:) to the drill cluster that stands in for it: a
	// drill's kubernetes steps on a mapped cluster run for real on the drill cluster. Steps
	// on clusters not mapped here are dry runs only.
	Clusters map[string]string `yaml:"clusters"`
	// PatroniHosts are the hosts of Patroni REST APIs that serve drill databases: a drill's
	// patroni.switchover on one of them switches over for real (and measures the RPO); on
	// any other host it is a dry run only. Each must also be in actions.http.allowed_hosts.
	PatroniHosts []string `yaml:"patroni_hosts"`
}

// Slack configures the Slack app.
type Slack struct {
	ChannelPrefix   string `yaml:"channel_prefix"`
	AnnounceChannel string `yaml:"announce_channel"`
	BotToken        Secret `yaml:"bot_token"`
	AppToken        Secret `yaml:"app_token"`
	SigningSecret   Secret `yaml:"signing_secret"`
	APIURL          string `yaml:"api_url"`
	// Command is the slash command the app defines (default /incident); requests for any
	// other command are refused.
	Command string `yaml:"command"`
	// TeamIDs are the workspaces (T...) or Enterprise Grid organizations (E...) whose
	// requests are served; others are refused. Empty: any workspace the app is installed in.
	TeamIDs []string `yaml:"team_ids"`
	// RateBudget keeps the bot's Web API calls within Slack's rate tiers, and about one
	// message a second in each channel, delaying effects before Slack answers 429 (default
	// true). false leaves the pacing to Slack's 429s and their Retry-After.
	RateBudget *bool `yaml:"rate_budget"`
}

// PagerDuty configures paging and the webhook.
type PagerDuty struct {
	Token         Secret `yaml:"token"`
	From          string `yaml:"from"`
	APIURL        string `yaml:"api_url"`
	EventsURL     string `yaml:"events_url"`
	WebhookSecret Secret `yaml:"webhook_secret"`
	// Service is the PagerDuty service the bot's REST pages are created on, unless the
	// incident's service names its own.
	Service string `yaml:"service"`
	// Priorities and Urgencies map PagerDuty's priority names (P1...) and urgencies
	// (high, low) to severities, for incidents PagerDuty triggers.
	Priorities map[string]string `yaml:"priorities"`
	Urgencies  map[string]string `yaml:"urgencies"`
	// JoinWindow: a PagerDuty incident triggered on a service (services.<name>.pagerduty_service)
	// that has an open incident declared at most this long ago joins that incident instead
	// of opening a channel of its own (default 1h; 0 turns joining off; at most MaxJoinWindow).
	JoinWindow Duration `yaml:"join_window"`
}

// DefaultJoinWindow is pagerduty.join_window's default, and MaxJoinWindow its largest
// value: past a day, alerts of unrelated troubles would pile into one incident.
const (
	DefaultJoinWindow = time.Hour
	MaxJoinWindow     = 24 * time.Hour
)

// GitHub configures where post-incident reviews are filed.
type GitHub struct {
	Token  Secret   `yaml:"token"`
	APIURL string   `yaml:"api_url"` // GitHub Enterprise, such as https://github.example.com/api/v3/
	Repo   string   `yaml:"repo"`
	Labels []string `yaml:"labels"` // on every review; the first one is how the bot finds them
	// A GitHub App instead of a token: its id, the installation's id, and its private key file.
	AppID          int64  `yaml:"app_id"`
	InstallationID int64  `yaml:"installation_id"`
	PrivateKeyFile string `yaml:"private_key_file"`
	// ReviewOnResolve files the review when an incident is resolved (default true).
	ReviewOnResolve *bool `yaml:"review_on_resolve"`
	// FollowupIssues files each follow-up as an issue linked from the review.
	FollowupIssues bool `yaml:"followup_issues"`
	// Template replaces the built-in review template (text/template over the review's fields).
	Template string `yaml:"template"`
}

// ReviewsEnabled reports whether reviews can be filed: a repository and credentials.
func (g GitHub) ReviewsEnabled() bool {
	return g.Repo != "" && (g.Token != "" || g.AppID != 0)
}

// Role maps a crisis role to how it is paged and reached.
type Role struct {
	PagerDutyEscalationPolicy string `yaml:"pagerduty_escalation_policy"`
	PagerDutySchedule         string `yaml:"pagerduty_schedule"`
	PagerDutyRoutingKey       Secret `yaml:"pagerduty_routing_key"`
	SlackUsergroup            string `yaml:"slack_usergroup"`
}

// Service is something incidents affect. RTO and RPO default to the tier's targets.
type Service struct {
	Tier             int      `yaml:"tier"`
	RTO              Duration `yaml:"rto"`
	RPO              Duration `yaml:"rpo"`
	PagerDutyService string   `yaml:"pagerduty_service"`
	Confidential     bool     `yaml:"confidential"`
	// Impact is the revenue at risk per hour of a full outage, by customer segment
	// (large_enterprise, mid_market, small_business); the plan's figures by default.
	Impact map[string]float64 `yaml:"impact"`
}

// Cluster maps a playbook's cluster name to a kubeconfig context.
type Cluster struct {
	Context string `yaml:"context"`
}

// Playbooks adds playbook directories to the built-in library.
type Playbooks struct {
	Dirs []string `yaml:"dirs"`
}

// Approvals sets who approves playbook steps by default, and named groups of approvers.
type Approvals struct {
	DefaultRoles []string            `yaml:"default_roles"`
	Groups       map[string][]string `yaml:"groups"` // name -> Slack user IDs
	// TTL is how long an approval counts while its step has not run (default 30m, at most
	// MaxApprovalTTL; 0: approvals never lapse).
	TTL Duration `yaml:"ttl"`
}

// MaxApprovalTTL is the longest approvals.ttl: an approval a day old approved another day.
const MaxApprovalTTL = 24 * time.Hour

// Actions configures playbook action executors.
type Actions struct {
	HTTP       HTTPActions       `yaml:"http"`
	Kubernetes KubernetesActions `yaml:"kubernetes"`
}

// KubernetesActions configures the kubernetes.* actions.
type KubernetesActions struct {
	// PlanMaxAge is how old a step's dry run may be when Approve is pressed (default 5m).
	PlanMaxAge Duration `yaml:"plan_max_age"`
}

// HTTPActions limits the http action to allow-listed hosts.
type HTTPActions struct {
	AllowedHosts []string `yaml:"allowed_hosts"`
}

// Secret is a credential. It prints masked.
type Secret string

// MarshalYAML masks the secret.
func (s Secret) MarshalYAML() (any, error) { return s.Masked(), nil }

// Masked returns "" for an unset secret and a mask that shows only that it is set.
func (s Secret) Masked() string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("******** (%d characters)", len(s))
}

// Duration is a time.Duration written as "15m" or "4h".
type Duration time.Duration

// MarshalYAML writes the duration as text.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// isRole reports whether name is exactly a crisis role's name (aliases are for typing, not config).
func isRole(name string) bool {
	for _, r := range incident.CrisisRoles {
		if string(r) == name {
			return true
		}
	}
	return false
}

// roleNames lists the crisis roles for messages.
func roleNames() string {
	s := ""
	for i, r := range incident.CrisisRoles {
		if i > 0 {
			s += ", "
		}
		s += string(r)
	}
	return s
}

// Default returns the configuration with every default from DESIGN.md and the seed.
func Default() *Config {
	return &Config{
		DB:        "./incidentbot.db",
		Listen:    ":8080",
		Slack:     Slack{ChannelPrefix: "inc", APIURL: "https://slack.com/api/", Command: "/incident"},
		GitHub:    GitHub{Labels: []string{"postmortem"}},
		Roles:     map[string]Role{},
		Services:  map[string]Service{},
		Clusters:  map[string]Cluster{},
		Approvals: Approvals{DefaultRoles: []string{"incident-commander"}, TTL: Duration(incident.DefaultApprovalTTL)},
		Actions:   Actions{Kubernetes: KubernetesActions{PlanMaxAge: Duration(5 * time.Minute)}},
		Drills:    Drills{Schedule: drills.DefaultSchedule()},
		Outbox:    Outbox{Lease: Duration(30 * time.Second)},
		PagerDuty: PagerDuty{JoinWindow: Duration(DefaultJoinWindow)},
	}
}

// Load reads the file at path (none when path is ""), applies the environment through
// getenv, and validates the result.
func Load(path string, getenv func(string) string) (*Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := decode(path, data, cfg); err != nil {
			return nil, err
		}
	}
	applyEnv(cfg, getenv)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Catalog turns the services into the domain's catalog, with tier defaults filled in.
func (c *Config) Catalog() incident.Catalog {
	cat := incident.Catalog{}
	for name, s := range c.Services {
		t, _ := incident.TierTargets(incident.Tier(s.Tier))
		if s.RTO > 0 {
			t.RTO = time.Duration(s.RTO)
		}
		if s.RPO > 0 {
			t.RPO = time.Duration(s.RPO)
		}
		cat[name] = incident.ServiceInfo{Name: name, Tier: incident.Tier(s.Tier), Targets: t, Confidential: s.Confidential,
			PagerDuty: s.PagerDutyService, HourlyImpact: s.Impact}
	}
	return cat
}

// DefaultApprovers are the roles that approve mutating steps that name no approval.
func (c *Config) DefaultApprovers() []incident.Role {
	var out []incident.Role
	for _, r := range c.Approvals.DefaultRoles {
		out = append(out, incident.Role(r))
	}
	return out
}

// ClusterContexts maps playbook cluster names to kubeconfig contexts.
func (c *Config) ClusterContexts() map[string]string {
	out := map[string]string{}
	for name, cl := range c.Clusters {
		out[name] = cl.Context
	}
	return out
}

// ClusterNames lists the configured clusters, sorted; nil when there are none, so playbooks
// still start (their kubernetes steps then fail with the reason and are done by hand).
func (c *Config) ClusterNames() []string {
	var names []string
	for name := range c.Clusters {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// ServiceNames lists the configured services, sorted.
func (c *Config) ServiceNames() []string { return c.Catalog().Names() }

// Settings returns what the domain needs.
func (c *Config) Settings() incident.Settings {
	return incident.Settings{
		ChannelPrefix: c.Slack.ChannelPrefix, AnnounceChannel: c.Slack.AnnounceChannel, Catalog: c.Catalog(),
		Paging: c.PagingSettings(), PagerSeverity: c.SeverityMap(), JoinWindow: time.Duration(c.PagerDuty.JoinWindow),
		ApproverGroups: c.Approvals.Groups,
		Reviews:        c.GitHub.ReviewsEnabled(), ReviewOnResolve: c.GitHub.ReviewOnResolve == nil || *c.GitHub.ReviewOnResolve,
		FollowupIssues: c.GitHub.FollowupIssues,
		PlanMaxAge:     time.Duration(c.Actions.Kubernetes.PlanMaxAge),
		ApprovalTTL:    time.Duration(c.Approvals.TTL),
		PublicURL:      c.Web.PublicBase(),
		StatusPage:     c.Statuspage.Enabled(),
	}
}

// PagingSettings turns roles and paging into the domain's, paging enabled by a token.
func (c *Config) PagingSettings() incident.PagingSettings {
	p := incident.PagingSettings{
		Enabled:    c.PagerDuty.Token != "",
		Targets:    map[incident.Role]incident.PageTarget{},
		BySeverity: incident.DefaultPagingBySeverity(),
		Service:    c.PagerDuty.Service,
	}
	for name, r := range c.Roles {
		p.Targets[incident.Role(name)] = incident.PageTarget{EscalationPolicy: r.PagerDutyEscalationPolicy,
			Schedule: r.PagerDutySchedule, RoutingKey: string(r.PagerDutyRoutingKey)}
	}
	d := c.Drills.Paging
	p.Drill = incident.PageTarget{EscalationPolicy: d.PagerDutyEscalationPolicy, Schedule: d.PagerDutySchedule,
		RoutingKey: string(d.PagerDutyRoutingKey)}
	for sev, roles := range c.Paging {
		p.BySeverity[incident.Severity(sev)] = nil
		for _, r := range roles {
			p.BySeverity[incident.Severity(sev)] = append(p.BySeverity[incident.Severity(sev)], incident.Role(r))
		}
	}
	return p
}

// SeverityMap is the default PagerDuty mapping with the configured entries on top.
func (c *Config) SeverityMap() incident.SeverityMap {
	m := incident.DefaultSeverityMap()
	for k, v := range c.PagerDuty.Priorities {
		m.Priorities[k] = incident.Severity(v)
	}
	for k, v := range c.PagerDuty.Urgencies {
		m.Urgencies[k] = incident.Severity(v)
	}
	return m
}
