package drills

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// hookTokens are the secrets the http steps' secret_headers read from the bot's
// environment, by variable name.
var hookTokens = map[string]string{"DNS_FAILOVER_TOKEN": "dns-token-drill", "GLOBAL_LB_TOKEN": "lb-token-drill"}

// hookCall is one request the hooks fake received.
type hookCall struct {
	Method, Host, Path, Authorization string
	Body                              map[string]any
}

// hooks is an HTTPS fake of the failover hooks the playbooks' http steps call (the DNS
// failover service, the global load balancer). The bot reaches it under the steps' own
// allow-listed URLs, unchanged: its HTTPS_PROXY is a CONNECT proxy that sends connections
// for those hosts (and only those) to the fake, and its SSL_CERT_FILE trusts the fake's
// certificate authority alone, whose certificate names the hosts. Nothing in the bot
// knows it is a test: the route is the network's, as a corporate proxy's would be.
type hooks struct {
	hosts  []string
	srv    *httptest.Server
	proxy  *httptest.Server
	caFile string

	mu    sync.Mutex
	calls []hookCall
}

// startHooks starts the fake for hosts and its proxy.
func startHooks(t *testing.T, hosts []string) *hooks {
	t.Helper()
	h := &hooks{hosts: hosts}
	caPEM, leaf := certificates(t, hosts)
	h.caFile = filepath.Join(t.TempDir(), "hooks-ca.pem")
	if err := os.WriteFile(h.caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	h.srv.StartTLS()
	t.Cleanup(h.srv.Close)
	h.proxy = httptest.NewServer(http.HandlerFunc(h.connect))
	t.Cleanup(h.proxy.Close)
	return h
}

// serve answers every request 200 with a small JSON body and records it.
func (h *hooks) serve(w http.ResponseWriter, r *http.Request) {
	c := hookCall{Method: r.Method, Host: r.Host, Path: r.URL.Path, Authorization: r.Header.Get("Authorization")}
	if b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16)); len(b) > 0 {
		json.Unmarshal(b, &c.Body)
	}
	h.mu.Lock()
	h.calls = append(h.calls, c)
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"status":"accepted"}`)
}

// connect is the proxy: CONNECT to an allow-listed host on 443 is tunnelled to the fake;
// anything else is refused.
func (h *hooks) connect(w http.ResponseWriter, r *http.Request) {
	host, port, err := net.SplitHostPort(r.Host)
	if r.Method != http.MethodConnect || err != nil || port != "443" || !slices.Contains(h.hosts, host) {
		http.Error(w, "this proxy only reaches the failover hooks' fake", http.StatusForbidden)
		return
	}
	upstream, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() {
		defer upstream.Close()
		defer conn.Close()
		if n := buf.Reader.Buffered(); n > 0 {
			b, _ := buf.Reader.Peek(n)
			upstream.Write(b)
		}
		go io.Copy(upstream, conn)
		io.Copy(conn, upstream)
	}()
}

// Calls returns the requests received so far.
func (h *hooks) Calls() []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.calls)
}

// env is the bot's environment for reaching the fake, and the hooks' tokens.
func (h *hooks) env() []string {
	env := []string{"HTTPS_PROXY=" + h.proxy.URL, "SSL_CERT_FILE=" + h.caFile}
	for k, v := range hookTokens {
		env = append(env, k+"="+v)
	}
	return env
}

// certificates makes a certificate authority and a serving certificate for hosts signed
// by it; it returns the authority's certificate (PEM) and the serving key pair.
func certificates(t *testing.T, hosts []string) ([]byte, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "drills hooks CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: hosts[0]}, DNSNames: hosts,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}
}
