package evidence_test

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/evidence"
	"github.com/nephoran/incidentbot/internal/incident"
)

var start = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

// timeline is a chained timeline of n notes (the third says text), with an anchor of its
// first n-1 events recorded as its last.
func timeline(n int, text string) (*incident.Incident, []incident.TimelineEvent, []incident.Anchor) {
	inc := &incident.Incident{ID: 7, Number: 42, Title: "Checkout down", Status: incident.StatusResolved}
	var evs []incident.TimelineEvent
	var prev *incident.TimelineEvent
	for i := range n {
		d := incident.EventData{Text: "step " + string(rune('a'+i))}
		kind := incident.EventNote
		if i == 2 {
			d.Text = text
		}
		if i == n-1 {
			kind, d = incident.EventAnchored, incident.EventData{Count: prev.Seq, Head: prev.Hash, How: incident.AnchorResolved}
		}
		e := incident.TimelineEvent{IncidentID: inc.ID, Actor: "U0ALICE", Kind: kind, Data: d}
		e.Chain(prev, start.Add(time.Duration(i)*time.Minute))
		evs = append(evs, e)
		prev = &evs[len(evs)-1]
	}
	a, _ := incident.AnchorOf(inc, evs[n-1])
	return inc, evs, []incident.Anchor{a}
}

func newKey(t *testing.T) (ed25519.PrivateKey, ed25519.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

func build(t *testing.T, key ed25519.PrivateKey, text string, o evidence.Options) []byte {
	t.Helper()
	inc, evs, anchors := timeline(6, text)
	b, err := evidence.Build(inc, evs, anchors, key, o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit changes a bundle's payload as someone with the file but not the key could.
func edit(t *testing.T, data []byte, fn func(p *evidence.Payload, b *evidence.Bundle)) []byte {
	t.Helper()
	var b evidence.Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	var p evidence.Payload
	if err := json.Unmarshal(b.Payload, &p); err != nil {
		t.Fatal(err)
	}
	fn(&p, &b)
	var err error
	if b.Payload, err = json.Marshal(p); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A bundle verifies with its key, as written and once read and written again unchanged.
func TestBundleRoundTrip(t *testing.T) {
	priv, pub := newKey(t)
	data := build(t, priv, "restarted the pods", evidence.Options{Now: start.Add(time.Hour)})
	for name, d := range map[string][]byte{"as written": data, "rewritten": edit(t, data, func(*evidence.Payload, *evidence.Bundle) {})} {
		r, err := evidence.Verify(d, pub)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.Incident.Key != "INC-42" || r.Events != 6 || r.Anchors != 1 || r.Withheld != 0 || r.Key != evidence.Fingerprint(pub) {
			t.Errorf("%s: report %+v", name, r)
		}
	}
}

// Each way of changing a bundle fails with its own message.
func TestBundleTamperingFails(t *testing.T) {
	priv, pub := newKey(t)
	_, otherPub := newKey(t)
	data := build(t, priv, "restarted the pods", evidence.Options{Now: start})
	for _, tc := range []struct {
		name string
		data []byte
		key  ed25519.PublicKey
		want string
	}{
		{"wrong key", data, otherPub, "signed with another key: the bundle names key " + evidence.Fingerprint(pub) + ", the key given is " + evidence.Fingerprint(otherPub)},
		{"wrong key, unnamed", edit(t, data, func(_ *evidence.Payload, b *evidence.Bundle) { b.PublicKey = "" }), otherPub,
			"the signature does not verify with key " + evidence.Fingerprint(otherPub) + ": the bundle was changed after it was signed"},
		{"title changed", edit(t, data, func(p *evidence.Payload, _ *evidence.Bundle) { p.Incident.Title = "Nothing happened" }), pub,
			"the signature does not verify with key " + evidence.Fingerprint(pub) + ": the bundle was changed after it was signed"},
		{"event changed", edit(t, data, func(p *evidence.Payload, _ *evidence.Bundle) {
			p.Events[2].Data = strings.Replace(p.Events[2].Data, "restarted", "did not restart", 1)
		}), pub, "event #3 (note) was changed: its content does not match its hash"},
		{"events reordered", edit(t, data, func(p *evidence.Payload, _ *evidence.Bundle) {
			p.Events[2], p.Events[3] = p.Events[3], p.Events[2]
		}), pub, "the events are out of order: event #4 is where #3 should be"},
		{"event removed", edit(t, data, func(p *evidence.Payload, _ *evidence.Bundle) {
			p.Events = append(p.Events[:3:3], p.Events[4:]...)
		}), pub, "event #4 is missing: the bundle goes from #3 to #5"},
		{"newest removed", edit(t, data, func(p *evidence.Payload, _ *evidence.Bundle) { p.Events = p.Events[:5] }), pub,
			"the head says 6 events but the bundle ends at event #5: the newest events were removed"},
		{"newest two removed, head moved", edit(t, data, func(p *evidence.Payload, _ *evidence.Bundle) {
			p.Events = p.Events[:4]
			p.Head = evidence.Head{Events: 4, Hash: p.Events[3].Hash}
		}), pub, "the anchor of 5 events (head "},
		{"not a bundle", []byte(`{"events": []}`), pub, "not a timeline bundle: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := evidence.Verify(tc.data, tc.key)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("verify: %+v, %v\nwant an error starting %q", r, err, tc.want)
			}
		})
	}
}

// An event that may hold a secret is withheld: the bundle has neither it nor its text,
// and still verifies (the chain links through the event). A private incident's events are
// all withheld unless asked for, and its title left out.
func TestBundleWithholdsSecretsAndPrivateContent(t *testing.T) {
	priv, pub := newKey(t)
	data := build(t, priv, "the token was xoxb-1234-5678-abcdefghijkl, rotate it", evidence.Options{Now: start})
	if strings.Contains(string(data), "xoxb-") || !strings.Contains(string(data), evidence.WithheldSecret) {
		t.Errorf("the bundle holds the token, or does not say why an event is withheld:\n%s", data)
	}
	r, err := evidence.Verify(data, pub)
	if err != nil || r.Withheld != 1 {
		t.Errorf("verify: %+v, %v; want 1 withheld", r, err)
	}

	inc, evs, anchors := timeline(4, "x")
	inc.Private = true
	for _, all := range []bool{false, true} {
		data, err := evidence.Build(inc, evs, anchors, priv, evidence.Options{Now: start, Private: all})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "Checkout down") {
			t.Errorf("private: %v: the title is in the bundle", all)
		}
		r, err := evidence.Verify(data, pub)
		want := 4
		if all {
			want = 0
		}
		if err != nil || r.Withheld != want {
			t.Errorf("private, content included %v: %+v, %v; want %d withheld", all, r, err, want)
		}
	}
}

// Keys: keygen's PEM pair, raw 32- and 64-byte keys, openssl's PEM keys (when openssl is
// installed), and a clear error for each bad file.
func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "timeline.key")
	pub, err := evidence.GenerateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := evidence.GenerateKey(path); err == nil || !strings.Contains(err.Error(), "exists; not overwritten") {
		t.Errorf("keygen over a key: %v", err)
	}
	priv, err := evidence.LoadPrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	gotPub, err := evidence.LoadPublicKey(path + ".pub")
	if err != nil || !gotPub.Equal(pub) || !priv.Public().(ed25519.PublicKey).Equal(pub) {
		t.Fatalf("the pair does not match: %v", err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for name, b := range map[string][]byte{"seed": priv.Seed(), "full": priv} {
		k, err := evidence.LoadPrivateKey(write(name, b))
		if err != nil || !k.Equal(priv) {
			t.Errorf("raw %s key: %v", name, err)
		}
	}
	if k, err := evidence.LoadPublicKey(write("raw.pub", pub)); err != nil || !k.Equal(pub) {
		t.Errorf("raw public key: %v", err)
	}
	for _, tc := range []struct {
		load func(string) error
		file string
		data []byte
		want string
	}{
		{privErr, "missing", nil, "missing: no such file"},
		{privErr, "short", []byte("not a key\n"), "neither a PEM private key (PKCS #8) nor a raw ed25519 key of 32 or 64 bytes (it has 10 bytes)"},
		{privErr, "pub-as-priv", mustRead(t, path+".pub"), "holds a public key; signing needs the private key"},
		{privErr, "rsa", []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"), `a PEM "RSA PRIVATE KEY" block; want "PRIVATE KEY"`},
		{pubErr, "priv-as-pub", mustRead(t, path), `a PEM "PRIVATE KEY" block; want "PUBLIC KEY"`},
		{pubErr, "short.pub", []byte("abc"), "neither a PEM public key (PKIX) nor a raw ed25519 public key of 32 bytes (it has 3 bytes)"},
	} {
		p := filepath.Join(dir, tc.file)
		if tc.data != nil {
			p = write(tc.file, tc.data)
		}
		if err := tc.load(p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.file, err, tc.want)
		}
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("no openssl: its key files are not tried")
		return
	}
	key := filepath.Join(dir, "openssl.pem")
	if out, err := exec.Command("openssl", "genpkey", "-algorithm", "ed25519", "-out", key).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	if out, err := exec.Command("openssl", "pkey", "-in", key, "-pubout", "-out", key+".pub").CombinedOutput(); err != nil {
		t.Fatalf("openssl pkey: %v\n%s", err, out)
	}
	k, err := evidence.LoadPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := evidence.LoadPublicKey(key + ".pub"); err != nil || !p.Equal(k.Public()) {
		t.Errorf("openssl's public key: %v", err)
	}
}

func privErr(p string) error { _, err := evidence.LoadPrivateKey(p); return err }
func pubErr(p string) error  { _, err := evidence.LoadPublicKey(p); return err }

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
