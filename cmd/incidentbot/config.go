package main

import (
	"fmt"
	"os"

	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/config"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// loadConfig reads INCIDENTBOT_CONFIG (if set) and the environment.
func loadConfig() (*config.Config, error) {
	return config.Load(os.Getenv("INCIDENTBOT_CONFIG"), os.Getenv)
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
				var l *app.Loaded
				if l, err = app.Load(cfg); err == nil {
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
func printConfig(cmd *cobra.Command, cfg *config.Config, l *app.Loaded) error {
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
