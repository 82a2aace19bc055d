package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/nephoran/incidentbot/internal/web"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

var operatorIDRe = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

func consoleCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "console", Short: "Manage the fallback web console's operators"}
	var user string
	hash := &cobra.Command{
		Use:   "hash-password",
		Short: "Read a console password on standard input and print its bcrypt hash",
		Long: "Reads one operator's password (the first line of standard input; typed twice, unechoed, at a\n" +
			"terminal) and prints its bcrypt hash for console.operators.<USERID>.password_hash. With\n" +
			"--user it prints USERID:hash, a line of console.operators_file.",
		Example: "  incidentbot console hash-password --user U0123ABCD >> /etc/incidentbot/console-operators",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if user != "" && !operatorIDRe.MatchString(user) {
				return fmt.Errorf("--user %q is not a Slack user ID (such as U0123ABCD; Slack profile -> Copy member ID)", user)
			}
			pw, err := readPassword(cmd)
			if err != nil {
				return err
			}
			h, err := web.HashPassword(pw)
			if err != nil {
				return err
			}
			if user != "" {
				h = user + ":" + h
			}
			fmt.Fprintln(cmd.OutOrStdout(), h)
			return nil
		},
	}
	hash.Flags().StringVar(&user, "user", "", "the operator's Slack user ID: print a USERID:hash line")
	cmd.AddCommand(hash)
	return cmd
}

// readPassword reads the password: unechoed and twice at a terminal, else the first line.
func readPassword(cmd *cobra.Command) (string, error) {
	if f, ok := cmd.InOrStdin().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		read := func(prompt string) (string, error) {
			fmt.Fprint(cmd.ErrOrStderr(), prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(cmd.ErrOrStderr())
			return string(b), err
		}
		first, err := read("Console password: ")
		if err != nil {
			return "", err
		}
		again, err := read("Again: ")
		if err != nil {
			return "", err
		}
		if first != again {
			return "", errors.New("the two passwords differ; nothing was printed")
		}
		return first, nil
	}
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input (give it as the first line)")
	}
	return line, nil
}
