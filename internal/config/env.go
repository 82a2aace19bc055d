package config

import "strings"

// envVars maps each environment variable to the field it sets. The environment wins over
// the file.
func envVars(c *Config) []struct {
	name string
	set  func(string)
} {
	str := func(p *string) func(string) { return func(v string) { *p = v } }
	sec := func(p *Secret) func(string) { return func(v string) { *p = Secret(v) } }
	return []struct {
		name string
		set  func(string)
	}{
		{"INCIDENTBOT_DB", str(&c.DB)},
		{"INCIDENTBOT_DATABASE_URL", sec(&c.Database.URL)},
		{"INCIDENTBOT_LISTEN", str(&c.Listen)},
		{"INCIDENTBOT_DASHBOARD_TOKEN", sec(&c.DashboardToken)},
		{"INCIDENTBOT_PUBLIC_URL", str(&c.Web.PublicURL)},
		{"INCIDENTBOT_CONSOLE_TOKEN", sec(&c.ConsoleToken)}, // refused by Validate, with what to do instead
		{"INCIDENTBOT_CONSOLE_OPERATORS_FILE", str(&c.Console.OperatorsFile)},
		{"INCIDENTBOT_DRILLS_CHANNEL", str(&c.Drills.Channel)},
		{"SLACK_BOT_TOKEN", sec(&c.Slack.BotToken)},
		{"SLACK_APP_TOKEN", sec(&c.Slack.AppToken)},
		{"SLACK_SIGNING_SECRET", sec(&c.Slack.SigningSecret)},
		{"SLACK_API_URL", str(&c.Slack.APIURL)},
		{"SLACK_TEAM_IDS", func(v string) { c.Slack.TeamIDs = splitList(v) }},
		{"PAGERDUTY_TOKEN", sec(&c.PagerDuty.Token)},
		{"PAGERDUTY_FROM", str(&c.PagerDuty.From)},
		{"PAGERDUTY_API_URL", str(&c.PagerDuty.APIURL)},
		{"PAGERDUTY_EVENTS_URL", str(&c.PagerDuty.EventsURL)},
		{"PAGERDUTY_WEBHOOK_SECRET", sec(&c.PagerDuty.WebhookSecret)},
		{"GITHUB_TOKEN", sec(&c.GitHub.Token)},
		{"GITHUB_API_URL", str(&c.GitHub.APIURL)},
		{"GITHUB_REPO", str(&c.GitHub.Repo)},
		{"STATUSPAGE_API_KEY", sec(&c.Statuspage.APIKey)},
		{"STATUSPAGE_API_URL", str(&c.Statuspage.APIURL)},
		{"KUBECONFIG", str(&c.Kubeconfig)},
	}
}

// EnvNames lists the environment variables the bot reads, besides INCIDENTBOT_CONFIG.
func EnvNames() []string {
	var names []string
	for _, v := range envVars(Default()) {
		names = append(names, v.name)
	}
	return names
}

func applyEnv(c *Config, getenv func(string) string) {
	if getenv == nil {
		return
	}
	for _, v := range envVars(c) {
		if val := getenv(v.name); val != "" {
			v.set(val)
		}
	}
}

// splitList splits a comma-separated value, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
