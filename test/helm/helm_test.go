package helm

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

const (
	chartDir    = "../../deploy/helm/incidentbot"
	kubeVersion = "1.37.2" // the end-to-end API server's (test/kube/build-binaries.sh)
	release     = "bot"
	namespace   = "incidentbot"
)

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// helm returns the helm binary: $INCIDENTBOT_HELM, or the one build-helm.sh builds (once per
// machine, then cached). Without it the test is skipped, unless INCIDENTBOT_REQUIRE_HELM is
// set (as CI does): then it fails.
func helm(t *testing.T) string {
	t.Helper()
	helmOnce.Do(func() {
		if p := os.Getenv("INCIDENTBOT_HELM"); p != "" {
			helmPath = p
			return
		}
		var stderr bytes.Buffer
		cmd := exec.Command("./build-helm.sh")
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			helmErr = errors.New("build-helm.sh: " + err.Error() + "\n" + tail(stderr.String(), 2000))
			return
		}
		helmPath = strings.TrimSpace(string(out))
	})
	if helmErr != nil {
		if os.Getenv("INCIDENTBOT_REQUIRE_HELM") != "" {
			t.Fatalf("INCIDENTBOT_REQUIRE_HELM is set but there is no helm: %v", helmErr)
		}
		t.Skipf("no helm (set INCIDENTBOT_HELM, or let test/helm/build-helm.sh build it): %v", helmErr)
	}
	return helmPath
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// runHelm runs helm with args and returns its stdout, stderr and error.
func runHelm(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(helm(t), args...)
	// Nothing of the user's helm configuration (repositories, plugins) counts.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"), "HELM_DATA_HOME="+filepath.Join(home, "data"))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// templateArgs are helm template's arguments for the value files in testdata (none: the
// chart's defaults) and --set pairs.
func templateArgs(valueFiles []string, sets ...string) []string {
	args := []string{"template", release, chartDir, "--namespace", namespace, "--kube-version", kubeVersion}
	for _, f := range valueFiles {
		args = append(args, "--values", filepath.Join("testdata", f))
	}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return args
}

// render runs helm template and parses every object it prints.
func render(t *testing.T, valueFiles []string, sets ...string) rendered {
	t.Helper()
	out, stderr, err := runHelm(t, templateArgs(valueFiles, sets...)...)
	if err != nil {
		t.Fatalf("helm template %v: %v\n%s", valueFiles, err, stderr)
	}
	objs, err := parseObjects(out)
	if err != nil {
		t.Fatalf("the rendered manifests: %v\n%s", err, out)
	}
	return rendered{t: t, objs: objs}
}

// parseObjects splits a YAML stream into its objects, dropping empty documents.
func parseObjects(stream string) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return objs, nil
		} else if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
}

// rendered is helm template's output, by kind and name.
type rendered struct {
	t    *testing.T
	objs []*unstructured.Unstructured
}

// find returns the objects of a kind.
func (r rendered) find(kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range r.objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// one returns the only object of a kind, converted into out (a typed API object).
func (r rendered) one(kind string, out any) {
	r.t.Helper()
	objs := r.find(kind)
	if len(objs) != 1 {
		r.t.Fatalf("%d objects of kind %s rendered, want 1 (kinds: %v)", len(objs), kind, r.kinds())
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(objs[0].Object, out, true); err != nil {
		r.t.Fatalf("%s %s is not a valid %T: %v", kind, objs[0].GetName(), out, err)
	}
}

// kinds lists the kinds rendered, in order.
func (r rendered) kinds() []string {
	var out []string
	for _, o := range r.objs {
		out = append(out, o.GetKind())
	}
	return out
}

// deployment returns the rendered Deployment.
func (r rendered) deployment() *appsv1.Deployment {
	var d appsv1.Deployment
	r.one("Deployment", &d)
	return &d
}
