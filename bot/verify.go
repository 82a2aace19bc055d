package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Verification errors. Each means the request did not come from Slack (or came too late).
var (
	ErrMissingHeaders   = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	ErrBadTimestamp     = errors.New("X-Slack-Request-Timestamp is not a Unix time")
	ErrStaleTimestamp   = errors.New("request timestamp is more than 5 minutes from now")
	ErrMalformedSig     = errors.New("X-Slack-Signature is not v0= and 64 hex digits")
	ErrSignatureInvalid = errors.New("signature does not match")
	ErrNoSecret         = errors.New("no signing secret is configured, so no request can be verified")
)

// MaxClockSkew is how far a request's timestamp may be from now, either way.
const MaxClockSkew = 5 * time.Minute

// Verifier checks Slack's v0 request signatures (REFERENCE.md section 1) against a clock it
// is given, so known-answer vectors with old timestamps can be tested.
type Verifier struct {
	Secret string
	Now    func() time.Time
}

// Verify checks the signature headers against the raw body.
func (v Verifier) Verify(h http.Header, body []byte) error {
	if v.Secret == "" {
		return ErrNoSecret
	}
	sig, ts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" {
		return ErrMissingHeaders
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if d := now().Sub(time.Unix(secs, 0)); d > MaxClockSkew || d < -MaxClockSkew {
		return ErrStaleTimestamp
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return ErrMalformedSig
	}
	given, err := hex.DecodeString(hexSig)
	if err != nil {
		return ErrMalformedSig
	}
	if !hmac.Equal(given, Sign(v.Secret, ts, body)) {
		return ErrSignatureInvalid
	}
	return nil
}

// Sign returns HMAC-SHA256(secret, "v0:" + timestamp + ":" + body), as Slack computes it.
func Sign(secret, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return mac.Sum(nil)
}

// SignatureHeader returns the X-Slack-Signature value for a body, for tests and tools that
// act as Slack.
func SignatureHeader(secret, timestamp string, body []byte) string {
	return "v0=" + hex.EncodeToString(Sign(secret, timestamp, body))
}
