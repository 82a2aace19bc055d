package main

import (
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/loadgen"
)

type ackResult = loadgen.Result

// ackRun starts replicas on a new world (PostgreSQL or SQLite), declares an incident, waits
// for its channel, and sends notes and status requests to it round robin, open loop.
func ackRun(dir string, pg bool, replicas, rate int, d time.Duration) (ackResult, error) {
	w, err := newWorld(dir, pg, 30*time.Second)
	if err != nil {
		return ackResult{}, err
	}
	defer w.close()
	rs, err := w.replicas(replicas)
	if err != nil {
		return ackResult{}, err
	}
	for _, r := range rs {
		r.env = append(r.env, "INCIDENTBOT_DEBUG=") // claims at debug level would only slow it
		if err := r.start(); err != nil {
			return ackResult{}, err
		}
		defer r.stop()
	}
	drv := newDriver(w, rs)
	ok, reply := drv.slash("declare", "U0ALICE", w.general, "declare P2 ack latency", "Declared")
	if !ok {
		return ackResult{}, fmt.Errorf("declare: %s", reply)
	}
	m := declaredRe.FindStringSubmatch(reply)
	if m == nil {
		return ackResult{}, fmt.Errorf("declare answered %q", reply)
	}
	var number int
	fmt.Sscan(m[1], &number)
	var channel string
	for deadline := time.Now().Add(30 * time.Second); channel == ""; {
		if channel = w.channelOf(number); channel == "" && time.Now().After(deadline) {
			return ackResult{}, fmt.Errorf("no channel for INC-%d after 30s", number)
		}
		time.Sleep(50 * time.Millisecond)
	}
	client := loadgen.Client()
	return loadgen.OpenLoop(rate, d, func(i int) (string, time.Duration) {
		text := "status"
		if i%2 == 0 {
			text = fmt.Sprintf("note ack %d", i)
		}
		return loadgen.SlashCommand(client, rs[i%len(rs)].url(), testenv.SlackSigningSecret, channel, "U0BOB", text, i)
	}), nil
}
