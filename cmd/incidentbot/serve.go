package main

import (
	"errors"

	"github.com/nephoran/incidentbot/internal/app"
	"github.com/spf13/cobra"
)

func serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the bot: Slack (Socket Mode or HTTP), the outbox workers and the HTTP endpoints",
		Long: "Runs the bot until interrupted. Socket Mode is used when SLACK_APP_TOKEN is set; otherwise\n" +
			"Slack reaches the bot over HTTP at /slack/commands, /slack/interactions and /slack/events,\n" +
			"verified with SLACK_SIGNING_SECRET. See the README for every setting.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if err := cfg.CheckServe(); err != nil {
				return err
			}
			ctx, log := cmd.Context(), newLogger()
			a, err := app.New(ctx, cfg, app.Deps{Log: log})
			if err != nil {
				return err
			}
			if err := a.Run(ctx); err != nil {
				return errors.Join(err, a.Close())
			}
			afterReady(ctx, a, log)
			select {
			case <-ctx.Done():
			case err = <-a.Failed():
			}
			return errors.Join(err, a.Close())
		},
	}
}
