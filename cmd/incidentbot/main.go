// Command incidentbot is a self-hosted incident command bot for Slack. This package only
// wires the pieces together; see the README for how to run it.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rootCommand().ExecuteContext(ctx); err != nil {
		if _, reported := err.(exitError); !reported {
			fmt.Fprintln(os.Stderr, "incidentbot:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitError carries a specific exit status for a failure that was already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func exitCode(err error) int {
	if e, ok := err.(exitError); ok {
		return e.code
	}
	return 1
}

func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "incidentbot",
		Short:         "Incident command bot for Slack: channels, roles, playbooks, timeline, reviews",
		SilenceUsage:  true,
		SilenceErrors: true, // main prints them, once
	}
	root.AddCommand(serveCommand(), demoCommand(), configCommand(), consoleCommand(), timelineCommand(), playbooksCommand(), versionCommand())
	return root
}

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			v := version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						v += "+" + s.Value
					}
				}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "incidentbot", v)
		},
	}
}

// newLogger returns the JSON logger every subsystem derives its own from.
func newLogger() *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("INCIDENTBOT_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
