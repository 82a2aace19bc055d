package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// binary is the incidentbot built once for the tests that run it as a process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "incidentbot-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "incidentbot")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := pgtest.Run(m) // a PostgreSQL server for the tests that use one, stopped after them
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running `incidentbot serve`.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	stderr strings.Builder
	exited chan struct{}
}

// serveEnv is the environment of a bot talking to emu over HTTP mode.
func serveEnv(emu *testenv.Slack, db string, extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"INCIDENTBOT_DB=" + db, "INCIDENTBOT_LISTEN=127.0.0.1:0",
		"SLACK_BOT_TOKEN=" + testenv.SlackBotToken, "SLACK_SIGNING_SECRET=" + testenv.SlackSigningSecret,
		"SLACK_API_URL=" + emu.APIURL(),
	}, extra...)
}

// startServe starts the binary and waits until it is ready.
func startServe(t *testing.T, env []string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: exec.Command(binary, "serve"), exited: make(chan struct{})}
	p.cmd.Env = env
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addrc <- rec.Addr
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { // runs after kill: a failed test shows what the bot logged
		if t.Failed() {
			lines := strings.Split(strings.TrimSpace(p.log()), "\n")
			t.Logf("the bot's last log lines:\n%s", strings.Join(lines[max(0, len(lines)-80):], "\n"))
		}
	})
	t.Cleanup(p.kill)
	select {
	case p.addr = <-addrc:
	case <-p.exited:
		t.Fatalf("serve exited early:\n%s", p.log())
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not listen:\n%s", p.log())
	}
	waitFor(t, "readiness", func() bool {
		resp, err := http.Get(p.url() + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p
}

func (p *proc) url() string { return "http://" + p.addr }

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// kill ends the process with SIGKILL: no shutdown code runs, as in a crash.
func (p *proc) kill() {
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
		<-p.exited
	}
}

func (p *proc) sender() *testenv.SlackSender {
	return &testenv.SlackSender{BaseURL: p.url(), Secret: testenv.SlackSigningSecret}
}

// waitFor polls cond for up to 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// run runs the binary with args and returns its output and exit code.
func run(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// slash sends a signed /incident command and returns the text answered.
func slash(t *testing.T, p *proc, user, channel, text string) string {
	t.Helper()
	resp, err := p.sender().Command(user, channel, text, "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 {
		t.Fatalf("/incident %s: status %d: %s", text, resp.Status, resp.Body)
	}
	var body struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if len(resp.Body) > 0 {
		if err := resp.JSON(&body); err != nil {
			t.Fatalf("/incident %s: %v: %s", text, err, resp.Body)
		}
	}
	return body.Text
}
