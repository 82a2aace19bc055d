// Package metrics exposes incidentbot's Prometheus metrics: incidents by state and severity,
// effects delivered, retried and failed by kind, outside API latency by service, ack latency,
// and timer lag.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors, registered on their own registry.
type Metrics struct {
	Registry *prometheus.Registry
	effects  *prometheus.CounterVec
	outside  *prometheus.HistogramVec
	ack      *prometheus.HistogramVec
	timerLag prometheus.Histogram
	webhooks *prometheus.CounterVec
}

// New registers the metrics; incidents are counted from store at each scrape.
func New(store incident.Store) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		effects: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "incidentbot_effects_total",
			Help: "Effect delivery attempts by kind and outcome (done, retry, not_ready, failed)."}, []string{"kind", "outcome"}),
		outside: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "incidentbot_outside_request_duration_seconds",
			Help: "Latency of requests to outside APIs, by service and status code.", Buckets: prometheus.DefBuckets}, []string{"service", "code"}),
		ack: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "incidentbot_ack_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by endpoint.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"endpoint"}),
		timerLag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "incidentbot_timer_lag_seconds",
			Help: "How late durable timers fire after they fall due.", Buckets: []float64{.01, .05, .1, .25, .5, 1, 5, 30, 60, 300}}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "incidentbot_pagerduty_webhooks_total",
			Help: "PagerDuty webhook deliveries by outcome."}, []string{"outcome"}),
	}
	m.Registry.MustRegister(m.effects, m.outside, m.ack, m.timerLag, m.webhooks, &incidentCollector{store: store},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// ObserveEffect counts an effect delivery (the outbox's Observe hook).
func (m *Metrics) ObserveEffect(kind incident.EffectKind, outcome string) {
	m.effects.WithLabelValues(string(kind), outcome).Inc()
}

// ObserveTimerLag records how late a timer fired.
func (m *Metrics) ObserveTimerLag(d time.Duration) { m.timerLag.Observe(d.Seconds()) }

// ObserveWebhook counts a PagerDuty delivery.
func (m *Metrics) ObserveWebhook(outcome string) { m.webhooks.WithLabelValues(outcome).Inc() }

// Transport measures the requests of an outside API client as service.
func (m *Metrics) Transport(service string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		start := time.Now()
		resp, err := base.RoundTrip(r)
		code := "error"
		if err == nil {
			code = strconv.Itoa(resp.StatusCode)
		}
		m.outside.WithLabelValues(service, code).Observe(time.Since(start).Seconds())
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Acks wraps a handler to measure the time to its answer as endpoint.
func (m *Metrics) Acks(endpoint string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		m.ack.WithLabelValues(endpoint).Observe(time.Since(start).Seconds())
	})
}

// incidentCollector counts incidents by status and severity at each scrape.
type incidentCollector struct{ store incident.Store }

var incidentsDesc = prometheus.NewDesc("incidentbot_incidents", "Incidents by status and severity.", []string{"status", "severity"}, nil)

func (c *incidentCollector) Describe(ch chan<- *prometheus.Desc) { ch <- incidentsDesc }

func (c *incidentCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var counts map[[2]string]int
	err := c.store.View(ctx, func(tx incident.Tx) (err error) { counts, err = tx.CountIncidents(); return err })
	if err != nil {
		ch <- prometheus.NewInvalidMetric(incidentsDesc, err)
		return
	}
	for _, st := range []incident.Status{incident.StatusInvestigating, incident.StatusMitigated, incident.StatusResolved} {
		for _, sev := range incident.Severities {
			ch <- prometheus.MustNewConstMetric(incidentsDesc, prometheus.GaugeValue, float64(counts[[2]string{string(st), string(sev)}]), string(st), string(sev))
		}
	}
}
