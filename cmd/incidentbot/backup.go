package main

import (
	"fmt"
	"os"
	"time"

	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/spf13/cobra"
)

func backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the SQLite database to a new FILE, also while serve runs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if cfg.Postgres() {
				return fmt.Errorf("incidentbot backup copies the SQLite file; on PostgreSQL (database.url) use pg_dump or the database's own backups")
			}
			began := time.Now()
			if err := sqlite.Backup(cmd.Context(), cfg.DB, args[0]); err != nil {
				return err
			}
			size := int64(0)
			if fi, err := os.Stat(args[0]); err == nil {
				size = fi.Size()
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up %s to %s (%d bytes, integrity ok) in %s\n", cfg.DB, args[0], size,
				time.Since(began).Round(time.Millisecond))
			fmt.Fprintf(cmd.OutOrStdout(), "restore: stop the bot, put %s where INCIDENTBOT_DB points, start it; incidentbot timeline verify checks it\n", args[0])
			return nil
		},
	}
}
