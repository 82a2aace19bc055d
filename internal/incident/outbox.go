package incident

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Outbox delivers queued effects: in parallel, at most Workers at a time, retrying
// temporary failures (honouring a rate limit's Retry-After, otherwise backing off
// exponentially with jitter) and never dropping one. An effect that keeps failing is
// reported in the incident channel, or in the log when the channel is what fails.
type Outbox struct {
	Store    Store
	Chat     Chat
	Pager    Pager        // nil when PagerDuty is not configured
	Executor Executor     // runs http and kubernetes steps; nil: they fail with a clear reason
	Planner  Planner      // dry-runs kubernetes steps; nil: no plans
	Tracker  Tracker      // files reviews; nil: no reviews
	Reviews  ReviewWriter // writes them
	// StatusPage publishes on the hosted status page (Statuspage); nil when it is not
	// configured: the built-in status page only.
	StatusPage StatusPage
	Names      *Names // people's names for reviews; nil: read from Chat, kept by the outbox
	Clock      Clock
	Settings   Settings
	Log        *slog.Logger

	Workers int // concurrent deliveries; default 8
	// Reserved is how many of the workers only critical effects may use (priority.go), so
	// that a new incident's channel, card and pages never wait for a worker behind earlier
	// incidents' card updates and lookups; default a quarter of Workers, 0 when Workers is 1.
	Reserved    int
	BaseBackoff time.Duration // first backoff after a temporary failure; default 1s
	MaxBackoff  time.Duration // cap on the backoff; default 5m
	ReportAfter int           // temporary failures before reporting; default 5
	// ProbeEvery is how often one delivery probes a service that is down (default 2s).
	// See health.go.
	ProbeEvery time.Duration
	// Lease is how long a claim on an effect holds unless renewed (default 30s; serve takes
	// it from outbox.lease); a delivery renews its claim every third of it while it runs.
	Lease time.Duration
	// Shared says other replicas deliver from the same store. Then an effect another
	// process left inflight is taken over only once its claim lapses; alone (the default,
	// SQLite), Run takes back at once what the previous process left inflight.
	Shared bool
	// Observe, when set, is told the outcome of every delivery attempt (for metrics), and
	// ObserveLag how late each timer fired.
	Observe    func(kind EffectKind, outcome string)
	ObserveLag func(time.Duration)

	wakeOnce  sync.Once
	wake      chan struct{}
	namesOnce sync.Once
	health    health
}

// notReadyDelay is how soon Run tries again an effect waiting for its channel, card or pages.
const notReadyDelay = 250 * time.Millisecond

// Notify wakes the outbox: something was enqueued.
func (o *Outbox) Notify() {
	o.init()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func (o *Outbox) init() {
	o.wakeOnce.Do(func() {
		o.wake = make(chan struct{}, 1)
		if o.Workers <= 0 {
			o.Workers = 8
		}
		if o.Reserved <= 0 || o.Reserved >= o.Workers {
			o.Reserved = min(max(o.Workers/4, 1), o.Workers-1)
		}
		if o.BaseBackoff <= 0 {
			o.BaseBackoff = time.Second
		}
		if o.MaxBackoff <= 0 {
			o.MaxBackoff = 5 * time.Minute
		}
		if o.ReportAfter <= 0 {
			o.ReportAfter = 5
		}
		if o.ProbeEvery <= 0 {
			o.ProbeEvery = 2 * time.Second
		}
		if o.Lease <= 0 {
			o.Lease = 30 * time.Second
		}

		if o.Log == nil {
			o.Log = slog.Default()
		}
	})
}

// Run delivers effects until ctx ends. Alone on its store, it first releases the effects
// a previous process left inflight; shared, it takes them over when their claims lapse.
// Either way a crash between a delivery and its record means the delivery is tried again,
// and handlers look for an earlier success before acting twice. When a newer binary has
// migrated the store, Run lets the deliveries under way finish and returns a
// *SchemaTooNewError: this binary claims nothing it may not understand.
func (o *Outbox) Run(ctx context.Context) error {
	o.init()
	if !o.Shared {
		var released int
		if err := o.Store.Update(ctx, func(tx Tx) (err error) {
			released, err = tx.ReleaseInflight()
			return err
		}); err != nil {
			return fmt.Errorf("outbox: release inflight effects: %w", err)
		}
		if released > 0 {
			o.Log.Info("resuming effects left inflight", "count", released)
		}
	}
	sem := make(chan struct{}, o.Workers)
	var normal atomic.Int32 // workers delivering normal effects: at most Workers-Reserved
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		free := o.Workers - len(sem)
		normalFree := min(free, o.Workers-o.Reserved-int(normal.Load()))
		var (
			claimed []Effect
			full    bool // as many were due as it asked for: there may be more
		)
		if free > 0 {
			var err error
			claimed, full, err = o.claimFor(ctx, free, normalFree)
			if IsSchemaTooNew(err) {
				o.Log.Error("outbox: standing down: this replica delivers nothing more", "err", err)
				return fmt.Errorf("outbox: %w", err)
			}
			switch {
			case err == nil || ctx.Err() != nil:
			case ErrorCode(err) == EUNAVAILABLE: // the database fails over; the next pass retries
				o.Log.Warn("outbox: claim effects: the database is unavailable", "err", err)
			default:
				o.Log.Error("outbox: claim effects", "err", err)
			}
		}
		for _, e := range claimed {
			sem <- struct{}{}
			critical := e.Priority >= PriorityCritical
			if !critical {
				normal.Add(1)
			}
			wg.Add(1)
			go func(e Effect) {
				defer wg.Done()
				o.deliver(ctx, e, notReadyDelay)
				if !critical {
					normal.Add(-1)
				}
				<-sem
				o.Notify()
			}(e)
		}
		if full && len(sem) < o.Workers {
			continue // there may be more due
		}
		// With every worker busy, only a finishing delivery (which calls Notify) can free one;
		// with every normal one busy, that or a critical effect enqueued (Notify too).
		wait := time.Hour
		if len(sem) < o.Workers && int(normal.Load()) < o.Workers-o.Reserved {
			wait = time.Minute
			if next, err := o.nextDue(ctx); err == nil && !next.IsZero() {
				wait = min(wait, max(next.Sub(o.Clock.Now()), time.Millisecond))
			}
		} else if len(sem) < o.Workers {
			wait = time.Minute // a critical retry coming due; deliveries finishing wake it sooner
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-o.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// claimFor claims, in one transaction, up to free effects of which at most normalFree are
// normal ones: critical effects first, then normal ones in claim order. full says that a
// claim took all it asked for, so more may be due.
func (o *Outbox) claimFor(ctx context.Context, free, normalFree int) (claimed []Effect, full bool, err error) {
	err = o.Store.Update(ctx, func(tx Tx) error {
		now := o.Clock.Now()
		crit, err := tx.ClaimPriority(now, PriorityCritical, free, o.Lease)
		if err != nil {
			return err
		}
		claimed, full = crit, len(crit) == free
		if rest := min(free-len(crit), normalFree); rest > 0 {
			more, err := tx.ClaimPriority(now, PriorityNormal, rest, o.Lease)
			if err != nil {
				return err
			}
			claimed, full = append(claimed, more...), full || len(more) == rest
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	o.logClaims(claimed)
	return claimed, full, nil
}

// DeliverDue delivers every effect due now, including the ones that deliveries enqueue, and
// returns how many attempts it made. Tests drive the outbox with it on a fake clock: an
// effect waiting for another is tried again in the next round, until a round changes nothing.
// A round in which every effect claimed waits sets them aside (due after notReadyDelay, at
// Run's pace) and goes on with the others due; once those are done, the ones set aside are
// tried again if anything was delivered meanwhile.
func (o *Outbox) DeliverDue(ctx context.Context) (int, error) {
	o.init()
	total := 0
	var (
		aside    []Effect // waiting, set aside in this call
		progress bool     // something was delivered since the last set aside
	)
	for {
		claimed, err := o.claim(ctx, o.Workers)
		if err != nil {
			return total, err
		}
		if len(claimed) == 0 {
			if len(aside) == 0 || !progress {
				return total, nil
			}
			if err := o.dueAt(ctx, aside, o.Clock.Now()); err != nil {
				return total, err
			}
			aside, progress = nil, false
			continue
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			waiting int
		)
		for _, e := range claimed {
			wg.Add(1)
			go func(e Effect) {
				defer wg.Done()
				if o.deliver(ctx, e, 0) == "not_ready" {
					mu.Lock()
					waiting++
					mu.Unlock()
				}
			}(e)
		}
		wg.Wait()
		total += len(claimed)
		if waiting < len(claimed) {
			progress = true
			continue
		}
		if err := o.dueAt(ctx, claimed, o.Clock.Now().Add(notReadyDelay)); err != nil {
			return total, err
		}
		aside = append(aside, claimed...)
	}
}

// dueAt makes the waiting effects effs pending and due at t.
func (o *Outbox) dueAt(ctx context.Context, effs []Effect, t time.Time) error {
	return o.Store.Update(ctx, func(tx Tx) error {
		for _, e := range effs {
			e.State, e.NextAttemptAt = EffectPending, t
			if e.LastError == LapsedClaim {
				e.LastError = "" // as in record: claimed again from pending, it is no takeover
			}
			if err := tx.SaveEffect(&e); err != nil {
				return err
			}
		}
		return nil
	})
}

// claim claims up to limit due effects. Each claim is logged at debug level with its token,
// and a takeover (a claim that had lapsed, its replica dead or hung) at info level, so the
// time from a replica's death to the takeover of what it held can be read from the logs
// (tools/chaos does).
func (o *Outbox) claim(ctx context.Context, limit int) (claimed []Effect, err error) {
	err = o.Store.Update(ctx, func(tx Tx) error {
		claimed, err = tx.ClaimEffects(o.Clock.Now(), limit, o.Lease)
		return err
	})
	if err != nil {
		return nil, err
	}
	o.logClaims(claimed)
	return claimed, nil
}

// logClaims logs each claim at debug level, a takeover at info level.
func (o *Outbox) logClaims(claimed []Effect) {
	for _, e := range claimed {
		if e.LastError == LapsedClaim && e.Attempts > 0 {
			o.Log.Info("outbox: took over an effect whose claim lapsed", "effect", e.Key, "kind", e.Kind, "claim", e.Claim, "attempt", e.Attempts)
		} else {
			o.Log.Debug("outbox: claimed", "effect", e.Key, "kind", e.Kind, "claim", e.Claim)
		}
	}
}

func (o *Outbox) nextDue(ctx context.Context) (next time.Time, err error) {
	err = o.Store.View(ctx, func(tx Tx) error {
		next, err = tx.NextEffectDue()
		return err
	})
	return next, err
}

// deliver makes one attempt at e, records the result in one transaction and returns the
// outcome; an effect not ready yet is due again after wait.
func (o *Outbox) deliver(ctx context.Context, e Effect, wait time.Duration) string {
	log := o.Log.With("effect", e.Key, "kind", e.Kind)
	if e.Kind == EffectTimer && o.ObserveLag != nil {
		o.ObserveLag(o.Clock.Now().Sub(e.NextAttemptAt))
	}
	var (
		inc    *Incident
		behind []int64 // refreshes of the same card queued behind e (coalesce.go)
	)
	err := o.Store.View(ctx, func(tx Tx) (err error) {
		if inc, err = tx.Incident(e.IncidentID); err != nil {
			return err
		}
		behind, err = queuedBehind(tx, &e)
		return err
	})
	var (
		res   result
		probe bool // this attempt probes a service that is down
	)
	switch {
	case err != nil:
		err = StoreFailed(fmt.Errorf("load incident: %w", err)) // the database, not the effect, failed
	case e.Kind.inChannel() && inc.ChannelID == "":
		err = o.channelPending(ctx, inc) // not a probe of anything
	default:
		service := e.Kind.service()
		var parkUntil time.Time
		probe, parkUntil = o.health.admit(service, o.Clock.Now(), o.ProbeEvery)
		if !parkUntil.IsZero() {
			return o.park(ctx, e, service, parkUntil, log)
		}
		hctx, held, confirm, release := o.hold(ctx, &e, log)
		if e.Kind.spec().execution && !confirm() {
			release()
			log.Warn("outbox: another replica took this action over before it started; it does not start here")
			return "lost" // fenced: an action never starts on a claim another replica took over
		}
		res, err = e.Kind.spec().handle(o, WithPriority(hctx, e.Priority), inc, &e) // deliver waited for the channel above
		res.supersedes = behind
		release()
		if !held() {
			log.Warn("outbox: another replica took this effect over while it was delivered; its result is not recorded")
			return "lost"
		}
		called := ErrorCode(err) != ENOTREADY && throttled(err) == nil // held back by a budget: no call
		if o.health.observe(service, probe, called, err, o.Clock.Now(), o.ProbeEvery) {
			o.wakeService(ctx, service, log)
		}
	}
	if ctx.Err() != nil && err != nil {
		// Shutting down: leave the effect inflight; the next start releases it.
		return "interrupted"
	}
	attempted := e // as claimed: what a failed record leaves behind
	outcome := "done"
	err = o.Store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		e = attempted // the store may run this again (a retried transaction): record once
		inc, ierr := tx.Incident(e.IncidentID)
		if ierr != nil {
			return ierr
		}
		c := &change{tx: tx, inc: inc, now: o.Clock.Now()}
		var rerr error
		if outcome, rerr = o.record(c, &e, res, err, wait, probe, log); rerr != nil {
			return rerr
		}
		if serr := tx.SaveEffect(&e); serr != nil {
			return serr
		}
		return tx.UpdateIncident(inc)
	})
	if IsLostClaim(err) {
		log.Warn("outbox: another replica took this effect over; its result is not recorded", "err", err)
		return "lost"
	}
	if err != nil {
		o.recordFailed(ctx, attempted, err, log)
		return "error"
	}
	if o.Observe != nil {
		o.Observe(e.Kind, outcome)
	}
	return outcome
}

// hold keeps e's claim while its delivery runs, renewing it every third of the lease until
// release. held reports whether the claim is still this delivery's; confirm renews it at
// once and reports the same (an action starts only on a confirmed claim). Once another
// replica has taken e over, hctx is cancelled so that the handler stops what it can.
func (o *Outbox) hold(ctx context.Context, e *Effect, log *slog.Logger) (hctx context.Context, held, confirm func() bool, release func()) {
	hctx, cancel := context.WithCancel(ctx)
	var lost atomic.Bool
	renew := func() bool {
		claim := *e
		err := o.Store.Update(context.WithoutCancel(ctx), func(tx Tx) error { return tx.RenewClaim(&claim, o.Clock.Now().Add(o.Lease)) })
		switch {
		case IsLostClaim(err):
			lost.Store(true)
			cancel()
		case err != nil:
			log.Warn("outbox: could not renew the claim; trying again", "err", err)
		}
		return !lost.Load()
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(o.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				renew()
			}
		}
	}()
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(stop)
			<-done
			cancel()
		})
	}
	return hctx, func() bool { return !lost.Load() }, renew, release
}

// park puts back an effect for a service that is down until the next probe may go, without
// calling it or counting an attempt; the end of the outage wakes it at once (wakeService).
func (o *Outbox) park(ctx context.Context, e Effect, service string, until time.Time, log *slog.Logger) string {
	e.State, e.NextAttemptAt = EffectPending, until
	e.LastError = fmt.Sprintf("%swaiting for %s to answer again (failing since %s)", ParkedPrefix, service, o.health.downSince(service).UTC().Format(time.TimeOnly))
	if !o.save(ctx, &e, log) {
		return "interrupted"
	}
	if o.Observe != nil {
		o.Observe(e.Kind, "parked")
	}
	return "parked"
}

// wakeService makes every effect parked for service due now: it answers again, so the
// backlog flows at once.
func (o *Outbox) wakeService(ctx context.Context, service string, log *slog.Logger) {
	var n int
	err := o.Store.Update(context.WithoutCancel(ctx), func(tx Tx) (err error) {
		n, err = tx.WakeParked(kindsOf(service), o.Clock.Now())
		return err
	})
	if err != nil {
		log.Error("outbox: wake effects after an outage", "service", service, "err", err)
		return
	}
	log.Info("outbox: service answers again; delivering what waited for it", "service", service, "effects", n)
	o.Notify()
}

// recordFailed handles a delivery whose result could not be committed: nothing of it was
// kept, so the effect is tried again after a backoff, counted as an attempt so that its
// handler first looks for what this attempt made (and an execution becomes unknown instead
// of running twice). But a COMMIT whose connection broke may have gone through (the
// store's UnavailableMidCommit): then the effect is put back only if it is still inflight
// under its claim.
func (o *Outbox) recordFailed(ctx context.Context, e Effect, cause error, log *slog.Logger) {
	if maybeCommitted(cause) {
		switch recorded, err := o.recorded(ctx, e); {
		case err != nil:
			log.Warn("outbox: cannot tell whether the delivery was recorded; it stays claimed until its claim lapses", "err", err, "cause", cause)
			return // taken over (an attempt, looking for what this one made) once the claim lapses
		case recorded:
			log.Warn("outbox: the delivery was recorded although its commit reported an error", "err", cause)
			return
		}
	}
	e.Attempts++
	e.State, e.LastError = EffectPending, "recording the result failed: "+cause.Error()
	e.NextAttemptAt = o.Clock.Now().Add(o.backoff(e.Attempts))
	if e.Attempts >= maxRecordAttempts {
		// A record that fails every time (not a passing disk error) would loop for ever.
		e.State = EffectFailed
		log.Error("outbox: could not record the delivery; giving up", "attempt", e.Attempts, "err", cause)
	} else {
		log.Error("outbox: could not record the delivery; will retry", "attempt", e.Attempts, "err", cause)
	}
	o.save(ctx, &e, log)
}

// recorded reports whether e is no longer inflight under its claim: its record went
// through, or another replica took it over. It asks while the database fails, for as long
// as the claim holds.
func (o *Outbox) recorded(ctx context.Context, e Effect) (bool, error) {
	for attempt := 0; ; attempt++ {
		var effs []Effect
		err := o.Store.View(context.WithoutCancel(ctx), func(tx Tx) (err error) { effs, err = tx.Effects(e.IncidentID); return err })
		if err == nil {
			for _, s := range effs {
				if s.ID == e.ID {
					return s.State != EffectInflight || s.Claim != e.Claim, nil
				}
			}
			return true, nil // gone: nothing to put back
		}
		if !e.ClaimedUntil.IsZero() && o.Clock.Now().After(e.ClaimedUntil) {
			return false, err
		}
		select {
		case <-ctx.Done():
			return false, err
		case <-time.After(min(100*time.Millisecond<<min(attempt, 6), 5*time.Second)):
		}
	}
}

// maxRecordAttempts bounds the attempts of an effect whose result cannot be recorded.
const maxRecordAttempts = 20

// save stores an effect put back after an attempt, retrying while the database fails: an
// effect left inflight would wait for the next start and, at the head of its lane, hold
// back every post after it.
func (o *Outbox) save(ctx context.Context, e *Effect, log *slog.Logger) bool {
	for attempt := 0; ; attempt++ {
		err := o.Store.Update(context.WithoutCancel(ctx), func(tx Tx) error { return tx.SaveEffect(e) })
		if err == nil {
			return true
		}
		if IsLostClaim(err) {
			log.Warn("outbox: another replica took this effect over; leaving it to it", "err", err)
			return false
		}
		log.Error("outbox: could not save the effect; retrying", "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return false // left inflight: the next start releases it
		case <-time.After(min(100*time.Millisecond<<min(attempt, 6), 5*time.Second)):
		}
	}
}

// record applies one attempt's result to the effect and the incident and returns the
// outcome's name: done, not_ready, throttled, retry or failed. A failed probe of a service that is
// down is tried again after the next probe. An error from the store aborts the
// whole record: a result is kept entirely or not at all.
func (o *Outbox) record(c *change, e *Effect, res result, err error, notReadyWait time.Duration, probe bool, log *slog.Logger) (string, error) {
	now := c.now
	if err == nil {
		e.Attempts++
		e.State, e.LastError = EffectDone, ""
		if err := supersede(c.tx, e, res.supersedes); err != nil {
			return "", err
		}
		if res.apply != nil {
			res.apply(c.inc)
		}
		if res.store != nil {
			if err := res.store(c.tx, now); err != nil {
				return "", fmt.Errorf("record result: %w", err)
			}
		}
		if res.more != nil {
			if err := res.more(c); err != nil {
				return "", fmt.Errorf("record result: %w", err)
			}
		}
		if res.event != "" {
			if err := c.event(BotActor, res.event, res.data); err != nil {
				return "", fmt.Errorf("record result on the timeline: %w", err)
			}
		}
		for _, f := range res.follow {
			enqueue := c.enqueue
			if !f.due.IsZero() {
				enqueue = func(k EffectKind, d string, p EffectPayload) error { return c.enqueueAt(k, d, p, f.due) }
			}
			if f.tell {
				if res.event == "" {
					return "", fmt.Errorf("follow-up %s tells an event, but the result records none", f.kind)
				}
				f.payload.Seq = c.last.Seq
			}
			if err := enqueue(f.kind, f.discriminator, f.payload); err != nil {
				return "", fmt.Errorf("enqueue follow-up %s: %w", f.kind, err)
			}
		}
		return "done", nil // Run wakes itself after every delivery, once this has committed
	}
	if t := throttled(err); t != nil {
		// Held back before the call, to stay within the service's rate limit: no attempt.
		e.State, e.NextAttemptAt, e.LastError = EffectPending, now.Add(max(t.Wait, time.Millisecond)), err.Error()
		return "throttled", nil
	}
	if ErrorCode(err) == ENOTREADY {
		e.State, e.NextAttemptAt = EffectPending, now.Add(notReadyWait)
		if e.LastError == LapsedClaim {
			e.LastError = "" // its takeover is past: claimed again from pending, it is none
		}
		return "not_ready", nil
	}
	e.Attempts++
	e.LastError = err.Error()
	var tmp *TemporaryError
	if errors.As(err, &tmp) {
		wait := tmp.RetryAfter
		if wait <= 0 {
			wait = o.backoff(e.Attempts)
			if probe {
				// Still down: after the next probe, which another effect makes if there is one.
				wait = o.ProbeEvery + o.ProbeEvery/2
			}
		}
		e.State, e.NextAttemptAt = EffectPending, now.Add(wait)
		log.Warn("outbox: delivery failed; will retry", "attempt", e.Attempts, "retry_in", wait.String(), "err", err)
		if e.Attempts == o.ReportAfter {
			return "retry", o.report(c, e, EventEffectFailing, err, log)
		}
		return "retry", nil
	}
	e.State = EffectFailed
	log.Error("outbox: delivery failed for good", "attempt", e.Attempts, "err", err)
	return "failed", o.report(c, e, EventEffectFailed, err, log)
}

// channelPending explains why an effect that acts in the incident channel cannot yet: the
// channel is being created (ENOTREADY: try again soon), or it could not be created, which
// no retry of this effect mends (so it fails, and stops holding back its lane).
func (o *Outbox) channelPending(ctx context.Context, inc *Incident) error {
	var effs []Effect
	if err := o.Store.View(ctx, func(tx Tx) (err error) { effs, err = tx.Effects(inc.ID); return err }); err != nil {
		return StoreFailed(err)
	}
	for _, e := range effs {
		if e.Kind == EffectCreateChannel && e.State == EffectFailed {
			return fmt.Errorf("the incident channel could not be created (%s)", e.LastError)
		}
	}
	return Errorf(ENOTREADY, "the channel does not exist yet")
}

// report puts a failing effect on the timeline and in the channel, or in the log when the
// channel cannot take it.
func (o *Outbox) report(c *change, e *Effect, kind EventKind, failure error, log *slog.Logger) error {
	text := failure.Error()
	if err := c.event(BotActor, kind, EventData{Effect: e.Kind, Count: e.Attempts, Detail: text}); err != nil {
		return fmt.Errorf("report on the timeline: %w", err)
	}
	if e.Kind == EffectCreateChannel || e.Kind == EffectPost {
		log.Error("outbox: cannot report in the channel", "incident", c.inc.Key(), "effect", string(e.Kind), "err", text)
		return nil
	}
	// Without a channel yet (a page fails before Slack answers), the post waits for it. The
	// same report is posted once: one misconfiguration failing every role's page is one
	// message in the channel (the timeline keeps each failure).
	sum := sha256.Sum256([]byte(string(kind) + "\x00" + string(e.Kind) + "\x00" + text))
	if err := c.enqueue(EffectPost, "report-"+hex.EncodeToString(sum[:8]), EffectPayload{Seq: c.last.Seq}); err != nil {
		return fmt.Errorf("enqueue the report: %w", err)
	}
	return nil
}

// backoff returns the wait before attempt n+1: exponential from BaseBackoff, capped at
// MaxBackoff, with jitter in [50%, 100%].
func (o *Outbox) backoff(attempts int) time.Duration {
	d := o.MaxBackoff
	if attempts < 30 {
		d = min(o.BaseBackoff<<(attempts-1), o.MaxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}
