//go:build demo

// The demo command, only in the demo build (go build -tags demo, as `make demo` does): it
// links the in-process emulators of internal/testenv, which the release binary must not.

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/demo"
	"github.com/spf13/cobra"
)

// demoCommand is `incidentbot-demo demo`: the drill on the emulators, then a report.
func demoCommand() *cobra.Command {
	var (
		serve  bool
		listen string
		dir    string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a scripted regional-outage drill end to end, on in-process Slack, PagerDuty, GitHub and a simulated cluster",
		Long: "Starts this bot against in-process emulators of Slack, PagerDuty and GitHub and a simulated\n" +
			"Kubernetes cluster, then plays the BCDR plan's regional failover drill through it as its users\n" +
			"would: the drill is declared, the crisis roles are paged and acknowledge, the playbook runs with\n" +
			"approvals and failover actions, updates go out, the incident is resolved and the review filed.\n" +
			"It prints the channel, the timeline and the review. Nothing leaves this machine; no credentials.\n" +
			"With --serve the bot stays up afterwards, with its dashboard, until interrupted.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("listen") && !free(listen) {
				listen = "127.0.0.1:0" // 8080 is taken: any free port will do, the address is printed
			}
			return runDemo(cmd.Context(), cmd.OutOrStdout(), listen, dir, serve)
		},
	}
	cmd.Flags().BoolVar(&serve, "serve", false, "keep the bot and its dashboard running after the drill, until interrupted")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "the bot's HTTP address (dashboard, status page, Slack and PagerDuty endpoints)")
	cmd.Flags().StringVar(&dir, "dir", "", "where to keep the database and the bot's log (default: a new temporary directory)")
	return cmd
}

// free reports whether addr can be listened on now.
func free(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// runDemo wires the real App to the demo's world, plays the drill and reports.
func runDemo(ctx context.Context, out io.Writer, listen, dir string, serve bool) error {
	began := time.Now()
	if dir == "" {
		tmp, err := os.MkdirTemp("", "incidentbot-demo-")
		if err != nil {
			return err
		}
		dir = tmp
	} else if _, err := os.Stat(filepath.Join(dir, "incidentbot.db")); err == nil {
		return fmt.Errorf("--dir %s already holds a database from an earlier demo; give a new or empty directory", dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(dir, "incidentbot.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	world := demo.NewWorld(ctx)
	defer world.Close()
	cfg := world.Config(filepath.Join(dir, "incidentbot.db"), listen)
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("the demo's configuration: %w", err)
	}
	fmt.Fprintf(out, "incidentbot demo: the BCDR plan's quarterly regional failover drill, played end to end through\n"+
		"this bot against in-process Slack, PagerDuty and GitHub emulators and a simulated Kubernetes cluster.\n"+
		"Nothing leaves this machine. Database and log: %s\n", dir)
	a, err := app.New(ctx, cfg, app.Deps{Log: slog.New(slog.NewJSONHandler(logFile, nil)), Clusters: world.Clusters()})
	if err != nil {
		return fmt.Errorf("the bot did not start: %w (its log: %s)", err, logFile.Name())
	}
	defer a.Close()
	if err := a.Run(ctx); err != nil {
		return fmt.Errorf("the bot did not start: %w (its log: %s)", err, logFile.Name())
	}
	base := "http://" + a.Addr()
	drill := &demo.Drill{World: world, Service: a.Service, BotURL: base, Out: out}
	inc, err := drill.Run(ctx)
	if err == nil {
		err = world.Report(ctx, out, a.Service, inc)
	}
	if err != nil {
		return fmt.Errorf("%w\nthe bot's log: %s", err, logFile.Name())
	}
	fmt.Fprintf(out, "\nThe drill took %.1f s.\n", time.Since(began).Seconds())
	fmt.Fprintf(out, "Dashboard %s/  incident %s/incidents/%d  status page %s/status  metrics %s/metrics\n", base, base, inc.ID, base, base)
	if serve {
		fmt.Fprintln(out, "The bot keeps running (--serve); press Ctrl-C to stop it.")
		select {
		case <-ctx.Done():
		case err := <-a.Failed():
			return errors.Join(err, a.Close())
		}
	}
	return a.Close()
}
