package main

import (
	"fmt"
	"os"

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
			"and prints the effective configuration with every secret masked. Exits 1 on any error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "configuration is invalid:")
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError{1}
			}
			out, err := yaml.Marshal(cfg)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), string(out))
			for _, w := range cfg.Warnings() {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
			}
			if err := cfg.CheckServe(); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "configuration is valid, but serve would refuse to start:\n%v\n", err)
				return nil
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "configuration is valid")
			return nil
		},
	})
}
