package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/spf13/cobra"
)

func timelineCommand() *cobra.Command {
	return group("timeline", "Work with incident timelines", &cobra.Command{
		Use:   "verify",
		Short: "Check every incident's hash chain and name the first broken event",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			db, err := openExisting(cmd.Context(), cfg.DB)
			if err != nil {
				return err
			}
			defer db.Close()
			broken, total, err := verifyTimelines(cmd.Context(), db, func(line string) { fmt.Fprintln(cmd.OutOrStdout(), line) })
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d incidents checked, %d broken\n", total, broken)
			if broken > 0 {
				return exitError{1}
			}
			return nil
		},
	})
}

// openExisting opens the database at path for a command that only reads it: one that does
// not exist is an error, not a new empty database.
func openExisting(ctx context.Context, path string) (*sqlite.DB, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("there is no database at %s (db:, INCIDENTBOT_DB); nothing to read", path)
		}
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return sqlite.Open(ctx, path)
}

// verifyTimelines checks each incident's chain, oldest first, reporting one line per incident.
func verifyTimelines(ctx context.Context, db *sqlite.DB, report func(string)) (broken, total int, err error) {
	svc := incident.NewService(incident.ServiceConfig{Store: db})
	incs, err := svc.FindIncidents(ctx, incident.IncidentFilter{})
	if err != nil {
		return 0, 0, err
	}
	for _, inc := range slices.Backward(incs) {
		evs, err := svc.Timeline(ctx, inc.ID)
		if err != nil {
			return broken, total, err
		}
		total++
		if b := incident.VerifyChain(evs); b != nil {
			broken++
			report(fmt.Sprintf("%s: BROKEN at event #%d (id %d, %s, %s by %s): %s",
				inc.Key(), b.Event.Seq, b.Event.ID, b.Event.Kind, incident.FormatTime(b.Event.At), b.Event.Actor, b.Reason))
			continue
		}
		report(fmt.Sprintf("%s: ok (%d events)", inc.Key(), len(evs)))
	}
	return broken, total, nil
}
