package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Console turns on the fallback web console (/console) for when Slack is down. Each
// operator signs in with their own Slack user ID and password, so roles and the two-person
// rule apply to them as in Slack. The console is off when no operator is configured.
type Console struct {
	// Operators maps a Slack user ID to that operator's credential.
	Operators map[string]Operator `yaml:"operators"`
	// OperatorsFile names a file of more operators, one "USERID:bcrypt-hash" a line (the
	// format of htpasswd -B); blank lines and lines starting with # are skipped.
	OperatorsFile string `yaml:"operators_file"`
}

// Operator is one console operator's credential.
type Operator struct {
	// PasswordHash is a bcrypt hash ($2a$, $2b$ or $2y$) of the operator's password, as
	// `incidentbot console hash-password` prints it.
	PasswordHash Secret `yaml:"password_hash"`
}

// validateConsole checks the operators and refuses the shared console token.
func (c *Config) validateConsole(bad func(path, format string, args ...any)) {
	if c.ConsoleToken != "" {
		bad("console_token", "the shared console token (INCIDENTBOT_CONSOLE_TOKEN) is no longer accepted: with it one person could sign in as any Slack user. "+
			"Remove it and give each operator their own password under console.operators or console.operators_file (incidentbot console hash-password makes the hash)")
	}
	_, errs := c.consoleOperators()
	for _, e := range errs {
		bad(e.path, "%s", e.msg)
	}
}

type fieldError struct{ path, msg string }

// ConsoleOperators returns the console's operators, Slack user ID -> bcrypt hash, from
// console.operators and console.operators_file. Errors name the key, or the file and line.
func (c *Config) ConsoleOperators() (map[string][]byte, error) {
	ops, errs := c.consoleOperators()
	if len(errs) > 0 {
		e := errs[0]
		return nil, fmt.Errorf("%s: %s", e.path, e.msg)
	}
	return ops, nil
}

func (c *Config) consoleOperators() (map[string][]byte, []fieldError) {
	ops := map[string][]byte{}
	var errs []fieldError
	for user, op := range c.Console.Operators {
		path := "console.operators." + user
		if msg := checkOperator(user, string(op.PasswordHash)); msg != "" {
			if !userIDRe.MatchString(user) {
				path = "console.operators"
			} else {
				path += ".password_hash"
			}
			errs = append(errs, fieldError{path, msg})
			continue
		}
		ops[user] = []byte(op.PasswordHash)
	}
	if f := c.Console.OperatorsFile; f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, append(errs, fieldError{"console.operators_file", err.Error()})
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			where := fmt.Sprintf("%s line %d: ", f, n)
			user, hash, ok := strings.Cut(line, ":")
			switch {
			case !ok:
				errs = append(errs, fieldError{"console.operators_file", where + "not USERID:hash"})
			case ops[user] != nil || c.Console.Operators[user].PasswordHash != "":
				errs = append(errs, fieldError{"console.operators_file", where + user + " is given twice (here or under console.operators)"})
			default:
				if msg := checkOperator(user, hash); msg != "" {
					errs = append(errs, fieldError{"console.operators_file", where + msg})
					continue
				}
				ops[user] = []byte(hash)
			}
		}
	}
	slices.SortFunc(errs, func(a, b fieldError) int { return strings.Compare(a.path+a.msg, b.path+b.msg) })
	return ops, errs
}

// checkOperator says what is wrong with an operator's user ID and hash, or "".
func checkOperator(user, hash string) string {
	if !userIDRe.MatchString(user) {
		return fmt.Sprintf("%q is not a Slack user ID (such as U0123ABCD): an operator signs in as their Slack user", user)
	}
	if _, err := bcrypt.Cost([]byte(hash)); err != nil {
		return fmt.Sprintf("the password hash of %s is not a bcrypt hash (%v); make one with incidentbot console hash-password", user, err)
	}
	return ""
}
