package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// runAck measures ack latency at rate for d on SQLite with one replica, PostgreSQL with
// one and PostgreSQL with three, and prints a table.
func runAck(dir string, rate int, d time.Duration) (bool, error) {
	type row struct {
		name string
		res  ackResult
	}
	var rows []row
	for _, setup := range []struct {
		name     string
		pg       bool
		replicas int
	}{{"SQLite, 1 replica", false, 1}, {"PostgreSQL, 1 replica", true, 1}, {"PostgreSQL, 3 replicas", true, 3}} {
		sub, err := os.MkdirTemp(dir, "ack-")
		if err != nil {
			return false, err
		}
		fmt.Fprintf(os.Stderr, "ack: %s: %d requests/s for %s\n", setup.name, rate, d)
		res, err := ackRun(sub, setup.pg, setup.replicas, rate, d)
		if err != nil {
			return false, fmt.Errorf("%s: %w", setup.name, err)
		}
		rows = append(rows, row{setup.name, res})
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\n== ack latency: signed /incident commands (note and status alternating), open loop at %d/s for %s each ==\n", rate, d)
	fmt.Printf("%-24s %8s %9s %9s %9s %9s %s\n", "setup", "sent", "p50", "p99", "max", "errors", "statuses")
	ok := true
	for _, r := range rows {
		fmt.Printf("%-24s %8d %9s %9s %9s %9d %v\n", r.name, r.res.Sent, r.res.Percentile(0.5).Round(100*time.Microsecond),
			r.res.Percentile(0.99).Round(100*time.Microsecond), r.res.Percentile(1).Round(100*time.Microsecond), r.res.Errors(), r.res.Statuses)
		if r.res.Errors() > 0 || r.res.Percentile(0.99) > 3*time.Second || lost(r.res) {
			ok = false
		}
	}
	if ok {
		fmt.Println("every acked note was on its timeline afterwards (counted in the database)")
	}
	fmt.Printf("load average after: %s", load)
	return ok, nil
}

// lost reports whether ackRun found acked notes missing from the timeline.
func lost(r ackResult) bool {
	for s := range r.Statuses {
		if strings.HasPrefix(s, "LOST") {
			return true
		}
	}
	return false
}
