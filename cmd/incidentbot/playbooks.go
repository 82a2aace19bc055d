package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/spf13/cobra"
)

func playbooksCommand() *cobra.Command {
	return group("playbooks", "List, show and validate playbooks", &cobra.Command{
		Use:   "validate [files or directories]",
		Short: "Validate playbooks; exit 1 on any error (for the CI of a playbook repository)",
		Long: "Without arguments, validates the built-in library and the directories of playbooks.dirs.\n" +
			"With arguments, validates those files and directories on their own (hosts of http actions\n" +
			"are checked against actions.http.allowed_hosts when the configuration sets any).",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			lib := playbook.NewLibrary()
			opts := playbook.Options{}
			if len(cfg.Actions.HTTP.AllowedHosts) > 0 {
				opts.AllowedHosts = cfg.Actions.HTTP.AllowedHosts
			}
			if len(cfg.Services) > 0 {
				opts.Services = cfg.ServiceNames()
			}
			var errs []error
			if len(args) == 0 {
				var lerr error
				if lib, lerr = app.LoadLibrary(cfg); lerr != nil {
					errs = append(errs, lerr)
				}
			}
			for _, arg := range args {
				errs = append(errs, loadPath(lib, arg, opts))
			}
			if err := errors.Join(errs...); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				n := strings.Count(err.Error(), "\n") + 1
				fmt.Fprintf(cmd.ErrOrStderr(), "%d problem(s) found\n", n)
				return exitError{1}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d playbooks valid\n", len(lib.List()))
			return nil
		},
	}, &cobra.Command{
		Use:   "list",
		Short: "List the playbooks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := configuredLibrary()
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tKIND\tSEVERITY\tPHASES\tSTEPS\tTITLE")
			for _, p := range lib.List() {
				fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\n", p.Name, p.Kind, p.Severity, len(p.Phases), len(p.Steps()), p.Title)
			}
			return w.Flush()
		},
	}, &cobra.Command{
		Use:   "show <name>",
		Short: "Show a playbook's params, phases and steps",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := configuredLibrary()
			if err != nil {
				return err
			}
			p, ok := lib.Get(args[0])
			if !ok {
				return fmt.Errorf("no playbook %q; `incidentbot playbooks list` shows them", args[0])
			}
			showPlaybook(cmd.OutOrStdout(), p)
			return nil
		},
	})
}

func configuredLibrary() (*playbook.Library, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	return app.LoadLibrary(cfg)
}

// loadPath loads a file, or every playbook directly in a directory.
func loadPath(lib *playbook.Library, path string, opts playbook.Options) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return lib.LoadFS(os.DirFS(path), ".", path, opts)
	}
	return lib.LoadFile(os.DirFS(filepath.Dir(path)), filepath.Base(path), path, opts)
}

func showPlaybook(w io.Writer, p *playbook.Playbook) {
	fmt.Fprintf(w, "%s: %s\n", p.Name, p.Title)
	if p.Source != "" {
		fmt.Fprintf(w, "  from: %s\n", p.Source)
	}
	fmt.Fprintf(w, "  kind: %s, severity: %s, file: %s\n", p.Kind, p.Severity, p.File)
	if len(p.Params) > 0 {
		fmt.Fprintln(w, "  params:")
		var names []string
		for n := range p.Params {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			par := p.Params[n]
			desc := par.Description
			switch {
			case par.Required:
				desc += " (required)"
			case par.Default != "":
				desc += " (default " + par.Default + ")"
			}
			if len(par.Enum) > 0 {
				desc += " one of " + strings.Join(par.Enum, ", ")
			}
			fmt.Fprintf(w, "    %s: %s\n", n, strings.TrimSpace(desc))
		}
	}
	for i, ph := range p.Phases {
		fmt.Fprintf(w, "  phase %d: %s (%s to %s)\n", i+1, ph.Name, ph.After, ph.Within)
		for _, st := range ph.Steps {
			owner := st.Owner
			if owner == "" {
				owner = "incident-commander"
			}
			fmt.Fprintf(w, "    - %s: %s [%s]\n", st.ID, st.Title, owner)
			if a := st.Approval; a != nil {
				two := ""
				if a.TwoPerson {
					two = ", two-person"
				}
				fmt.Fprintf(w, "        approval: %s%s\n", strings.Join(append(a.Roles, a.Groups...), ", "), two)
			}
			fmt.Fprintf(w, "        %s\n", playbook.Describe(st.Action))
		}
	}
}
