package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/drills"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/internal/postmortem"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
	"k8s.io/client-go/tools/clientcmd"
)

// loadConfig reads INCIDENTBOT_CONFIG (if set) and the environment.
func loadConfig() (*config.Config, error) {
	return config.Load(os.Getenv("INCIDENTBOT_CONFIG"), os.Getenv)
}

// loaded is what serve builds from the configuration's files before it starts anything.
type loaded struct {
	Library  *playbook.Library
	Reminder *drills.Reminder // nil: no drills.channel
	Warnings []string         // cfg.Warnings and what the kubeconfig lacks
}

// load loads everything the configuration names that serve uses (the listen address, the
// playbook directories, the drill schedule's playbooks, the review template, the GitHub
// App key, the kubeconfig), so that config check and serve accept and refuse the same
// configurations. Every error names its key and its path.
func load(cfg *config.Config) (*loaded, error) {
	var errs []error
	if _, err := net.ResolveTCPAddr("tcp", cfg.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen: %q: %w", cfg.Listen, err))
	}
	out := &loaded{Warnings: cfg.Warnings()}
	lib, err := loadLibrary(cfg)
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

func configCommand() *cobra.Command {
	return group("config", "Inspect the configuration", &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and print it with secrets masked",
		Long: "Reads the file named by INCIDENTBOT_CONFIG and the environment variables, validates them,\n" +
			"loads what serve loads (playbook directories, templates, key files, the kubeconfig), and\n" +
			"prints the effective configuration with every secret masked. Exits 1 on any error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err == nil {
				var l *loaded
				if l, err = load(cfg); err == nil {
					return printConfig(cmd, cfg, l)
				}
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "configuration is invalid:")
			fmt.Fprintln(cmd.ErrOrStderr(), err)
			return exitError{1}
		},
	})
}

// printConfig prints the effective configuration, its warnings and whether serve would start.
func printConfig(cmd *cobra.Command, cfg *config.Config, l *loaded) error {
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	fmt.Fprint(cmd.OutOrStdout(), string(out))
	for _, w := range l.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	if err := cfg.CheckServe(); err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "configuration is valid, but serve would refuse to start:\n%v\n", err)
		return nil
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "configuration is valid")
	return nil
}
