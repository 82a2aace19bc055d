// Package evidence writes and checks signed exports of incident timelines: a JSON bundle of
// one incident's events (every field the hash chain covers), the chain's head and the
// anchors known, signed with an ed25519 key, that anyone with the public key can verify
// offline, without the bot's database. See docs/evidence.md.
package evidence

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postmortem"
)

// Format names the bundle's format; a bundle of another format is refused.
const Format = "incidentbot-timeline-bundle/1"

// Bundle is the file: the payload, and the signature over it. The signature is over the
// payload's compact JSON (json.Compact of its bytes as they appear), so the file may be
// indented or not.
type Bundle struct {
	Format    string          `json:"format"`
	Payload   json.RawMessage `json:"payload"`
	PublicKey string          `json:"public_key"` // base64: the key that signed, for the message when another is given
	Signature string          `json:"signature"`  // base64 ed25519 signature
}

// Payload is what the bundle says, and signs.
type Payload struct {
	Incident   Incident `json:"incident"`
	ExportedAt string   `json:"exported_at"`
	Events     []Event  `json:"events"`
	Head       Head     `json:"head"`
	Anchors    []Anchor `json:"anchors"`
}

// Incident names the bundle's incident. The title of a private incident is left out.
type Incident struct {
	Key     string `json:"key"`
	ID      int64  `json:"id"`
	Title   string `json:"title,omitempty"`
	Status  string `json:"status"`
	Private bool   `json:"private,omitempty"`
	Drill   bool   `json:"drill,omitempty"`
}

// Event is one timeline event with every field its hash covers. A withheld event (one
// that may hold a secret, or any of a private incident's unless asked for) keeps only its
// number and hashes: the chain still links through it, its content is not checked.
type Event struct {
	Seq        int    `json:"seq"`
	IncidentID int64  `json:"incident_id"`
	At         string `json:"at,omitempty"`
	Actor      string `json:"actor,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Format     int    `json:"format,omitempty"`
	Text       string `json:"text,omitempty"` // format 1 (text) only
	Data       string `json:"data,omitempty"` // format 2: the event's data as stored and hashed
	PrevHash   string `json:"prev_hash"`
	Hash       string `json:"hash"`
	Withheld   string `json:"withheld,omitempty"` // why the content is left out
}

// Head is the chain's newest event.
type Head struct {
	Events int    `json:"events"`
	Hash   string `json:"hash"`
}

// Anchor is one anchor of the timeline (incident.Anchor): the head written outside the
// database at At, recorded by event RecordedIn.
type Anchor struct {
	Events     int    `json:"events"`
	Head       string `json:"head"`
	At         string `json:"at,omitempty"`
	How        string `json:"how,omitempty"`
	RecordedIn int    `json:"recorded_in,omitempty"`
}

// Options change what Build includes.
type Options struct {
	// Private includes the content of a private incident's events (left out otherwise).
	Private bool
	Now     time.Time
}

// The reasons events are withheld.
const (
	WithheldSecret  = "it may hold a secret (a token, a password or a key)"
	WithheldPrivate = "the incident is private (incidentbot timeline export --private includes it)"
)

// Build makes the bundle of inc's timeline evs (in order, as stored) and anchors, signed
// with key, as indented JSON.
func Build(inc *incident.Incident, evs []incident.TimelineEvent, anchors []incident.Anchor, key ed25519.PrivateKey, o Options) ([]byte, error) {
	p := Payload{
		Incident:   Incident{Key: inc.Key(), ID: inc.ID, Title: postmortem.Scrub(inc.Title), Status: string(inc.Status), Private: inc.Private, Drill: inc.Drill},
		ExportedAt: incident.FormatTime(o.Now),
		Events:     make([]Event, 0, len(evs)),
		Anchors:    []Anchor{},
	}
	if inc.Private {
		p.Incident.Title = ""
	}
	for _, e := range evs {
		p.Events = append(p.Events, exported(inc, e, o))
	}
	if n := len(evs); n > 0 {
		p.Head = Head{Events: evs[n-1].Seq, Hash: evs[n-1].Hash}
	}
	for _, a := range anchors {
		p.Anchors = append(p.Anchors, Anchor{Events: a.Events, Head: a.Head, At: incident.FormatTime(a.At), How: a.How, RecordedIn: a.Seq})
	}
	payload, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	b := Bundle{Format: Format, Payload: payload, PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)),
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, payload))}
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// exported is e as the bundle holds it.
func exported(inc *incident.Incident, e incident.TimelineEvent, o Options) Event {
	x := Event{Seq: e.Seq, IncidentID: e.IncidentID, PrevHash: e.PrevHash, Hash: e.Hash}
	data := e.DataJSON
	if e.Format == incident.FormatText {
		data = ""
	}
	switch {
	case inc.Private && !o.Private:
		x.Withheld = WithheldPrivate
	case secret(e.Actor) || secret(e.Text) || secret(data):
		x.Withheld = WithheldSecret
	default:
		x.At, x.Actor, x.Kind, x.Format, x.Text, x.Data = incident.FormatTime(e.At), e.Actor, string(e.Kind), e.Format, e.Text, data
	}
	return x
}

// secret reports whether s holds something the review would scrub as a credential.
func secret(s string) bool { return s != "" && postmortem.Scrub(s) != s }

// signed returns the bytes the signature covers: the payload's compact JSON.
func signed(payload json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, payload); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// event turns a bundle event back into the timeline event it hashes.
func (x Event) event() (incident.TimelineEvent, error) {
	at, err := time.Parse("2006-01-02T15:04:05.000Z", x.At)
	if err != nil {
		return incident.TimelineEvent{}, fmt.Errorf("event #%d: its time %q is not a timeline time", x.Seq, x.At)
	}
	return incident.TimelineEvent{IncidentID: x.IncidentID, Seq: x.Seq, At: at, Actor: x.Actor, Kind: incident.EventKind(x.Kind),
		Format: x.Format, Text: x.Text, DataJSON: x.Data, PrevHash: x.PrevHash, Hash: x.Hash}, nil
}
