package incident_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// chatMarkup is what chat surfaces would read as syntax: Slack mentions and links
// (<@U…>, <#C…>, <!here>), emoji codes (:bell:), mrkdwn bold (*word*) and code (`cmd`).
var chatMarkup = []struct {
	name string
	re   *regexp.Regexp
}{
	{"a mention or link", regexp.MustCompile(`<[@#!]|<https?:`)},
	{"an emoji code", regexp.MustCompile(`:[a-z][a-z0-9_+-]*:`)},
	{"bold", regexp.MustCompile(`(^|[\s(])\*[^*\s][^*]*\*`)},
	{"a code span", regexp.MustCompile("`")},
}

// The domain stores data and writes no chat syntax: every string literal in its code is
// free of mentions, emoji codes and mrkdwn, so no surface has to parse Slack out of it.
func TestTheDomainWritesNoChatMarkup(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			checked++
			for _, m := range chatMarkup {
				if m.re.MatchString(s) && !allowed(file, lit) {
					t.Errorf("%s: %s in %q", fset.Position(lit.Pos()), m.name, s)
				}
			}
			return true
		})
	}
	if checked < 300 {
		t.Fatalf("checked only %d string literals: is this the domain's directory?", checked)
	}
}

// allowed reports whether lit is a struct tag (`json:"…"` is Go syntax, not chat's).
func allowed(file *ast.File, lit *ast.BasicLit) bool {
	tag := false
	ast.Inspect(file, func(n ast.Node) bool {
		if f, ok := n.(*ast.Field); ok && f.Tag == lit {
			tag = true
		}
		return !tag
	})
	return tag
}
