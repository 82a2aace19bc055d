// Package kubecluster starts a real Kubernetes control plane on 127.0.0.1 for end-to-end
// tests: etcd and kube-apiserver, and for workloads that must become available,
// kube-controller-manager, kube-scheduler and kwok (fake nodes and kubelets). The binaries
// come from test/kube/build-binaries.sh; $INCIDENTBOT_KUBE_BIN names their directory.
package kubecluster

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv/child"
)

// Cluster is a running control plane.
type Cluster struct {
	Dir        string // working directory: data, certificates, logs
	Kubeconfig string // contexts "e2e" (admin) and "nobody" (no permissions)
	Server     string // https://127.0.0.1:<port>
	Token      string // the admin bearer token
	procs      []proc
	bin        string
}

// proc is a running component and the channel closed once it has exited.
type proc struct {
	cmd    *exec.Cmd
	exited <-chan struct{}
}

// Options choose what runs besides etcd and the API server.
type Options struct {
	Workloads bool // controller-manager, scheduler and kwok, so Deployments become available
}

// BinDir returns the binaries directory from $INCIDENTBOT_KUBE_BIN, or "".
func BinDir() string { return os.Getenv("INCIDENTBOT_KUBE_BIN") }

// Start starts a control plane in dir. Stop it with Stop.
func Start(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	bin := BinDir()
	if bin == "" {
		return nil, errors.New("INCIDENTBOT_KUBE_BIN is not set: run test/kube/build-binaries.sh and export its output")
	}
	c := &Cluster{Dir: dir, bin: bin}
	ok := false
	defer func() {
		if !ok {
			c.Stop()
		}
	}()
	token := make([]byte, 16)
	rand.Read(token)
	c.Token = hex.EncodeToString(token)
	if err := c.writeFiles(); err != nil {
		return nil, err
	}
	etcdPort, peerPort, apiPort := freePort(), freePort(), freePort()
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPort)
	if err := c.start("etcd", "--data-dir", filepath.Join(dir, "etcd"), "--listen-client-urls", etcdURL,
		"--advertise-client-urls", etcdURL, "--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peerPort),
		"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peerPort),
		"--initial-cluster", fmt.Sprintf("default=http://127.0.0.1:%d", peerPort), "--unsafe-no-fsync"); err != nil {
		return nil, err
	}
	c.Server = fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	if err := c.start("kube-apiserver", "--etcd-servers", etcdURL, "--bind-address", "127.0.0.1",
		"--advertise-address", "127.0.0.1", "--secure-port", strconv.Itoa(apiPort), "--endpoint-reconciler-type", "none",
		"--cert-dir", filepath.Join(dir, "certs"), "--token-auth-file", filepath.Join(dir, "tokens.csv"),
		"--authorization-mode", "RBAC", "--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", filepath.Join(dir, "sa.key"), "--service-account-signing-key-file", filepath.Join(dir, "sa.key"),
		"--service-cluster-ip-range", "10.96.0.0/16", "--allow-privileged"); err != nil {
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		return nil, err
	}
	if err := c.writeKubeconfig(); err != nil {
		return nil, err
	}
	if opts.Workloads {
		if err := c.startWorkloads(); err != nil {
			return nil, err
		}
	}
	ok = true
	return c, nil
}

// Stop ends every process.
func (c *Cluster) Stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		c.procs[i].cmd.Process.Kill()
		<-c.procs[i].exited
	}
	c.procs = nil
}

func (c *Cluster) start(name string, args ...string) error { return c.startEnv(name, nil, args...) }

// startEnv starts a component with extra environment variables.
func (c *Cluster) startEnv(name string, env []string, args ...string) error {
	logf, err := os.Create(filepath.Join(c.Dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	// Killed with the test process, however it ends (a -timeout panic, a SIGKILL), so that
	// no control plane outlives its test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	exited, err := child.Start(cmd)
	if err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	c.procs = append(c.procs, proc{cmd, exited})
	return nil
}

// ExecDir is where pod execs run (on this host) and find their programs first.
func (c *Cluster) ExecDir() string { return filepath.Join(c.Dir, "kwok") }

// Log returns the end of a component's log, for failure messages.
func (c *Cluster) Log(name string) string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, name+".log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (c *Cluster) writeFiles() error {
	for _, d := range []string{"etcd", "certs", "kwok"} {
		if err := os.MkdirAll(filepath.Join(c.Dir, d), 0o700); err != nil {
			return err
		}
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(filepath.Join(c.Dir, "sa.key"), pemKey, 0o600); err != nil {
		return err
	}
	// A second identity with no permissions at all, for RBAC refusals.
	tokens := fmt.Sprintf("%s,admin,admin-uid,system:masters\n%s-nobody,nobody,nobody-uid\n", c.Token, c.Token)
	return os.WriteFile(filepath.Join(c.Dir, "tokens.csv"), []byte(tokens), 0o600)
}

func (c *Cluster) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+c.Token)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver not ready after 60s:\n%s", c.Log("kube-apiserver"))
}

func (c *Cluster) writeKubeconfig() error {
	caPath := filepath.Join(c.Dir, "certs", "apiserver.crt")
	if _, err := os.Stat(caPath); err != nil {
		return fmt.Errorf("the API server's certificate: %w", err)
	}
	c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: %q, certificate-authority: %q}
users:
- name: admin
  user: {token: %q}
- name: nobody
  user: {token: %q}
contexts:
- name: e2e
  context: {cluster: e2e, user: admin}
- name: nobody
  context: {cluster: e2e, user: nobody}
current-context: e2e
`, c.Server, caPath, c.Token, c.Token+"-nobody")
	return os.WriteFile(c.Kubeconfig, []byte(kc), 0o600)
}

func (c *Cluster) startWorkloads() error {
	if err := c.start("kube-controller-manager", "--kubeconfig", c.Kubeconfig, "--leader-elect=false",
		"--service-account-private-key-file", filepath.Join(c.Dir, "sa.key"),
		"--root-ca-file", filepath.Join(c.Dir, "certs", "apiserver.crt"), "--controllers", "*,-nodeipam",
		"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(freePort())); err != nil {
		return err
	}
	if err := c.start("kube-scheduler", "--kubeconfig", c.Kubeconfig, "--leader-elect=false",
		"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(freePort())); err != nil {
		return err
	}
	// kwok's stages, and a ClusterExec that runs pod execs on this host in Dir/kwok, where
	// tests put harmless stand-ins for the programs their playbooks exec (patronictl, psql).
	stages, err := os.ReadFile(filepath.Join(c.bin, "kwok-stages.yaml"))
	if err != nil {
		return err
	}
	execDir := filepath.Join(c.Dir, "kwok")
	clusterExec := fmt.Sprintf(`---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: local
spec:
  execs:
  - local:
      workDir: %s
      envs:
      - name: PATH
        value: %s:/usr/bin:/bin
`, execDir, execDir)
	cfg := filepath.Join(c.Dir, "kwok.yaml")
	if err := os.WriteFile(cfg, append(stages, []byte(clusterExec)...), 0o600); err != nil {
		return err
	}
	// The node port the API server dials for exec is the one kwok serves on: the same port.
	kubelet := freePort()
	// kwok looks exec'd programs up in its own PATH: the stand-ins come first.
	path := []string{"PATH=" + execDir + string(os.PathListSeparator) + os.Getenv("PATH")}
	// kwok renews each node's lease as a kubelet does (the heartbeat stage writes the status
	// only every ten minutes). Without a lease the node lifecycle controller finds the node's
	// heartbeat 50 s old, marks it Unknown and its pods not ready, and kwok's initialize stage
	// runs again and patches the node's addresses away ("no preferred addresses found" on an
	// exec), every 50 s or so: the standalone kwok binary leaves leases off unless told.
	return c.startEnv("kwok", path, "--kubeconfig", c.Kubeconfig, "--config", cfg, "--node-lease-duration-seconds=40",
		"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake", "--node-ip=127.0.0.1",
		"--node-port", strconv.Itoa(kubelet), "--server-address", fmt.Sprintf("127.0.0.1:%d", kubelet))
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Available reports whether the named binaries exist.
func Available() bool {
	bin := BinDir()
	for _, b := range []string{"etcd", "kube-apiserver"} {
		if st, err := os.Stat(filepath.Join(bin, b)); bin == "" || err != nil || st.IsDir() {
			return false
		}
	}
	return !strings.Contains(bin, "\n")
}
