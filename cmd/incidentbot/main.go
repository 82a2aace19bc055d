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

// usageError is a command line the binary does not understand: exit status 2.
type usageError struct{ error }

func exitCode(err error) int {
	switch e := err.(type) {
	case exitError:
		return e.code
	case usageError:
		return 2
	}
	return 1
}

// group returns a command that only holds subcommands: alone it prints its help; with an
// argument that names none of them it is a usage error naming the argument.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.ArbitraryArgs, RunE: runGroup}
	cmd.AddCommand(subs...)
	return cmd
}

func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unknown command %q for %q; %s --help lists its commands", args[0], cmd.CommandPath(), cmd.CommandPath())}
	}
	return cmd.Help()
}

func rootCommand() *cobra.Command {
	root := group("incidentbot", "Incident command bot for Slack: channels, roles, playbooks, timeline, reviews",
		serveCommand(), demoCommand(), configCommand(), consoleCommand(), timelineCommand(), backupCommand(), migrateCommand(), playbooksCommand(), versionCommand())
	root.SilenceUsage = true
	root.SilenceErrors = true // main prints them, once
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
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
