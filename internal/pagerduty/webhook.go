package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/PagerDuty/go-pagerduty/webhookv3"
	"github.com/nephoran/incidentbot/internal/incident"
)

// maxWebhookBody is what go-pagerduty's verifier reads at most.
const maxWebhookBody = 2 << 20

// Webhook receives PagerDuty V3 webhooks at POST /pagerduty/webhook: it verifies the
// signature (any v1 of the comma-separated list, so secrets can rotate), decodes the
// event, hands it to Ingest (which deduplicates and commits) and answers 202.
type Webhook struct {
	Secret string
	Ingest func(context.Context, incident.PagerEvent) (string, error)
	Log    *slog.Logger
	// Observe, when set, is told each delivery's outcome (for metrics).
	Observe func(outcome string)
}

// wireEvent is the V3 envelope; data is the incident for incident.* events.
type wireEvent struct {
	Event struct {
		ID           string `json:"id"`
		EventType    string `json:"event_type"`
		ResourceType string `json:"resource_type"`
		OccurredAt   string `json:"occurred_at"`
		Agent        *struct {
			Summary string `json:"summary"`
		} `json:"agent"`
		Data json.RawMessage `json:"data"`
	} `json:"event"`
}

type wireIncident struct {
	ID          string `json:"id"`
	Number      int    `json:"number"`
	Status      string `json:"status"`
	IncidentKey string `json:"incident_key"`
	Title       string `json:"title"`
	HTMLURL     string `json:"html_url"`
	Urgency     string `json:"urgency"`
	Service     struct {
		ID string `json:"id"`
	} `json:"service"`
	Priority *struct {
		Summary string `json:"summary"`
	} `json:"priority"`
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		h.answer(w, http.StatusRequestEntityTooLarge, "body too large", "rejected")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if h.Secret == "" {
		h.answer(w, http.StatusForbidden, "no webhook secret is configured", "rejected")
		return
	}
	if err := webhookv3.VerifySignature(r, h.Secret); err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, webhookv3.ErrNoValidSignatures) {
			status = http.StatusForbidden
		}
		h.Log.Warn("rejected PagerDuty webhook", "reason", err, "remote", r.RemoteAddr)
		h.answer(w, status, err.Error(), "rejected")
		return
	}
	ev, ok, err := decodeEvent(body, r.Header.Get("X-Webhook-Id"))
	if err != nil {
		h.answer(w, http.StatusBadRequest, err.Error(), "malformed")
		return
	}
	if !ok {
		h.answer(w, http.StatusAccepted, "not an incident event; ignored", "ignored")
		return
	}
	outcome, err := h.Ingest(r.Context(), ev)
	if err != nil {
		h.Log.Error("PagerDuty webhook not recorded; PagerDuty will redeliver", "event", ev.EventID, "err", err)
		h.answer(w, http.StatusInternalServerError, "not recorded; retry", "error")
		return
	}
	h.Log.Info("PagerDuty webhook", "event", ev.EventID, "type", ev.Type, "pagerduty_incident", ev.Incident.ID, "outcome", outcome)
	h.answer(w, http.StatusAccepted, outcome, outcome)
}

func (h *Webhook) answer(w http.ResponseWriter, status int, msg, outcome string) {
	if h.Observe != nil {
		h.Observe(outcome)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"result": msg})
}

// decodeEvent parses a V3 body. ok is false for events that are not about incidents.
func decodeEvent(body []byte, deliveryID string) (incident.PagerEvent, bool, error) {
	var we wireEvent
	if err := json.Unmarshal(body, &we); err != nil {
		return incident.PagerEvent{}, false, errors.New("body is not a PagerDuty V3 event: " + err.Error())
	}
	e := we.Event
	if e.ID == "" || e.EventType == "" {
		return incident.PagerEvent{}, false, errors.New("event.id and event.event_type are required")
	}
	if e.ResourceType != "incident" {
		return incident.PagerEvent{}, false, nil
	}
	var wi wireIncident
	if err := json.Unmarshal(e.Data, &wi); err != nil || wi.ID == "" {
		return incident.PagerEvent{}, false, errors.New("event.data is not an incident with an id")
	}
	ev := incident.PagerEvent{
		DeliveryID: deliveryID, EventID: e.ID, Type: e.EventType,
		Incident: incident.PagerIncident{ID: wi.ID, Number: wi.Number, Title: wi.Title, Status: wi.Status,
			Key: wi.IncidentKey, URL: wi.HTMLURL, ServiceID: wi.Service.ID, Urgency: wi.Urgency},
	}
	if wi.Priority != nil {
		ev.Incident.Priority = wi.Priority.Summary
	}
	if e.Agent != nil {
		ev.Agent = e.Agent.Summary
	}
	if t, err := time.Parse(time.RFC3339Nano, e.OccurredAt); err == nil {
		ev.OccurredAt = t
	}
	return ev, true, nil
}
