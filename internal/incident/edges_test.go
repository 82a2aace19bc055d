package incident_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// edges are the surfaces, which go through the Service and never open a transaction.
var edges = []string{"../../bot", "../../commands", "../../internal/web"}

// The Service is the only way in: no surface names the store's ports (Store, Tx, RunTx)
// or runs a transaction (a call of Update or View given a function).
func TestEdgesOpenNoTransaction(t *testing.T) {
	files := 0
	for _, dir := range edges {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			files++
			for _, problem := range storeUses(f) {
				t.Errorf("%s: %s", path, problem)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 20 {
		t.Fatalf("read %d files of %v; the check would prove nothing", files, edges)
	}
}

// The check finds each way of reaching the store.
func TestStoreUsesAreFound(t *testing.T) {
	src := `package x
import dom "github.com/nephoran/incidentbot/internal/incident"
type pages struct{ db dom.Store }
func (p *pages) a(ctx any) { p.db.View(ctx, func(tx dom.Tx) error { return nil }) }
func (p *pages) b(ctx any, fn func(dom.RunTx) error) { p.db.Update(ctx, nil) }
func (p *pages) c(ctx any, s interface{ Update(any, func() error) error }) { s.Update(ctx, func() error { return nil }) }
func (p *pages) fine(ctx any, v interface{ View(string) }) { v.View("home") }
`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := storeUses(f)
	want := []string{"names incident.Store", "runs a transaction (View)", "names incident.Tx", "names incident.RunTx",
		"runs a transaction (Update)"} // b's Update is given no function: a syntax check cannot tell it from any other Update

	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("found %q\nwant  %q", got, want)
	}
}

// storeUses lists how f reaches the store: names of the domain's store ports, and calls of
// Update or View with a function argument (a transaction's body).
func storeUses(f *ast.File) []string {
	name := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "github.com/nephoran/incidentbot/internal/incident" {
			name = "incident"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && name != "" && x.Name == name {
				switch n.Sel.Name {
				case "Store", "Tx", "RunTx":
					out = append(out, "names incident."+n.Sel.Name)
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Update" && sel.Sel.Name != "View") {
				return true
			}
			for _, arg := range n.Args {
				if _, ok := arg.(*ast.FuncLit); ok {
					out = append(out, "runs a transaction ("+sel.Sel.Name+")")
					break
				}
			}
		}
		return true
	})
	return out
}
