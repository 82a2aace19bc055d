package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

type chaosOptions struct {
	duration, killEvery, pause, lease time.Duration
	replicas, workers                 int
}

// kill is one SIGKILL of the chaos.
type kill struct {
	instance string
	at       time.Time
	down     time.Duration
}

// runChaos runs the chaos mode and prints its report; ok is false when an invariant failed.
func runChaos(dir string, o chaosOptions) (bool, error) {
	started := time.Now()
	w, err := newWorld(dir, true, o.lease)
	if err != nil {
		return false, err
	}
	defer w.close()
	rs, err := w.replicas(o.replicas)
	if err != nil {
		return false, err
	}
	for _, r := range rs {
		if err := r.start(); err != nil {
			return false, err
		}
	}
	defer func() {
		for _, r := range rs {
			r.stop()
		}
	}()
	fmt.Fprintf(os.Stderr, "chaos: %d replicas on PostgreSQL, lease %s; driving for %s, a kill every %s±50%%\n", o.replicas, o.lease, o.duration, o.killEvery)
	d := newDriver(w, rs)
	loadStart := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < o.workers; i++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			for iter := 0; ; iter++ {
				select {
				case <-stop:
					return
				default:
				}
				d.scenario(worker, iter, stop)
			}
		}(i)
	}
	wg.Add(1)
	go func() { // PagerDuty, about one trigger a second
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(500*time.Millisecond + jitter(time.Second)):
				d.pagerDuty()
			}
		}
	}()
	var kills []kill
	var restartErr error
	end := time.After(o.duration)
chaos:
	for {
		wait := o.killEvery/2 + jitter(o.killEvery)
		select {
		case <-end:
			break chaos
		case <-time.After(wait):
		}
		r := rs[rand.IntN(len(rs))]
		inst, at := r.kill()
		w.logs.killed(inst, at)
		time.Sleep(o.pause)
		if err := r.start(); err != nil {
			restartErr = err
			break
		}
		kills = append(kills, kill{inst, at, time.Since(at)})
		fmt.Fprintf(os.Stderr, "chaos: %s killed at +%s, back after %s\n", inst, at.Sub(loadStart).Round(time.Millisecond), time.Since(at).Round(time.Millisecond))
	}
	close(stop)
	fmt.Fprintln(os.Stderr, "chaos: stopped killing; waiting for the drivers to finish their incidents")
	wg.Wait()
	if restartErr != nil {
		return false, fmt.Errorf("restart: %w", restartErr)
	}
	ctx := context.Background()
	db, err := pgx.Connect(ctx, w.dbURL)
	if err != nil {
		return false, err
	}
	defer db.Close(ctx)
	fmt.Fprintln(os.Stderr, "chaos: the survivors drain the outbox")
	drainStart := time.Now()
	left, err := drain(ctx, db, 2*o.lease+3*time.Minute)
	if err != nil {
		return false, err
	}
	drained := time.Since(drainStart)
	for _, r := range rs {
		r.stop()
	}
	f := &findings{}
	if left > 0 {
		f.fail("%d effects still pending or inflight %s after the load stopped", left, drained.Round(time.Second))
	}
	for _, check := range []func(context.Context, *pgx.Conn, *findings) error{d.checkNotes, d.checkIncidents, d.checkSteps, d.checkSlack, d.checkPagerDuty, checkEffects} {
		if err := check(ctx, db, f); err != nil {
			return false, err
		}
	}
	w.verifyChains(f)
	report(o, d, kills, w.logs, f, time.Since(started), drained)
	return len(f.failures) == 0, nil
}

// report prints the run's figures and the invariants' verdicts.
func report(o chaosOptions, d *driver, kills []kill, logs *logBook, f *findings, total, drained time.Duration) {
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\n== chaos: %d replicas of incidentbot serve on one PostgreSQL, %s of load, outbox.lease %s ==\n", o.replicas, o.duration, o.lease)
	fmt.Printf("run: %s in all (outbox drained %s after the load); load average %s", total.Round(time.Second), drained.Round(100*time.Millisecond), load)
	var down time.Duration
	for _, k := range kills {
		down += k.down
	}
	if len(kills) > 0 {
		down /= time.Duration(len(kills))
	}
	fmt.Printf("kills: %d SIGKILLs, each replica started again (down %s on average, until it listened again)\n", len(kills), down.Round(time.Millisecond))
	var keys []string
	for k := range d.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, d.counts[k]))
	}
	fmt.Printf("requests: %s\n", strings.Join(parts, ", "))
	if len(d.refusals) > 0 {
		fmt.Println("answers other than the expected ones:")
		for r, n := range d.refusals {
			fmt.Printf("  %dx %s\n", n, r)
		}
	}
	for _, l := range f.lines {
		fmt.Println(l)
	}
	fmt.Println("answers to clicks (ephemeral, numbers as N):")
	for _, a := range d.clickAnswers() {
		fmt.Println("  " + a)
	}
	t := logs.takeovers(o.lease)
	var kinds []string
	for k, n := range t.byKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	fmt.Printf("takeovers: %d of a killed replica's claims (%s); p50 %s, p99 %s, max %s from the SIGKILL to the claim by another replica (lease %s)\n",
		len(t.afterKill), strings.Join(kinds, ", "), percentile(t.afterKill, 0.5).Round(time.Millisecond), percentile(t.afterKill, 0.99).Round(time.Millisecond),
		percentile(t.afterKill, 1).Round(time.Millisecond), o.lease)
	if t.byTime > 0 {
		fmt.Printf("  (%d of them timed from the last kill within a lease before: the dead instance's claim line died with it)\n", t.byTime)
	}
	if t.other > 0 || t.unmatched > 0 {
		fmt.Printf("takeovers not after a kill: %d of a live replica's claim (it was too slow to renew), %d whose previous claim no log shows\n", t.other, t.unmatched)
	}
	if len(logs.errors) > 0 {
		fmt.Println("errors the replicas logged:")
		for m, n := range logs.errors {
			fmt.Printf("  %dx %s\n", n, m)
		}
	}
	if len(f.failures) == 0 {
		fmt.Println("PASS: 0 acknowledged commands lost, 0 Slack posts duplicated, 0 actions executed twice, every chain verifies")
		return
	}
	fmt.Printf("FAIL: %d invariant violations\n", len(f.failures))
	for i, l := range f.failures {
		if i == 50 {
			fmt.Printf("  ... and %d more\n", len(f.failures)-50)
			break
		}
		fmt.Println("  " + l)
	}
}
