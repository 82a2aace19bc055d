package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/storecopy"
	"github.com/spf13/cobra"
)

func migrateCommand() *cobra.Command {
	to := ""
	cmd := &cobra.Command{
		Use:   "migrate --to postgres://...",
		Short: "Copy everything from the SQLite database into an empty PostgreSQL database, and verify the copy",
		Long: "Copies every incident, timeline (with its hashes), outbox effect, timer, playbook run, page,\n" +
			"follow-up and deduplication key from the SQLite database (db:, INCIDENTBOT_DB) into the empty\n" +
			"PostgreSQL database at --to, keeping every id, in one transaction: all of it or nothing. The\n" +
			"SQLite file is opened as serve opens it, which migrates an older schema forward first. A target\n" +
			"that holds anything is refused and left as it was. Afterwards every row is compared, the row\n" +
			"counts are checked and every timeline is verified on the copy; any difference exits 1.\n" +
			"Stop serve first: what it writes after the copy's snapshot stays in SQLite only. Then set\n" +
			"database.url (INCIDENTBOT_DATABASE_URL) to the same URL and start serve.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return usageError{fmt.Errorf("migrate needs --to postgres://user:password@host:port/database")}
			}
			if err := storecopy.CheckURL(to); err != nil {
				return usageError{err}
			}
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			rep, err := storecopy.Migrate(cmd.Context(), cfg.DB, to)
			switch {
			case err != nil && rep == nil:
				return fmt.Errorf("migrate %s to PostgreSQL: %w (nothing was copied)", cfg.DB, err)
			case err != nil:
				return fmt.Errorf("migrate %s to PostgreSQL: copied %s, but then %w: do not use this copy; "+
					"drop it, stop what writes to it and migrate again", cfg.DB, rep.Summary(), err)
			}
			if rep.SchemaBefore < storecopy.SQLiteSchema {
				fmt.Fprintf(out, "migrated the SQLite database %s from schema version %d to %d first, as serve would\n",
					cfg.DB, rep.SchemaBefore, storecopy.SQLiteSchema)
			}
			began := time.Now()
			target := *cfg
			target.Database.URL = config.Secret(to) // the rest of database: as configured
			db, err := app.OpenDatabase(cmd.Context(), &target)
			if err != nil {
				return err
			}
			defer db.Close()
			var brokenLines []string
			broken, total, err := verifyTimelines(cmd.Context(), db, func(line string) {
				if strings.Contains(line, "BROKEN") {
					brokenLines = append(brokenLines, line)
				}
			})
			if err != nil {
				return fmt.Errorf("timeline verify on the copy: %w", err)
			}
			for _, line := range brokenLines {
				fmt.Fprintln(out, line)
			}
			fmt.Fprintf(out, "copied %s to PostgreSQL in %s, every row compared; timeline verify: %d incidents checked, %d broken (%s)\n",
				rep.Summary(), rep.Elapsed.Round(time.Millisecond), total, broken, time.Since(began).Round(time.Millisecond))
			if broken > 0 {
				fmt.Fprintf(out, "the copy holds the same bytes as %s: run incidentbot timeline verify on it to see the same breaks there\n", cfg.DB)
				return exitError{1}
			}
			fmt.Fprintln(out, "next: set database.url (INCIDENTBOT_DATABASE_URL) to the same URL and start serve; keep the SQLite file as a backup")
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the empty PostgreSQL database to copy into: postgres://user:password@host:port/database")
	return cmd
}
