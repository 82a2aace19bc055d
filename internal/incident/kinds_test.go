package incident

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// Every effect kind declared in effect.go has its entry in effectKinds: a kind added
// without one would fail at its first delivery.
func TestEveryEffectKindIsRegistered(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "effect.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "EffectKind" {
				continue
			}
			for _, name := range v.Names {
				lit := v.Values[0].(*ast.BasicLit).Value
				kind := EffectKind(lit[1 : len(lit)-1])
				n++
				spec, ok := effectKinds[kind]
				switch {
				case !ok:
					t.Errorf("%s (%s) has no entry in effectKinds", name.Name, kind)
				case spec.handle == nil || spec.does == "":
					t.Errorf("%s's entry lacks a handler or a description", name.Name)
				}
			}
		}
	}
	if n != len(effectKinds) || n < 20 {
		t.Errorf("effect.go declares %d kinds, effectKinds has %d", n, len(effectKinds))
	}
}
