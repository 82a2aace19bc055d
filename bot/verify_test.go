package bot

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Known-answer vectors from REFERENCE.md section 1.
const (
	s1Secret = "8f742231b10e8888abcd99yyyzzz85a5"
	s1TS     = "1531420618"
	s1Body   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	s1Sig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"

	s2Secret = "e6b19c573432dcc6b075501d51b51bb8"
	s2TS     = "1531431954"
	s2Body   = `{"token":"aF5ynEYQH0dFN9imlgcADxDB","team_id":"XXXXXXXXX","api_app_id":"YYYYYYYYY","event":{"type":"app_mention","user":"AAAAAAAAA","text":"<@EEEEEEEEE> hello world","client_msg_id":"477cc591-ch73-a14z-4db8-g0cd76321bec","ts":"1531431954.000073","channel":"TTTTTTTTT","event_ts":"1531431954.000073"},"type":"event_callback","event_id":"TvBP7LRED7","event_time":1531431954,"authed_users":["EEEEEEEEE"]}`
	s2Sig    = "v0=adada4ed31709aef585c2580ca3267678c6a8eaeb7e0c1aca3ee57b656886b2c"
)

func at(ts string, offset time.Duration) func() time.Time {
	secs, _ := strconv.ParseInt(ts, 10, 64)
	return func() time.Time { return time.Unix(secs, 0).Add(offset) }
}

func headers(sig, ts string) http.Header {
	h := http.Header{}
	if sig != "" {
		h.Set("X-Slack-Signature", sig)
	}
	if ts != "" {
		h.Set("X-Slack-Request-Timestamp", ts)
	}
	return h
}

func TestSignatureVectors(t *testing.T) {
	if len(s1Body) != 362 {
		t.Fatalf("S1 body is %d bytes, want 362", len(s1Body))
	}
	for _, tc := range []struct {
		name, secret, ts, body, sig string
	}{
		{"S1 Slack's published example", s1Secret, s1TS, s1Body, s1Sig},
		{"S2 slack-go's app_mention", s2Secret, s2TS, s2Body, s2Sig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SignatureHeader(tc.secret, tc.ts, []byte(tc.body)); got != tc.sig {
				t.Errorf("computed %s, want %s", got, tc.sig)
			}
			v := Verifier{Secret: tc.secret, Now: at(tc.ts, 0)}
			if err := v.Verify(headers(tc.sig, tc.ts), []byte(tc.body)); err != nil {
				t.Errorf("valid vector rejected: %v", err)
			}
		})
	}
}

func TestSignatureNegatives(t *testing.T) {
	flipped := []byte(s1Body)
	flipped[100] ^= 1
	for _, tc := range []struct {
		name string
		v    Verifier
		h    http.Header
		body string
		want error
	}{
		{"stale by 301s", Verifier{s1Secret, at(s1TS, 301*time.Second)}, headers(s1Sig, s1TS), s1Body, ErrStaleTimestamp},
		{"future by 301s", Verifier{s1Secret, at(s1TS, -301*time.Second)}, headers(s1Sig, s1TS), s1Body, ErrStaleTimestamp},
		{"within 300s is fine", Verifier{s1Secret, at(s1TS, 300*time.Second)}, headers(s1Sig, s1TS), s1Body, nil},
		{"missing signature", Verifier{s1Secret, at(s1TS, 0)}, headers("", s1TS), s1Body, ErrMissingHeaders},
		{"missing timestamp", Verifier{s1Secret, at(s1TS, 0)}, headers(s1Sig, ""), s1Body, ErrMissingHeaders},
		{"timestamp not a number", Verifier{s1Secret, at(s1TS, 0)}, headers(s1Sig, "yesterday"), s1Body, ErrBadTimestamp},
		{"non-hex after v0=", Verifier{s1Secret, at(s1TS, 0)}, headers("v0="+strings.Repeat("zz", 32), s1TS), s1Body, ErrMalformedSig},
		{"wrong version", Verifier{s1Secret, at(s1TS, 0)}, headers("v1="+s1Sig[3:], s1TS), s1Body, ErrMalformedSig},
		{"short signature", Verifier{s1Secret, at(s1TS, 0)}, headers(s1Sig[:40], s1TS), s1Body, ErrMalformedSig},
		{"one changed body byte", Verifier{s1Secret, at(s1TS, 0)}, headers(s1Sig, s1TS), string(flipped), ErrSignatureInvalid},
		{"wrong secret", Verifier{s2Secret, at(s1TS, 0)}, headers(s1Sig, s1TS), s1Body, ErrSignatureInvalid},
		{"signature of another timestamp", Verifier{s1Secret, at(s1TS, 0)}, headers(s1Sig, "1531420619"), s1Body, ErrSignatureInvalid},
		{"no secret configured", Verifier{"", at(s1TS, 0)}, headers(s1Sig, s1TS), s1Body, ErrNoSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Verify(tc.h, []byte(tc.body))
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(s1Sig, s1TS, []byte(s1Body))
	f.Add(s2Sig, s2TS, []byte(s2Body))
	f.Add("v0=", "0", []byte{})
	f.Add("v0="+strings.Repeat("0", 64), "-1", []byte("x"))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		v := Verifier{Secret: s1Secret, Now: at(s1TS, 0)}
		err := v.Verify(headers(sig, ts), body)
		if err == nil && !strings.EqualFold(sig, SignatureHeader(s1Secret, ts, body)) {
			t.Fatalf("accepted %q for a body it does not sign", sig)
		}
	})
}
