package main

import (
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// importPath is this package, the release binary.
const importPath = "github.com/nephoran/incidentbot/cmd/incidentbot"

// testOnly reports whether a package is test code, which the release binary must not link:
// the testing packages, the in-process emulators of internal/testenv and client-go's fake
// clientsets (kubernetes/fake, typed/*/fake, k8s.io/client-go/testing).
func testOnly(pkg string) bool {
	switch {
	case pkg == "testing" || strings.HasPrefix(pkg, "testing/"), pkg == "net/http/httptest":
		return true
	case pkg == "github.com/nephoran/incidentbot/internal/testenv",
		strings.HasPrefix(pkg, "github.com/nephoran/incidentbot/internal/testenv/"):
		return true
	case strings.HasPrefix(pkg, "k8s.io/"):
		return pkg == "k8s.io/client-go/testing" || strings.HasPrefix(pkg, "k8s.io/client-go/testing/") ||
			strings.HasSuffix(pkg, "/fake") || strings.Contains(pkg, "/fake/")
	}
	return false
}

// The release binary (what `make build` and the Dockerfile build) links no test code; the
// demo, which runs on the emulators, is a separate build (`-tags demo`, `make demo`).
// tailscale's depaware idea: the dependency list is checked, not trusted.
func TestReleaseBinaryLinksNoTestCode(t *testing.T) {
	imports := deps(t)
	if _, ok := imports["github.com/nephoran/incidentbot/internal/incident"]; !ok {
		t.Fatalf("go list -deps did not list internal/incident among %d packages; the check would prove nothing", len(imports))
	}
	for _, pkg := range slices.Sorted(maps.Keys(imports)) {
		if testOnly(pkg) {
			t.Errorf("the release binary links %s: %s", pkg, strings.Join(importChain(imports, importPath, pkg), " -> "))
		}
	}

	// The same check on the demo build finds the emulators, so the list above names real packages.
	demo := deps(t, "-tags", "demo")
	for _, want := range []string{"testing", "net/http/httptest", "github.com/nephoran/incidentbot/internal/testenv"} {
		if _, ok := demo[want]; !ok || !testOnly(want) {
			t.Errorf("the demo build does not link %s (or testOnly misses it): the check is looking at the wrong names", want)
		}
	}
}

// deps lists every package the binary links, as built for release (CGO_ENABLED=0), with
// the imports of each.
func deps(t *testing.T, flags ...string) map[string][]string {
	t.Helper()
	args := append(append([]string{"list", "-deps"}, flags...), "-f", "{{.ImportPath}} {{join .Imports \" \"}}", importPath)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		imports[fields[0]] = fields[1:]
	}
	return imports
}

// importChain is the shortest chain of imports from one package to another.
func importChain(imports map[string][]string, from, to string) []string {
	prev := map[string]string{from: ""}
	for queue := []string{from}; len(queue) > 0; queue = queue[1:] {
		pkg := queue[0]
		if pkg == to {
			var chain []string
			for ; pkg != ""; pkg = prev[pkg] {
				chain = append([]string{pkg}, chain...)
			}
			return chain
		}
		for _, imp := range imports[pkg] {
			if _, seen := prev[imp]; !seen {
				prev[imp] = pkg
				queue = append(queue, imp)
			}
		}
	}
	return []string{from, "?", to}
}

// heavyForServe are packages the serve binary once linked and no longer needs, each costing
// resident memory and start-up time (issue 14):
//   - k8s.io/kubectl came with its drain helper and brought kubectl's scheme, cmd/util,
//     kustomize, openapi and blackfriday, all initialised at every start. internal/kube
//     drains nodes itself (drain.go).
//   - client-go's typed clientset (k8s.io/client-go/kubernetes) and its discovery package
//     link every API group's Go types, apply configurations and scheme registrations: 26 MB
//     of the binary and 14 MB of idle RSS. internal/kube goes through the dynamic client and
//     its own discovery (objects.go, mapper.go).
var heavyForServe = []string{"k8s.io/kubectl", "k8s.io/cli-runtime", "sigs.k8s.io/kustomize", "github.com/russross/blackfriday",
	"k8s.io/client-go/kubernetes", "k8s.io/client-go/discovery", "k8s.io/client-go/restmapper", "k8s.io/client-go/applyconfigurations",
	"k8s.io/client-go/gentype", "k8s.io/client-go/testing"}

// servedAPIGroups are the only API groups whose Go types the release binary links: the
// kinds the built-in actions read (every other kind is unstructured).
var servedAPIGroups = []string{"k8s.io/api/core/v1", "k8s.io/api/apps/v1"}

// TestReleaseBinaryLinksNoKubectl keeps those packages out of the release binary, and every
// API group but the served ones.
func TestReleaseBinaryLinksNoKubectl(t *testing.T) {
	imports := deps(t)
	if _, ok := imports["k8s.io/client-go/dynamic"]; !ok {
		t.Fatalf("go list -deps did not list k8s.io/client-go/dynamic among %d packages; the check would prove nothing", len(imports))
	}
	for _, pkg := range slices.Sorted(maps.Keys(imports)) {
		for _, heavy := range heavyForServe {
			if pkg == heavy || strings.HasPrefix(pkg, heavy+"/") {
				t.Errorf("the release binary links %s: %s", pkg, strings.Join(importChain(imports, importPath, pkg), " -> "))
			}
		}
		if strings.HasPrefix(pkg, "k8s.io/api/") && !slices.Contains(servedAPIGroups, pkg) {
			t.Errorf("the release binary links the API group %s: %s", pkg, strings.Join(importChain(imports, importPath, pkg), " -> "))
		}
	}
	// The demo build links the typed fake clientset (internal/testenv/kubesim), so the names are real.
	demo := deps(t, "-tags", "demo")
	for _, want := range []string{"k8s.io/client-go/kubernetes", "k8s.io/api/policy/v1"} {
		if _, ok := demo[want]; !ok {
			t.Errorf("the demo build does not link %s: the check is looking at the wrong names", want)
		}
	}
}
