package pagerduty_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/pagerduty"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// FuzzWebhook posts bodies to the webhook receiver, signed and with a fuzzed signature.
// Properties: no panic and never a 5xx; a correctly signed body is accepted (202) or
// refused as malformed (400), and what reaches Ingest has an event ID, a type and an
// incident ID; not JSON is 400; a wrong signature is refused (403 or 400) and ingests
// nothing.
func FuzzWebhook(f *testing.F) {
	inc := testenv.PDIncident{ID: "PINC1", Number: 7, Status: "triggered", Title: "API down", Service: "PSVC001", Urgency: "high"}
	f.Add([]byte(katBody), katSig)
	f.Add(testenv.WebhookBody("ev-1", "incident.triggered", "Alice", inc, "P1"), "v1=00")
	f.Add(testenv.WebhookBody("ev-2", "incident.acknowledged", "Bob", inc, ""), "")
	f.Add([]byte(`{"event":{"id":"e","event_type":"service.updated","resource_type":"service","data":{}}}`), "v1=x,v1=y")
	f.Add([]byte(`{"event":{"id":"e","event_type":"incident.triggered","resource_type":"incident","data":null}}`), "v0=1")
	f.Add([]byte(`null`), "")
	f.Add([]byte(`{"event":`), "v1=")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		ingested := 0
		wh := &pagerduty.Webhook{Secret: katSecret, Log: slog.New(slog.DiscardHandler),
			Ingest: func(_ context.Context, ev incident.PagerEvent) (string, error) {
				ingested++
				if ev.EventID == "" || ev.Type == "" || ev.Incident.ID == "" {
					t.Fatalf("ingested an event without its IDs: %+v", ev)
				}
				return incident.PagerDeclared, nil
			}}
		post := func(sig string) int {
			req := httptest.NewRequest(http.MethodPost, "/pagerduty/webhook", strings.NewReader(string(body)))
			req.Header.Set("X-PagerDuty-Signature", sig)
			req.Header.Set("X-Webhook-Id", "delivery-1")
			rec := httptest.NewRecorder()
			wh.ServeHTTP(rec, req)
			return rec.Code
		}
		good := testenv.SignPagerDuty(katSecret, body)
		switch code := post(good); {
		case code != http.StatusAccepted && code != http.StatusBadRequest:
			t.Fatalf("signed body: status %d", code)
		case !json.Valid(body) && code != http.StatusBadRequest:
			t.Fatalf("signed body that is not JSON: status %d", code)
		}
		if strings.Contains(sig, strings.TrimPrefix(good, "v1=")) {
			return
		}
		before := ingested
		if code := post(sig); code != http.StatusForbidden && code != http.StatusBadRequest {
			t.Fatalf("signature %q: status %d", sig, code)
		}
		if ingested != before {
			t.Fatalf("signature %q: the event was ingested", sig)
		}
	})
}
