package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/util/exec"
)

// maxStream bounds what is kept of an exec's stdout and stderr.
const maxStream = 64 << 10

// exec runs the command (an argument list; no shell) in the pod through pods/exec, and
// returns its exit code with stdout and stderr cut to size. A non-zero exit fails the step.
// It changes no Kubernetes object (whatever the command changes inside the pod), so it
// writes no change mark.
func (x *Actions) exec(ctx context.Context, c *Client, a *incident.Action) (string, error) {
	if c.Config == nil && c.Exec == nil {
		return "", errors.New("exec needs a real cluster connection")
	}
	timeout := a.Timeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stdout, stderr := &capped{max: maxStream}, &capped{max: maxStream}
	var (
		code int
		err  error
	)
	if c.Exec != nil {
		code, err = c.Exec(ctx, a.Namespace, a.Pod, a.Container, a.Command, stdout, stderr)
	} else {
		code, err = x.stream(ctx, c, a, stdout, stderr)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return "", fmt.Errorf("%s timed out after %s\n%s", strings.Join(a.Command, " "), timeout, streams(stdout, stderr))
	case err != nil:
		return "", err
	}
	out := fmt.Sprintf("exit code %d\n%s", code, streams(stdout, stderr))
	if code != 0 {
		return "", errors.New(out)
	}
	return out, nil
}

// stream runs the exec through the API server's pods/exec endpoint and returns the exit code.
func (x *Actions) stream(ctx context.Context, c *Client, a *incident.Action, stdout, stderr io.Writer) (int, error) {
	u, err := execURL(c.Config, a)
	if err != nil {
		return 0, err
	}
	// WebSocket first, as kubectl does, falling back to SPDY on servers that cannot upgrade.
	ws, err := remotecommand.NewWebSocketExecutor(c.Config, "GET", u.String())
	if err != nil {
		return 0, err
	}
	spdy, err := remotecommand.NewSPDYExecutor(c.Config, "POST", u)
	if err != nil {
		return 0, err
	}
	ex, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return 0, err
	}
	err = ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: stdout, Stderr: stderr})
	var exitErr exec.CodeExitError
	if errors.As(err, &exitErr) {
		return exitErr.Code, nil
	}
	return 0, err
}

// execURL is the pods/exec URL of the action's pod, with PodExecOptions as query
// parameters (container, one command per argument, stdout, stderr), as the typed client
// builds it.
func execURL(cfg *rest.Config, a *incident.Action) (*url.URL, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.APIPath, cfg.GroupVersion = "/api", &schema.GroupVersion{Version: "v1"}
	cfg.NegotiatedSerializer = serializer.NewCodecFactory(runtime.NewScheme()).WithoutConversion()
	rc, err := rest.RESTClientFor(cfg)
	if err != nil {
		return nil, err
	}
	req := rc.Post().Resource("pods").Namespace(a.Namespace).Name(a.Pod).SubResource("exec").
		Param("stdout", "true").Param("stderr", "true")
	if a.Container != "" {
		req = req.Param("container", a.Container)
	}
	for _, arg := range a.Command {
		req = req.Param("command", arg)
	}
	return req.URL(), nil
}

func streams(stdout, stderr *capped) string {
	var b strings.Builder
	if stdout.Len() > 0 {
		fmt.Fprintf(&b, "stdout:\n%s", stdout.String())
	}
	if stderr.Len() > 0 {
		fmt.Fprintf(&b, "\nstderr:\n%s", stderr.String())
	}
	return strings.TrimSpace(b.String())
}

// capped keeps the first max bytes written to it, and counts the rest.
type capped struct {
	bytes.Buffer
	max     int
	dropped int
}

func (c *capped) Write(p []byte) (int, error) {
	room := c.max - c.Buffer.Len()
	if room > len(p) {
		room = len(p)
	}
	if room > 0 {
		c.Buffer.Write(p[:room])
	}
	c.dropped += len(p) - max(room, 0)
	return len(p), nil
}

func (c *capped) String() string {
	s := c.Buffer.String()
	for !utf8.ValidString(s) && len(s) > 0 {
		s = s[:len(s)-1]
	}
	if c.dropped > 0 {
		s += fmt.Sprintf("\n[%d more bytes]", c.dropped)
	}
	return s
}
