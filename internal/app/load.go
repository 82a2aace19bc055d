package app

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/drills"
	"github.com/nephoran/incidentbot/internal/evidence"
	ghtracker "github.com/nephoran/incidentbot/internal/github"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/internal/postmortem"
	"github.com/nephoran/incidentbot/playbooks"
	"k8s.io/client-go/tools/clientcmd"
)

// Loaded is what the configuration's files give the bot before anything starts.
type Loaded struct {
	Library  *playbook.Library
	Reminder *drills.Reminder // nil: no drills.channel
	Warnings []string         // cfg.Warnings and what the kubeconfig lacks
}

// Load loads everything the configuration names that the bot uses (the listen address,
// the playbook directories, the drill schedule's playbooks, the review template, the
// GitHub App key, the kubeconfig), so that `config check` and New accept and refuse the
// same configurations. Every error names its key and its path.
func Load(cfg *config.Config) (*Loaded, error) {
	var errs []error
	if _, err := net.ResolveTCPAddr("tcp", cfg.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen: %q: %w", cfg.Listen, err))
	}
	out := &Loaded{Warnings: cfg.Warnings()}
	lib, err := LoadLibrary(cfg)
	if err != nil {
		errs = append(errs, err)
	} else if out.Reminder, err = drillReminder(cfg, lib); err != nil {
		errs = append(errs, err)
	}
	out.Library = lib
	if g := cfg.GitHub; g.Template != "" {
		if err := checkFile("github.template", g.Template); err != nil {
			errs = append(errs, err)
		} else if _, err := postmortem.New(g.Template, g.Labels); err != nil {
			errs = append(errs, fmt.Errorf("github.template: %w", err))
		}
	}
	if g := cfg.GitHub; g.PrivateKeyFile != "" {
		if err := checkFile("github.private_key_file", g.PrivateKeyFile); err != nil {
			errs = append(errs, err)
		}
	}
	if k := cfg.Timeline.SigningKeyFile; k != "" {
		if _, err := evidence.LoadPrivateKey(k); err != nil {
			errs = append(errs, fmt.Errorf("timeline.signing_key_file: %w", err))
		}
	}
	if cfg.Kubeconfig != "" {
		if err := checkFile("kubeconfig", cfg.Kubeconfig); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out.Warnings = append(out.Warnings, kubeconfigWarnings(cfg)...)
	return out, nil
}

// LoadLibrary loads the built-in playbooks and those of playbooks.dirs. Hosts are not
// checked here: http actions check them when they run.
func LoadLibrary(cfg *config.Config) (*playbook.Library, error) {
	lib := playbook.NewLibrary()
	opts := playbook.Options{Services: cfg.ServiceNames()}
	errs := []error{lib.LoadFS(playbooks.FS, ".", "builtin", opts)}
	for i, dir := range cfg.Playbooks.Dirs {
		st, err := os.Stat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			errs = append(errs, fmt.Errorf("playbooks.dirs[%d]: %s: no such directory", i, dir))
		case err != nil:
			errs = append(errs, fmt.Errorf("playbooks.dirs[%d]: %w", i, err))
		case !st.IsDir():
			errs = append(errs, fmt.Errorf("playbooks.dirs[%d]: %s: not a directory", i, dir))
		default:
			errs = append(errs, lib.LoadFS(os.DirFS(dir), ".", dir, opts))
		}
	}
	return lib, errors.Join(errs...)
}

// drillReminder builds the reminder of the plan's testing schedule, or nil when no
// drills.channel is set. Every entry must name a loaded playbook.
func drillReminder(cfg *config.Config, library *playbook.Library) (*drills.Reminder, error) {
	if cfg.Drills.Channel == "" {
		return nil, nil
	}
	for i, e := range cfg.Drills.Schedule {
		if _, ok := library.Get(e.Playbook); !ok {
			return nil, fmt.Errorf("drills.schedule[%d].playbook: there is no playbook %q (incidentbot playbooks list)", i, e.Playbook)
		}
	}
	return &drills.Reminder{Channel: cfg.Drills.Channel, Schedule: cfg.Drills.Schedule}, nil
}

// reviewing builds the GitHub tracker and the review writer.
func reviewing(cfg *config.Config, transport http.RoundTripper) (incident.Tracker, incident.ReviewWriter, error) {
	tr, err := ReviewTracker(cfg, transport)
	if err != nil {
		return nil, nil, err
	}
	g := cfg.GitHub
	w, err := postmortem.New(g.Template, g.Labels)
	if err != nil {
		return nil, nil, err
	}
	return tr, w, nil
}

// ReviewTracker builds the GitHub tracker the reviews are filed with (github: and the
// GITHUB_* environment), for serve and for the commands that read the filed reviews.
func ReviewTracker(cfg *config.Config, transport http.RoundTripper) (*ghtracker.Tracker, error) {
	g := cfg.GitHub
	opts := ghtracker.Options{Repo: g.Repo, Token: string(g.Token), BaseURL: g.APIURL, ReviewLabel: g.Labels[0],
		AppID: g.AppID, InstallationID: g.InstallationID, Transport: transport}
	if g.PrivateKeyFile != "" {
		key, err := os.ReadFile(g.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("github.private_key_file: %w", err)
		}
		opts.PrivateKey = key
	}
	return ghtracker.New(opts)
}

// checkFile says, naming key, why path is not a readable file.
func checkFile(key, path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %s: no such file", key, path)
	case err != nil:
		return fmt.Errorf("%s: %w", key, err)
	case st.IsDir():
		return fmt.Errorf("%s: %s: is a directory, not a file", key, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return f.Close()
}

// kubeconfigWarnings names the clusters whose contexts the kubeconfig lacks. These are
// warnings, not errors: the bot starts without its clusters (their steps fail with the
// reason and are done by hand), as it must during the disaster it manages.
func kubeconfigWarnings(cfg *config.Config) []string {
	if len(cfg.Clusters) == 0 {
		return nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if cfg.Kubeconfig != "" {
		rules.ExplicitPath = cfg.Kubeconfig
	}
	where := strings.Join(rules.GetLoadingPrecedence(), ", ")
	if cfg.Kubeconfig != "" {
		where = cfg.Kubeconfig
	}
	kc, err := rules.Load()
	if err != nil {
		return []string{fmt.Sprintf("kubeconfig: %v; kubernetes steps will fail", err)}
	}
	var have []string
	for name := range kc.Contexts {
		have = append(have, name)
	}
	slices.Sort(have)
	var out []string
	for _, name := range cfg.ClusterNames() {
		ctx := cfg.Clusters[name].Context
		if _, ok := kc.Contexts[ctx]; !ok {
			has := "it has no contexts"
			if len(have) > 0 {
				has = "it has " + strings.Join(have, ", ")
			}
			out = append(out, fmt.Sprintf("clusters.%s.context: %q is not a context of %s (%s); its kubernetes steps will fail", name, ctx, where, has))
		}
	}
	return out
}
