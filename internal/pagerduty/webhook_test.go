package pagerduty_test

import (
	"context"
	"fmt"
	"github.com/nephoran/incidentbot/bot/views"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/pagerduty"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// Known-answer vector from go-pagerduty v1.8.0's webhookv3_test.go (REFERENCE.md section 5).
const (
	katSecret = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK"
	katBody   = `{"event":{"id":"01BWDWL3NYY7LUFPZCC28QUCMK","event_type":"incident.priority_updated","resource_type":"incident","occurred_at":"2021-04-26T17:36:27.458Z","agent":{"html_url":"https://acme.pagerduty.com/users/PLH1HKV","id":"PLH1HKV","self":"https://api.pagerduty.com/users/PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},"client":null,"data":{"id":"PGR0VU2","type":"incident","self":"https://api.pagerduty.com/incidents/PGR0VU2","html_url":"https://acme.pagerduty.com/incidents/PGR0VU2","number":2,"status":"triggered","title":"A little bump in the road","service":{"html_url":"https://acme.pagerduty.com/services/PF9KMXH","id":"PF9KMXH","self":"https://api.pagerduty.com/services/PF9KMXH","summary":"API Service","type":"service_reference"},"assignees":[{"html_url":"https://acme.pagerduty.com/users/PTUXL6G","id":"PTUXL6G","self":"https://api.pagerduty.com/users/PTUXL6G","summary":"User 123","type":"user_reference"}],"escalation_policy":{"html_url":"https://acme.pagerduty.com/escalation_policies/PUS0KTE","id":"PUS0KTE","self":"https://api.pagerduty.com/escalation_policies/PUS0KTE","summary":"Default","type":"escalation_policy_reference"},"teams":[{"html_url":"https://acme.pagerduty.com/teams/PFCVPS0","id":"PFCVPS0","self":"https://api.pagerduty.com/teams/PFCVPS0","summary":"Engineering","type":"team_reference"}],"priority":{"html_url":"https://acme.pagerduty.com/account/incident_priorities","id":"PSO75BM","self":"https://api.pagerduty.com/priorities/PSO75BM","summary":"P1","type":"priority_reference"},"urgency":"high","conference_bridge":{"conference_number":1000,"conference_url":"https://example.com"},"resolve_reason":null}}}`
	katSig    = "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd"
)

// hook is the webhook receiver over a System with the PagerDuty fake.
type hook struct {
	sys *testenv.System
	srv *httptest.Server
}

func newHook(t testing.TB, secret string, opts ...testenv.Option) *hook {
	sys := testenv.NewSystem(t, append([]testenv.Option{testenv.WithPagerDuty()}, opts...)...)
	wh := &pagerduty.Webhook{Secret: secret, Ingest: sys.Service.IngestPagerEvent, Log: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(wh)
	t.Cleanup(srv.Close)
	return &hook{sys: sys, srv: srv}
}

// noJoining turns joining off (pagerduty.join_window: 0): every trigger declares.
var noJoining = testenv.WithConfig(func(c *config.Config) { c.PagerDuty.JoinWindow = 0 })

func (h *hook) post(t testing.TB, sig, delivery string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL, strings.NewReader(string(body)))
	if sig != "" {
		req.Header.Set("X-PagerDuty-Signature", sig)
	}
	req.Header.Set("X-Webhook-Id", delivery)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (h *hook) send(t testing.TB, delivery, eventType string, inc testenv.PDIncident, priority string) int {
	t.Helper()
	body := testenv.WebhookBody("ev-"+delivery, eventType, "Alice", inc, priority)
	return h.post(t, testenv.SignPagerDuty(testenv.PagerDutyWebhookSecret, body), delivery, body)
}

func (h *hook) incidents() int {
	var ids []int64
	h.sys.DB.View(context.Background(), func(tx incident.Tx) (err error) { ids, err = tx.IncidentIDs(); return err })
	return len(ids)
}

func TestWebhookSignatureVectorAndRotation(t *testing.T) {
	if got := testenv.SignPagerDuty(katSecret, []byte(katBody)); got != katSig {
		t.Fatalf("signature %s, want %s", got, katSig)
	}
	h := newHook(t, katSecret)
	other := testenv.SignPagerDuty("the-old-secret", []byte(katBody))
	for _, tc := range []struct {
		name, sig, body string
		want            int
	}{
		{"known answer", katSig, katBody, 202},
		{"rotation: old and new", other + "," + katSig, katBody, 202},
		{"only a wrong signature", other, katBody, 403},
		{"one changed byte", katSig, strings.Replace(katBody, "bump", "bumP", 1), 403},
		{"missing header", "", katBody, 400},
		{"no v1 signature", "v0=abc", katBody, 400},
		{"empty body", katSig, "", 400},
		{"not JSON", testenv.SignPagerDuty(katSecret, []byte("hello")), "hello", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.post(t, tc.sig, "d-"+tc.name, []byte(tc.body)); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
	if h.incidents() != 0 {
		t.Error("a webhook about an unknown incident created one")
	}
}

func TestWebhookLifecycle(t *testing.T) {
	h := newHook(t, testenv.PagerDutyWebhookSecret)
	sys := h.sys
	pd := sys.PD.AddIncident("Intent API 5xx above 5%", "PSVC001", "high")
	if got := h.send(t, "d1", "incident.triggered", pd, "P2"); got != 202 {
		t.Fatalf("triggered: %d", got)
	}
	h.send(t, "d1", "incident.triggered", pd, "P2") // a redelivery
	h.send(t, "d2", "incident.triggered", pd, "P2") // another delivery of the same incident
	if n := h.incidents(); n != 1 {
		t.Fatalf("%d incidents, want 1", n)
	}
	sys.Deliver()
	inc := sys.Incident(1)
	if inc.PagerDutyID != pd.ID || inc.Severity != incident.P1 || inc.Service != "intent-processing" || inc.Title != "Intent API 5xx above 5%" || inc.ChannelID == "" {
		t.Fatalf("incident %+v", inc)
	}
	if topic := sys.Slack.Channel(inc.ChannelID).Topic; !strings.Contains(topic, "IC unfilled") {
		t.Errorf("topic %q", topic)
	}
	if origin := sys.PD.Incidents()[0]; len(origin.Notes) != 1 || !strings.Contains(origin.Notes[0], "Slack channel for INC-1") {
		t.Errorf("the triggering incident did not get the channel link: %q", origin.Notes)
	}
	// The channel's PagerDuty bookmark is the incident it was declared from, not a page.
	if b := sys.Slack.Channel(inc.ChannelID).Bookmarks; len(b) != 1 || b[0].Title != "PagerDuty incident" || b[0].Link != inc.PagerDutyURL || inc.PagerDutyURL == "" {
		t.Errorf("the channel's bookmarks: %+v, want the triggering incident's %q", b, inc.PagerDutyURL)
	}

	// An acknowledgement of the technical lead's page records MTTA and tells the channel.
	var tlPage testenv.PDIncident
	for _, p := range sys.PD.Incidents() {
		if p.IncidentKey == "incidentbot/1/technical-lead/1" {
			tlPage = p
		}
	}
	if tlPage.ID == "" {
		t.Fatalf("the technical lead was not paged: %+v", sys.PD.Incidents())
	}
	h.send(t, "d3", "incident.acknowledged", tlPage, "")
	sys.Deliver()
	inc = sys.Incident(1)
	if inc.AckedBy != "Alice" || inc.AckedAt.IsZero() {
		t.Errorf("ack not recorded: %q %v", inc.AckedBy, inc.AckedAt)
	}
	msgs := sys.Slack.Channel(inc.ChannelID).Messages
	if last := msgs[len(msgs)-1].Text; !strings.Contains(last, "Alice acknowledged the page of technical-lead") {
		t.Errorf("channel: %q", last)
	}

	h.send(t, "d4", "incident.priority_updated", pd, "P1")
	h.send(t, "d5", "incident.resolved", pd, "P1")
	sys.Deliver()
	inc = sys.Incident(1)
	if inc.Status != incident.StatusResolved || inc.Summary != "Resolved in PagerDuty by Alice" {
		t.Errorf("not resolved from PagerDuty: %s %q", inc.Status, inc.Summary)
	}
	for _, p := range sys.PD.Incidents() {
		if p.Status != "resolved" {
			t.Errorf("%s (%s) still %s", p.ID, p.IncidentKey, p.Status)
		}
	}
	k := kinds(sys.Events(1))
	if k[incident.EventAcknowledged] != 1 || k[incident.EventPagerActivity] != 1 || k[incident.EventResolved] != 1 {
		t.Errorf("timeline %v", k)
	}
	if b := incident.VerifyChain(sys.Events(1)); b != nil {
		t.Errorf("chain: %+v", b)
	}
}

// An acknowledgement that PagerDuty dates before the declaration (clock skew, or an ack
// racing the webhook that declared) counts as at the declaration: time to acknowledge is
// never negative, so MTTA cannot be pulled below zero.
func TestAckBeforeTheDeclarationCountsAsAtIt(t *testing.T) {
	h := newHook(t, testenv.PagerDutyWebhookSecret)
	pd := h.sys.PD.AddIncident("Intent API 5xx above 5%", "PSVC001", "high")
	h.send(t, "t1", "incident.triggered", pd, "P2")
	h.sys.Deliver()
	declared := h.sys.Incident(1).DeclaredAt
	body := testenv.WebhookBodyAt("ev-a1", "incident.acknowledged", testenv.PDUser{ID: "PUBOB", Name: "Bob"}, pd, "", declared.Add(-90*time.Second))
	if got := h.post(t, testenv.SignPagerDuty(testenv.PagerDutyWebhookSecret, body), "a1", body); got != 202 {
		t.Fatalf("ack: %d", got)
	}
	inc := h.sys.Incident(1)
	if !inc.AckedAt.Equal(declared) || inc.AckedBy != "Bob" {
		t.Errorf("acked at %v by %q; want the declaration %v", inc.AckedAt, inc.AckedBy, declared)
	}
	evs := h.sys.Events(1)
	if last := views.EventText(evs[len(evs)-1]); !strings.Contains(last, "(first acknowledgement: 0s after the declaration)") {
		t.Errorf("timeline says %q", last)
	}
}

func kinds(evs []incident.TimelineEvent) map[incident.EventKind]int {
	m := map[incident.EventKind]int{}
	for _, e := range evs {
		m[e.Kind]++
	}
	return m
}

func TestWebhookIgnoresUnmappedServicesAndTheBotsOwnPages(t *testing.T) {
	h := newHook(t, testenv.PagerDutyWebhookSecret)
	unmapped := h.sys.PD.AddIncident("disk full on a build box", "PSVC002", "low")
	if got := h.send(t, "u1", "incident.triggered", unmapped, ""); got != 202 {
		t.Errorf("unmapped: %d, want 202", got)
	}
	own := testenv.PDIncident{ID: "QOWN", Title: "[INC-9 P1] x", Status: "triggered", IncidentKey: "incidentbot/9/technical-lead/1", Service: "PSVC001", Urgency: "high"}
	if got := h.send(t, "u2", "incident.triggered", own, ""); got != 202 {
		t.Errorf("own page: %d", got)
	}
	if n := h.incidents(); n != 0 {
		t.Errorf("%d incidents, want 0", n)
	}
}

// 50 concurrent deliveries for 10 PagerDuty incidents, with redeliveries, joining off:
// exactly 10 incidents, 10 channels, and every role paged once.
func TestWebhookRace(t *testing.T) {
	h := newHook(t, testenv.PagerDutyWebhookSecret, noJoining)
	var pds []testenv.PDIncident
	for i := 0; i < 10; i++ {
		pds = append(pds, h.sys.PD.AddIncident(fmt.Sprintf("region outage %d", i), "PSVC001", "high"))
	}
	var wg sync.WaitGroup
	statuses := make(chan int, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			pd := pds[i%10]
			delivery := fmt.Sprintf("%s-d%d", pd.ID, i%3) // three deliveries per incident, some repeated
			statuses <- h.send(t, delivery, "incident.triggered", pd, "")
		}(i)
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 202 {
			t.Errorf("status %d", s)
		}
	}
	h.sys.Deliver()
	if n := h.incidents(); n != 10 {
		t.Errorf("%d incidents, want 10", n)
	}
	if n := len(h.sys.Slack.Channels()); n != 10 {
		t.Errorf("%d channels, want 10", n)
	}
	keys := map[string]int{}
	for _, p := range h.sys.PD.Incidents() {
		if p.IncidentKey != "" {
			keys[p.IncidentKey]++
		}
	}
	if len(keys) != 30 { // P1 from high urgency: commander, technical lead, communications lead
		t.Errorf("%d distinct pages, want 30", len(keys))
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("page %s sent %d times", k, n)
		}
	}
}

// BenchmarkWebhookIngest measures signed deliveries through the HTTP handler to committed
// state: "triggered" declares an incident each time (verify, decode, dedupe, declare, queue
// the channel, three pages and three on-call lookups), joining off; "redelivery" is the
// baseline of the same path when the delivery was seen before (verify, decode, dedupe
// only); "joined" is a trigger that joins its service's open incident (an alert storm).
func BenchmarkWebhookIngest(b *testing.B) {
	h := newHook(b, testenv.PagerDutyWebhookSecret, noJoining)
	handler := h.srv.Config.Handler
	deliver := func(b *testing.B, body []byte, sig, delivery string) {
		deliverTo(b, handler, body, sig, delivery)
	}
	measure := func(b *testing.B, body func(i int) ([]byte, string, string)) { measureDeliveries(b, handler, body) }
	run := 0
	b.Run("triggered", func(b *testing.B) {
		run++
		measure(b, func(i int) ([]byte, string, string) {
			pd := testenv.PDIncident{ID: fmt.Sprintf("QB%d-%07d", run, i), Number: i, Title: "bench", Status: "triggered", Service: "PSVC001", Urgency: "high"}
			body := testenv.WebhookBody(fmt.Sprintf("ev%d-%d", run, i), "incident.triggered", "Alice", pd, "")
			return body, testenv.SignPagerDuty(testenv.PagerDutyWebhookSecret, body), fmt.Sprintf("d%d-%d", run, i)
		})
	})
	seen := testenv.WebhookBody("ev-seen", "incident.triggered", "Alice", testenv.PDIncident{ID: "QSEEN", Title: "x", Service: "PSVC001", Urgency: "high"}, "")
	seenSig := testenv.SignPagerDuty(testenv.PagerDutyWebhookSecret, seen)
	deliver(b, seen, seenSig, "d-seen")
	b.Run("redelivery", func(b *testing.B) {
		measure(b, func(int) ([]byte, string, string) { return seen, seenSig, "d-seen" })
	})
	// joined: the same triggers with joining on (the default 1h), the service having an open
	// incident: each links a page, records an event and queues its window's notice.
	joining := newHook(b, testenv.PagerDutyWebhookSecret).srv.Config.Handler
	first := testenv.WebhookBody("ev-first", "incident.triggered", "Alice", testenv.PDIncident{ID: "QFIRST", Title: "x", Service: "PSVC001", Urgency: "high"}, "")
	deliverTo(b, joining, first, testenv.SignPagerDuty(testenv.PagerDutyWebhookSecret, first), "d-first")
	b.Run("joined", func(b *testing.B) {
		run++
		measureDeliveries(b, joining, func(i int) ([]byte, string, string) {
			pd := testenv.PDIncident{ID: fmt.Sprintf("QJ%d-%07d", run, i), Number: i, Title: "bench", Status: "triggered", Service: "PSVC001", Urgency: "high"}
			body := testenv.WebhookBody(fmt.Sprintf("ev%d-%d", run, i), "incident.triggered", "Alice", pd, "")
			return body, testenv.SignPagerDuty(testenv.PagerDutyWebhookSecret, body), fmt.Sprintf("d%d-%d", run, i)
		})
	})
}

// deliverTo sends one signed delivery to handler and fails unless it is accepted.
func deliverTo(b *testing.B, handler http.Handler, body []byte, sig, delivery string) {
	req := httptest.NewRequest(http.MethodPost, "/pagerduty/webhook", strings.NewReader(string(body)))
	req.Header.Set("X-PagerDuty-Signature", sig)
	req.Header.Set("X-Webhook-Id", delivery)
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, req)
	if w.Code != 202 {
		b.Fatalf("%d %s", w.Code, w.Body)
	}
}

// measureDeliveries sends b.N deliveries that body makes (built before the timer starts)
// to handler, one after the other, and reports deliveries/s and the p99 latency.
func measureDeliveries(b *testing.B, handler http.Handler, body func(i int) ([]byte, string, string)) {
	bodies := make([][3]string, b.N)
	for i := range bodies {
		bb, sig, d := body(i)
		bodies[i] = [3]string{string(bb), sig, d}
	}
	lat := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		deliverTo(b, handler, []byte(bodies[i][0]), bodies[i][1], bodies[i][2])
		lat[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	b.ReportMetric(float64(lat[b.N*99/100].Microseconds()), "p99-µs")
}
