package incident

import (
	"errors"
	"sync"
	"time"
)

// Outages. When an outside service fails (5xx, timeouts, refused connections), retrying
// every queued effect on its own backoff hammers it while it is down and then leaves the
// backlog asleep on long backoffs once it is back. Instead the outbox marks the service
// down at its first such failure. From then on one delivery at a time probes it, one every
// ProbeEvery, while the other effects for it are parked until the next probe may go,
// without being attempted. A failed probe goes to the back of the queue, so the next probe
// is another effect (when one fails because of its own method, another method shows
// whether the service is up). The first success ends the outage and wakes every parked
// effect at once.

// ParkedPrefix starts the last error of a parked effect; the store wakes those.
const ParkedPrefix = "parked: "

// isOutage reports whether err says the service is failing: not a rate limit (the service,
// or the bot's own pause after one, says when to come back) and not a failure of the bot's
// own database.
func isOutage(err error) bool {
	var tmp *TemporaryError
	return errors.As(err, &tmp) && tmp.RetryAfter <= 0 && !tmp.Local
}

// health tracks the services that are down. Safe for concurrent use.
type health struct {
	mu   sync.Mutex
	down map[string]*outage
}

type outage struct {
	since   time.Time
	probing bool      // a probe is in flight
	next    time.Time // when the next probe may start
}

// admit decides whether a delivery for service may call it now: when the service is not
// down, or as the one probe once a probe is due. Otherwise it is to be parked until
// parkUntil.
func (h *health) admit(service string, now time.Time, every time.Duration) (probe bool, parkUntil time.Time) {
	if service == "" {
		return false, time.Time{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	o := h.down[service]
	switch {
	case o == nil:
		return false, time.Time{}
	case !o.probing && !now.Before(o.next):
		o.probing = true
		return true, time.Time{}
	case o.next.After(now):
		return false, o.next
	}
	// A probe is in flight (it may take a client's whole timeout): its success wakes the
	// parked at once and its failure makes the next probe, so they need not come back soon.
	return false, now.Add(5 * every)
}

// observe records how a call to service went and reports whether it ended an outage.
// called is false when the handler did not reach the service (not ready yet).
func (h *health) observe(service string, probe, called bool, err error, now time.Time, every time.Duration) (recovered bool) {
	if service == "" {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	o := h.down[service]
	if o != nil && probe {
		o.probing = false
	}
	switch {
	case !called:
		return false
	case isOutage(err):
		if o == nil {
			o = &outage{since: now}
			if h.down == nil {
				h.down = map[string]*outage{}
			}
			h.down[service] = o
		}
		if probe || o.next.IsZero() {
			o.next = now.Add(every)
		}
		return false
	case err == nil && o != nil:
		// Only a success ends an outage: a refusal may come from the bot itself (a
		// misconfiguration) and a rate limit from its own pause, without a call.
		delete(h.down, service)
		return true
	}
	return false
}

// downSince returns when service went down, or the zero time when it is up.
func (h *health) downSince(service string) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	if o := h.down[service]; o != nil {
		return o.since
	}
	return time.Time{}
}
