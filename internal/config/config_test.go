package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"go.yaml.in/yaml/v3"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDesignExampleLoads(t *testing.T) {
	cfg, err := Load("testdata/design-example.yaml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	cat := cfg.Catalog()
	if s := cat["api-gateway"]; s.Tier != 2 || s.Targets.RTO != 30*time.Minute || s.Targets.RPO != 5*time.Minute {
		t.Errorf("api-gateway %+v: want tier 2, RTO 30m (override), RPO 5m (tier default)", s)
	}
	if s := cat["intent-processing"]; s.Targets.RTO != 15*time.Minute || s.Targets.RPO != 30*time.Second {
		t.Errorf("intent-processing %+v", s)
	}
	if cfg.Roles["communications-lead"].PagerDutySchedule != "PCOMMS1" || cfg.Clusters["us-west-2"].Context != "prod-usw2" {
		t.Errorf("roles/clusters not decoded: %+v %+v", cfg.Roles, cfg.Clusters)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"unknown-keys.yaml", []string{
			"testdata/unknown-keys.yaml:2:3: slack.channel_prefx: unknown key; known keys here: announce_channel, api_url, app_token, bot_token, channel_prefix, command, rate_budget, signing_secret, team_ids",
			"testdata/unknown-keys.yaml:4:26: services.api-gateway.rtoo: unknown key; known keys here: confidential, impact, pagerduty_service, rpo, rto, tier",
			"testdata/unknown-keys.yaml:5:1: colour: unknown key;",
		}},
		{"bad-values.yaml", []string{
			`listen: "8080" is not host:port (such as :8080)`,
			`slack.channel_prefix: "Inc!" must be 1-20 lowercase letters`,
			`slack.announce_channel: "#incidents" is not a channel ID (such as C0123ABCD); use the ID, not the name`,
			"roles.incident-commander: set one of pagerduty_escalation_policy, pagerduty_schedule or pagerduty_routing_key, not several",
			"paging.p1: not a severity; use P0, P1, P2 or P3",
			`paging.P0[1]: "chief" is not a crisis role`,
			"paging.P2[0]: legal-compliance-lead is paged but roles.legal-compliance-lead names no PagerDuty target",
			`pagerduty.priorities.P1: "SEV1" is not a severity`,
			"roles.janitor: unknown role; the crisis roles are incident-commander, technical-lead, business-continuity-lead, communications-lead, legal-compliance-lead",
			"services.api-gateway.tier: must be 1, 2 or 3 (got 4)",
			`github.repo: "not a repo" is not owner/name`,
			`approvals.default_roles[0]: "chief" is not a crisis role`,
			`drills.channel: "#drills" is not a channel ID`,
			`drills.schedule[0].every: "fortnightly" is not one of weekly, monthly, quarterly, semiannual`,
			`drills.schedule[1].name: "restore" is given twice`,
			"drills.schedule[1].title: must not be empty",
			"drills.schedule[1].playbook: must name the playbook to drill",
		}},
		{"bad-database.yaml", []string{"database.url: must be a postgres:// URL, not mysql://"}},
		{"bad-lease.yaml", []string{"outbox.lease: 500ms must be from 2s to 10m0s (default 30s)"}},
		{"bad-join-window.yaml", []string{"pagerduty.join_window: -5m0s must be from 0 (never join) to 24h0m0s (default 1h0m0s)"}},
		{"long-join-window.yaml", []string{"pagerduty.join_window: 25h0m0s must be from 0 (never join) to 24h0m0s (default 1h0m0s)"}},
		{"bad-approval-ttl.yaml", []string{"approvals.ttl: -1m0s must be from 0 (approvals never lapse) to 24h0m0s (default 30m0s)"}},
		{"long-approval-ttl.yaml", []string{"approvals.ttl: 48h0m0s must be from 0 (approvals never lapse) to 24h0m0s (default 30m0s)"}},
		{"bad-duration.yaml", []string{`line 4: "soon" is not a duration such as 30s, 15m or 4h`}},
		{"bad-listen-and-urgencies.yaml", []string{
			`listen: "not-an-address:99999999": the port must be a number from 0 to 65535`,
			"pagerduty.urgencies.hgh: not a PagerDuty urgency; they are high and low",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load("testdata/"+tc.file, env(nil))
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

func TestPagingSettings(t *testing.T) {
	f := t.TempDir() + "/c.yaml"
	os.WriteFile(f, []byte(`pagerduty: {service: PSVC9, priorities: {P1: P1}}
roles:
  incident-commander: {pagerduty_escalation_policy: PIC1}
  legal-compliance-lead: {pagerduty_routing_key: R0UT1NGKEY0000000000000000000000}
paging: {P2: [incident-commander], P3: [legal-compliance-lead]}
`), 0o600)
	cfg, err := Load(f, env(map[string]string{"PAGERDUTY_TOKEN": "t", "PAGERDUTY_FROM": "bot@example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.PagingSettings()
	if !p.Enabled || p.Service != "PSVC9" || p.Targets["legal-compliance-lead"].RoutingKey == "" ||
		len(p.BySeverity["P2"]) != 1 || len(p.BySeverity["P3"]) != 1 || len(p.BySeverity["P0"]) != 5 {
		t.Errorf("paging %+v", p)
	}
	if m := cfg.SeverityMap(); m.Priorities["P1"] != "P1" || m.Priorities["P2"] != "P1" || m.Urgencies["high"] != "P1" {
		t.Errorf("severity map %+v", m)
	}
	if _, err := Load(f, env(map[string]string{"PAGERDUTY_TOKEN": "t"})); err == nil || !strings.Contains(err.Error(), "pagerduty.from:") {
		t.Errorf("a token without PAGERDUTY_FROM: %v", err)
	}
}

func TestEnvironmentWinsAndSecretsAreMasked(t *testing.T) {
	f := t.TempDir() + "/c.yaml"
	os.WriteFile(f, []byte("db: /from/file.db\nslack: {bot_token: xoxb-from-file}\n"), 0o600)
	cfg, err := Load(f, env(map[string]string{"INCIDENTBOT_DB": "/from/env.db", "SLACK_SIGNING_SECRET": "s3cr3t-signing-value"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DB != "/from/env.db" || cfg.Slack.BotToken != "xoxb-from-file" || cfg.Slack.SigningSecret != "s3cr3t-signing-value" {
		t.Errorf("cfg %+v", cfg)
	}
	out, _ := yaml.Marshal(cfg)
	if strings.Contains(string(out), "s3cr3t") || strings.Contains(string(out), "xoxb-from-file") {
		t.Errorf("secret printed:\n%s", out)
	}
	if !strings.Contains(string(out), "bot_token: '******** (14 characters)'") {
		t.Errorf("mask missing:\n%s", out)
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	f := t.TempDir() + "/empty.yaml"
	os.WriteFile(f, nil, 0o600)
	cfg, err := Load(f, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.ChannelPrefix != "inc" || cfg.Listen != ":8080" || cfg.DB != "./incidentbot.db" {
		t.Errorf("defaults lost: %+v", cfg)
	}
	if err := cfg.CheckServe(); err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") {
		t.Errorf("CheckServe: %v", err)
	}
}

// With paging on, roles the default paging pages but that have no target are warned about,
// once each with their severities; explicit paging and configured roles are not.
func TestWarningsNameRolesThatDefaultPagingCannotReach(t *testing.T) {
	cfg := Default()
	if w := cfg.Warnings(); len(w) != 0 {
		t.Errorf("paging off: %v", w)
	}
	cfg.Drills.Paging = Role{PagerDutyEscalationPolicy: "PDRILL1"}
	if w := cfg.Warnings(); len(w) != 1 || !strings.Contains(w[0], "drills.paging: set, but there is no PagerDuty token") {
		t.Errorf("drill paging without a token: %v", w)
	}
	cfg.PagerDuty.Token = "x"
	cfg.Roles = map[string]Role{"incident-commander": {PagerDutyEscalationPolicy: "PIC0001"}, "technical-lead": {PagerDutyEscalationPolicy: "PTL0001"}}
	cfg.Paging = map[string][]string{"P0": {"incident-commander"}}
	w := strings.Join(cfg.Warnings(), "\n")
	if !strings.Contains(w, "pagerduty.service: not set, so pages through an escalation policy or schedule fail") {
		t.Errorf("no warning about the missing PagerDuty service:\n%s", w)
	}
	cfg.PagerDuty.Service = "PSVC001"
	w = strings.Join(cfg.Warnings(), "\n")
	if strings.Contains(w, "pagerduty.service") ||
		!strings.Contains(w, "roles.communications-lead: paged by default on P1 incidents but names no PagerDuty target") ||
		strings.Contains(w, "incident-commander") || strings.Contains(w, "technical-lead") || strings.Contains(w, "legal-compliance-lead") {
		t.Errorf("warnings:\n%s", w)
	}
}

// A drill can page a drill target and act on drill clusters; a mapping that would let a
// drill touch the cluster it stands in for is refused.
func TestDrillPagingAndClusters(t *testing.T) {
	write := func(body string) string {
		f := t.TempDir() + "/c.yaml"
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	clusters := "clusters: {us-west-2: {context: prod-usw2}, drill-usw2: {context: drill-usw2}, eu-west-1: {context: prod-euw1}, twin: {context: prod-usw2}}\n"
	cfg, err := Load(write(clusters+"drills: {paging: {pagerduty_escalation_policy: PDRILL1}, clusters: {us-west-2: drill-usw2}}\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.PagingSettings().Drill; d.EscalationPolicy != "PDRILL1" {
		t.Errorf("drill target %+v", d)
	}
	if m := cfg.Drills.Clusters; m["us-west-2"] != "drill-usw2" {
		t.Errorf("drill clusters %v", m)
	}
	if _, err := Load(write(clusters+"actions: {http: {allowed_hosts: [patroni.drill.svc]}}\ndrills: {patroni_hosts: [patroni.drill.svc]}\n"), env(nil)); err != nil {
		t.Errorf("a drill Patroni on an allowed host: %v", err)
	}
	if _, err := Load(write(clusters+"drills: {patroni_hosts: [patroni.drill.svc]}\n"), env(nil)); err == nil ||
		!strings.Contains(err.Error(), `drills.patroni_hosts[0]: "patroni.drill.svc" is not in actions.http.allowed_hosts`) {
		t.Errorf("a drill Patroni off the allow-list: %v", err)
	}

	_, err = Load(write(clusters+`drills:
  paging: {pagerduty_escalation_policy: PDRILL1, pagerduty_schedule: PSCHED1, slack_usergroup: S1}
  clusters: {us-west-2: us-west-2, eu-west-1: twin, mars: drill-usw2, drill-usw2: nowhere}
`), env(nil))
	for _, w := range []string{
		"drills.paging: set one of pagerduty_escalation_policy, pagerduty_schedule or pagerduty_routing_key, not several",
		"drills.paging.slack_usergroup: drills page through PagerDuty only",
		"drills.clusters.us-west-2: the drill cluster must be another cluster than us-west-2: a drill would change production",
		"drills.clusters.eu-west-1: the drill cluster twin uses the context of us-west-2 (prod-usw2): a drill would change production",
		`drills.clusters.mars: "mars" is not one of the clusters`,
		`drills.clusters.drill-usw2: the drill cluster "nowhere" is not one of the clusters`,
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}

// The README's example configuration is valid: it is what newcomers copy.
func TestReadmeExampleLoads(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var example string
	for _, block := range strings.Split(string(readme), "```yaml\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if strings.HasPrefix(block, "slack:") {
			example = block
		}
	}
	if example == "" {
		t.Fatal("the README has no example configuration (a yaml block starting with slack:)")
	}
	f := t.TempDir() + "/c.yaml"
	if err := os.WriteFile(f, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(f, env(nil))
	if err != nil {
		t.Fatalf("the README's example does not load:\n%v", err)
	}
	if cfg.Drills.Clusters["us-west-2"] != "drill-usw2" || cfg.PagingSettings().Drill.EscalationPolicy != "PDRILL1" {
		t.Errorf("drills %+v", cfg.Drills)
	}
}

// An impact of 0 in the configuration reaches the domain as a figure, not as "unset".
func TestImpactOfZeroIsKept(t *testing.T) {
	f := t.TempDir() + "/c.yaml"
	os.WriteFile(f, []byte("services:\n  ledger: {tier: 1, impact: {large_enterprise: 60000, mid_market: 0, small_business: 0}}\n"), 0o600)
	cfg, err := Load(f, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	inc := &incident.Incident{Services: []string{"ledger"}, Impact: map[string]int{incident.SegmentLargeEnterprise: 100, incident.SegmentMidMarket: 100, incident.SegmentSmallBusiness: 100}}
	if got := inc.EstimateImpact(cfg.Catalog(), inc.DeclaredAt).Hourly; got != 60000 {
		t.Errorf("hourly %s, want $60,000", incident.FormatMoney(got))
	}
}

// database.url (or INCIDENTBOT_DATABASE_URL) selects PostgreSQL; it is a secret (its
// password never prints, also not in errors), and a URL that cannot reach a database is
// refused with what is missing.
func TestDatabaseURL(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"postgres://bot:hunter2@db1.internal,db2.internal:5432/incidentbot?target_session_attrs=read-write", ""},
		{"postgresql:///incidentbot?host=/run/postgresql", ""},
		{"postgres://bot:hunter2@db.internal", "database.url: names no database"},
		{"postgres:///incidentbot", "database.url: names no host"},
		{"mysql://bot:hunter2@db/x", "must be a postgres:// URL, not mysql://"},
	} {
		cfg, err := Load("", env(map[string]string{"INCIDENTBOT_DATABASE_URL": tc.url, "SLACK_SIGNING_SECRET": "s3cr3t-signing-value"}))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.url, err)
		case tc.want == "" && !cfg.Postgres():
			t.Errorf("%s does not select PostgreSQL", tc.url)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.url, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("an error shows the password: %v", err)
		}
	}
	cfg, err := Load("", env(map[string]string{"SLACK_SIGNING_SECRET": "s3cr3t-signing-value"}))
	if err != nil || cfg.Postgres() {
		t.Errorf("unset, the bot keeps SQLite: %v %v", cfg.Postgres(), err)
	}
}

// outbox.lease defaults to 30s and takes a shorter lease, such as the chaos run's.
func TestOutboxLease(t *testing.T) {
	cfg, err := Load("", env(nil))
	if err != nil || time.Duration(cfg.Outbox.Lease) != 30*time.Second {
		t.Fatalf("default lease %s, %v; want 30s", time.Duration(cfg.Outbox.Lease), err)
	}
	path := filepath.Join(t.TempDir(), "lease.yaml")
	if err := os.WriteFile(path, []byte("outbox: {lease: 5s}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err = Load(path, env(nil)); err != nil || time.Duration(cfg.Outbox.Lease) != 5*time.Second {
		t.Fatalf("lease %s, %v; want 5s", time.Duration(cfg.Outbox.Lease), err)
	}
}

// pagerduty.join_window: 1h unless set; 0 (joining off) is kept as 0, not as "unset"; the
// domain gets it.
func TestJoinWindow(t *testing.T) {
	cfg, err := Load("", env(nil))
	if err != nil || cfg.Settings().JoinWindow != time.Hour {
		t.Fatalf("default join window %s, %v; want 1h", cfg.Settings().JoinWindow, err)
	}
	for text, want := range map[string]time.Duration{"0": 0, "0s": 0, "10m": 10 * time.Minute, "24h": 24 * time.Hour} {
		path := filepath.Join(t.TempDir(), "join.yaml")
		if err := os.WriteFile(path, []byte("pagerduty: {join_window: "+text+"}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if cfg, err = Load(path, env(nil)); err != nil {
			t.Errorf("join_window %s: %v", text, err)
		} else if got := cfg.Settings().JoinWindow; got != want {
			t.Errorf("join_window %s: %s, want %s", text, got, want)
		}
	}
}

// approvals.ttl: 30m unless set; 0 (approvals never lapse) is kept as 0; the domain gets it.
func TestApprovalTTL(t *testing.T) {
	cfg, err := Load("", env(nil))
	if err != nil || cfg.Settings().ApprovalTTL != 30*time.Minute {
		t.Fatalf("default approval TTL %s, %v; want 30m", cfg.Settings().ApprovalTTL, err)
	}
	for text, want := range map[string]time.Duration{"0": 0, "5m": 5 * time.Minute, "24h": 24 * time.Hour} {
		path := filepath.Join(t.TempDir(), "ttl.yaml")
		if err := os.WriteFile(path, []byte("approvals: {ttl: "+text+"}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if cfg, err = Load(path, env(nil)); err != nil {
			t.Errorf("ttl %s: %v", text, err)
		} else if got := cfg.Settings().ApprovalTTL; got != want {
			t.Errorf("ttl %s: %s, want %s", text, got, want)
		}
	}
}
