//go:build !demo

package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// errNoDemo is the answer of `incidentbot demo` in the release binary.
var errNoDemo = errors.New("the demo is not part of this binary (the release build leaves out the in-process " +
	"emulators it runs on): in a clone of the repository, `make demo` builds bin/incidentbot-demo and runs it; " +
	"`make demo DEMO_ARGS=--serve` keeps its dashboard up")

// demoCommand is the release binary's placeholder for the demo: hidden from the help, it
// says where the demo is and exits non-zero, whatever flags it is given.
func demoCommand() *cobra.Command {
	return &cobra.Command{
		Use:                "demo",
		Short:              "Not in this build: `make demo` builds and runs bin/incidentbot-demo",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE:               func(*cobra.Command, []string) error { return errNoDemo },
	}
}
