package evidence

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
)

// Report is what a bundle that verifies holds.
type Report struct {
	Incident Incident
	Events   int // in the chain, the head's number
	Withheld int // events whose content is left out (their links are checked, not their content)
	Head     string
	Anchors  int // that match the chain
	Key      string
}

// Failure is why a bundle does not verify, for people.
type Failure struct {
	Incident string // its key, when the bundle could be read that far
	Reason   string
}

// Error returns the reason.
func (f *Failure) Error() string { return f.Reason }

// Verify checks a bundle against pub, without a database: that it is a bundle, signed by
// pub's key; that its events form one unbroken chain, in order, none missing, each as
// hashed; that it ends at its head; that every anchor matches the chain; and that nothing
// in it changed since it was signed. It returns the first failure, as a *Failure: the
// chain is checked before the signature, so a removed, reordered or changed event is named.
func Verify(data []byte, pub ed25519.PublicKey) (*Report, error) {
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, &Failure{Reason: fmt.Sprintf("not a timeline bundle: %v", err)}
	}
	if b.Format != Format {
		return nil, &Failure{Reason: fmt.Sprintf("not a timeline bundle of format %s (it says %q)", Format, b.Format)}
	}
	var p Payload
	pdec := json.NewDecoder(bytes.NewReader(b.Payload))
	pdec.DisallowUnknownFields()
	if err := pdec.Decode(&p); err != nil {
		return nil, &Failure{Reason: fmt.Sprintf("the bundle's payload does not read: %v", err)}
	}
	fail := func(format string, args ...any) (*Report, error) {
		return nil, &Failure{Incident: p.Incident.Key, Reason: fmt.Sprintf(format, args...)}
	}
	if b.PublicKey != "" {
		named, err := base64.StdEncoding.DecodeString(b.PublicKey)
		if err == nil && len(named) == ed25519.PublicKeySize && !bytes.Equal(named, pub) {
			return fail("signed with another key: the bundle names key %s, the key given is %s", Fingerprint(named), Fingerprint(pub))
		}
	}
	r := &Report{Incident: p.Incident, Key: Fingerprint(pub)}
	if msg := checkChain(p, r); msg != "" {
		return fail("%s", msg)
	}
	last := p.Events[len(p.Events)-1]
	switch {
	case p.Head.Events != last.Seq:
		return fail("the head says %d events but the bundle ends at event #%d: the newest events were removed", p.Head.Events, last.Seq)
	case p.Head.Hash != last.Hash:
		return fail("the head's hash %s is not that of event #%d (%s)", short(p.Head.Hash), last.Seq, short(last.Hash))
	}
	r.Events, r.Head = last.Seq, last.Hash
	for _, a := range p.Anchors {
		switch {
		case a.Events < 1 || a.Events > len(p.Events):
			return fail("the anchor of %d events (head %s) is past the bundle's %d events: the newest events were removed", a.Events, short(a.Head), len(p.Events))
		case p.Events[a.Events-1].Hash != a.Head:
			return fail("the anchor of %d events (head %s) does not match event #%d (%s): the timeline up to it was changed",
				a.Events, short(a.Head), a.Events, short(p.Events[a.Events-1].Hash))
		}
		r.Anchors++
	}
	sig, err := base64.StdEncoding.DecodeString(b.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fail("the bundle's signature is not an ed25519 signature in base64")
	}
	msg, err := signed(b.Payload)
	if err != nil {
		return fail("the bundle's payload does not read: %v", err)
	}
	if !ed25519.Verify(pub, msg, sig) {
		return fail("the signature does not verify with key %s: the bundle was changed after it was signed", Fingerprint(pub))
	}
	return r, nil
}

// checkChain checks p's events as one chain, in order from #1; it returns the first break,
// or "", counting the withheld events in r.
func checkChain(p Payload, r *Report) string {
	if len(p.Events) == 0 {
		return "the bundle has no events"
	}
	for i, x := range p.Events {
		want := i + 1
		if x.Seq != want {
			if slices.ContainsFunc(p.Events, func(y Event) bool { return y.Seq == want }) {
				return fmt.Sprintf("the events are out of order: event #%d is where #%d should be", x.Seq, want)
			}
			if i == 0 {
				return fmt.Sprintf("event #1 is missing: the bundle starts at #%d", x.Seq)
			}
			return fmt.Sprintf("event #%d is missing: the bundle goes from #%d to #%d", want, p.Events[i-1].Seq, x.Seq)
		}
		if x.IncidentID != p.Incident.ID {
			return fmt.Sprintf("event #%d belongs to incident %d, not to %s (%d)", x.Seq, x.IncidentID, p.Incident.Key, p.Incident.ID)
		}
		switch {
		case i == 0 && x.PrevHash != "":
			return "event #1 does not start the chain: it links to a previous hash"
		case i > 0 && x.PrevHash != p.Events[i-1].Hash:
			return fmt.Sprintf("event #%d does not link to event #%d's hash", x.Seq, x.Seq-1)
		}
		if x.Withheld != "" {
			r.Withheld++
			continue
		}
		e, err := x.event()
		if err != nil {
			return err.Error()
		}
		if i > 0 && p.Events[i-1].Withheld == "" && p.Events[i-1].At > x.At {
			return fmt.Sprintf("event #%d is dated before event #%d", x.Seq, x.Seq-1)
		}
		if e.ComputeHash() != x.Hash {
			return fmt.Sprintf("event #%d (%s) was changed: its content does not match its hash", x.Seq, x.Kind)
		}
	}
	return ""
}

// short is the start of a hash, enough for people to tell two apart.
func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12] + "…"
	}
	return hash
}
