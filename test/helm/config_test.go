package helm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/nephoran/incidentbot/internal/config"
)

// fakeSecrets stand in for the Secrets' values when the rendered configuration is loaded.
var fakeSecrets = map[string]string{
	"SLACK_BOT_TOKEN":          "xoxb-chart-test",
	"SLACK_SIGNING_SECRET":     "chart-test-signing-secret",
	"INCIDENTBOT_DATABASE_URL": "postgres://incidentbot@db.internal:5432/incidentbot",
}

// TestRenderedConfigLoads loads the rendered ConfigMap's file with the container's
// environment as the bot does (config.Load), so a value set that renders is also one the bot
// starts with, and INCIDENTBOT_CONFIG names the file the ConfigMap is mounted as.
func TestRenderedConfigLoads(t *testing.T) {
	for _, tc := range []struct {
		values   string
		postgres bool
		check    func(*testing.T, *config.Config)
	}{
		{"sqlite.yaml", false, func(t *testing.T, c *config.Config) {
			if c.DB != "/data/incidentbot.db" || c.Slack.AnnounceChannel != "C0ANNOUNCE" || c.ClusterContexts()["us-east-1"] != "prod-use1" {
				t.Errorf("db %q, announce %q, clusters %v", c.DB, c.Slack.AnnounceChannel, c.ClusterContexts())
			}
		}},
		{"postgres-ha.yaml", true, func(t *testing.T, c *config.Config) {
			if c.GitHub.Repo != "nephoran/incidents" || c.PagerDuty.From != "oncall@example.com" || len(c.Slack.TeamIDs) != 1 {
				t.Errorf("github.repo %q, pagerduty.from %q, team ids %v", c.GitHub.Repo, c.PagerDuty.From, c.Slack.TeamIDs)
			}
		}},
	} {
		t.Run(tc.values, func(t *testing.T) {
			r := render(t, []string{tc.values})
			var cm corev1.ConfigMap
			r.one("ConfigMap", &cm)
			d := r.deployment()
			c := container(t, d)
			path := envValue(c, "INCIDENTBOT_CONFIG")
			var mounted bool
			for _, m := range c.VolumeMounts {
				if m.Name == "config" && m.MountPath == path && m.SubPath == filepath.Base(path) && m.ReadOnly {
					_, mounted = cm.Data[m.SubPath]
				}
			}
			if cv := volume(t, d, "config"); !mounted || cv.ConfigMap == nil || cv.ConfigMap.Name != cm.Name {
				t.Fatalf("INCIDENTBOT_CONFIG=%q is not the ConfigMap %s's file (keys %v)", path, cm.Name, keys(cm.Data))
			}
			file := filepath.Join(t.TempDir(), "incidentbot.yaml")
			if err := os.WriteFile(file, []byte(cm.Data[filepath.Base(path)]), 0o600); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{}
			for _, e := range c.Env {
				switch {
				case e.ValueFrom == nil:
					env[e.Name] = e.Value
				case e.ValueFrom.SecretKeyRef != nil:
					env[e.Name] = fakeSecrets[e.Name]
				}
			}
			cfg, err := config.Load(file, func(k string) string { return env[k] })
			if err != nil {
				t.Fatalf("the bot refuses the rendered configuration: %v\n%s", err, cm.Data[filepath.Base(path)])
			}
			if cfg.Postgres() != tc.postgres || cfg.Listen != ":8080" {
				t.Errorf("postgres %v (want %v), listen %q", cfg.Postgres(), tc.postgres, cfg.Listen)
			}
			if strings.Contains(cm.Data[filepath.Base(path)], fakeSecrets["SLACK_BOT_TOKEN"]) {
				t.Error("a token in the ConfigMap")
			}
			tc.check(t, cfg)
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
