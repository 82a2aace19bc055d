// Command chaos runs incidentbot the way issue 13 asks it to survive, and prints the figures.
//
// The chaos mode (the default) builds the real binary, starts a real PostgreSQL
// (internal/testenv/pgtest), the Slack, PagerDuty and GitHub fakes, a target for the
// playbook's http actions that counts what it receives, and three replicas of `incidentbot
// serve` on the one database. For -duration it drives them round robin with signed slash
// commands (declare, note, status, playbook, resolve; some notes replayed to a second
// replica), clicks through a playbook of approved http steps (bob asks, alice approves), and
// PagerDuty webhooks (each delivered twice), while every -kill-every (with jitter) a random
// replica is killed with SIGKILL and started again. Then the survivors drain the outbox and
// it checks: no acked command lost, no Slack post twice, no action run twice, every chain
// verifies; and it reports how long the takeover of a dead replica's claims took. The exit
// status is 1 when an invariant fails.
//
//	go run ./tools/chaos -duration 2m
//
// The ack mode sends open-loop signed slash commands at -rate for -ack-duration to SQLite
// with one replica, PostgreSQL with one and PostgreSQL with three (round robin), and prints
// the ack latencies of the three:
//
//	go run ./tools/chaos -mode ack -rate 200 -ack-duration 30s
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	mode := flag.String("mode", "chaos", "chaos (kill replicas under load and check) or ack (ack latency on SQLite and PostgreSQL)")
	duration := flag.Duration("duration", 2*time.Minute, "chaos: how long to drive the replicas")
	killEvery := flag.Duration("kill-every", 4*time.Second, "chaos: mean time between kills (each ±50% at random)")
	pause := flag.Duration("restart-after", time.Second, "chaos: how long a killed replica stays down")
	lease := flag.Duration("lease", 5*time.Second, "chaos: the outbox lease the replicas run with (outbox.lease)")
	replicas := flag.Int("replicas", 3, "chaos: replicas on the one database")
	workers := flag.Int("workers", 4, "chaos: incidents driven at once")
	rate := flag.Int("rate", 200, "ack: requests per second")
	ackDuration := flag.Duration("ack-duration", 30*time.Second, "ack: how long to send to each setup")
	keep := flag.Bool("keep", false, "keep the run's directory (binary, logs of every replica instance); it is kept anyway when an invariant fails")
	flag.Parse()

	dir, err := os.MkdirTemp("", "incidentbot-chaos-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(2)
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "chaos: the run's files are in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	var ok bool
	switch *mode {
	case "chaos":
		ok, err = runChaos(dir, chaosOptions{duration: *duration, killEvery: *killEvery, pause: *pause, lease: *lease, replicas: *replicas, workers: *workers})
	case "ack":
		ok, err = runAck(dir, *rate, *ackDuration)
	default:
		err = fmt.Errorf("-mode %q: use chaos or ack", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	if !ok {
		// Kept for the diagnosis: every replica instance's log is there.
		fmt.Fprintln(os.Stderr, "chaos: an invariant failed; the run's files (the logs of every replica instance) are kept in", dir)
		os.Exit(1)
	}
}
