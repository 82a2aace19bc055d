package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/loadgen"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
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
	var notesAcked atomic.Int64
	res := loadgen.OpenLoop(rate, d, func(i int) (string, time.Duration) {
		text := "status"
		if i%2 == 0 {
			text = fmt.Sprintf("note ackload-%d", i)
		}
		status, lat := loadgen.SlashCommand(client, rs[i%len(rs)].url(), testenv.SlackSigningSecret, channel, "U0BOB", text, i)
		if status == "200" && i%2 == 0 {
			notesAcked.Add(1)
		}
		return status, lat
	})
	// An ack means committed: every acked note is on the timeline.
	n, err := w.countNotes("ackload-")
	if err != nil {
		return res, err
	}
	if n != notesAcked.Load() {
		res.Statuses[fmt.Sprintf("LOST: %d acked notes, %d on the timeline", notesAcked.Load(), n)]++
	}
	return res, nil
}

// countNotes counts the note events whose text starts with prefix, in either database.
func (w *world) countNotes(prefix string) (int64, error) {
	driver, dsn := "sqlite", filepath.Join(w.dir, "bot.db")
	if w.dbURL != "" {
		driver, dsn = "pgx", w.dbURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRow(`SELECT count(*) FROM timeline_events WHERE kind = 'note' AND data LIKE '%' || $1 || '%'`, prefix).Scan(&n)
	return n, err
}
