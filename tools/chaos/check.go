package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// findings are the invariants' results: each failure is a line; the counts are for the report.
type findings struct {
	failures []string
	lines    []string // figures, in order
}

func (f *findings) fail(format string, args ...any) {
	f.failures = append(f.failures, fmt.Sprintf(format, args...))
}

func (f *findings) say(format string, args ...any) {
	f.lines = append(f.lines, fmt.Sprintf(format, args...))
}

// drain waits until no effect but timers is pending or inflight, or the time is up.
func drain(ctx context.Context, db *pgx.Conn, limit time.Duration) (left int, err error) {
	deadline := time.Now().Add(limit)
	for {
		if err := db.QueryRow(ctx, `SELECT count(*) FROM effects WHERE state IN ('pending', 'inflight') AND kind <> 'timer'`).Scan(&left); err != nil {
			return 0, err
		}
		if left == 0 || time.Now().After(deadline) {
			return left, nil
		}
		time.Sleep(250 * time.Millisecond)
	}
}

var noteRe = regexp.MustCompile(`chaos-(\d+)\b`)

// checkNotes: every acked note is on a timeline exactly once; one not acked at most once.
func (d *driver) checkNotes(ctx context.Context, db *pgx.Conn, f *findings) error {
	rows, err := db.Query(ctx, `SELECT data FROM timeline_events WHERE kind = 'note'`)
	if err != nil {
		return err
	}
	seen := map[int64]int{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return err
		}
		if m := noteRe.FindStringSubmatch(data); m != nil {
			var n int64
			fmt.Sscan(m[1], &n)
			seen[n]++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	acked, lost, twice, landed := 0, 0, 0, 0
	for n, ok := range d.notes {
		switch {
		case seen[n] > 1:
			twice++
			f.fail("note chaos-%d is on the timeline %d times", n, seen[n])
		case ok && seen[n] == 0:
			lost++
			f.fail("note chaos-%d was acked but is not on the timeline", n)
		case !ok && seen[n] == 1:
			landed++
		}
		if ok {
			acked++
		}
	}
	f.say("notes: %d sent, %d acked, %d acked but lost, %d on a timeline twice; %d not acked (no answer) that landed anyway", len(d.notes), acked, lost, twice, landed)
	return nil
}

// checkIncidents: every acked declaration and every acked PagerDuty trigger made exactly
// one incident; every acked run+approve of a step ended it (succeeded, failed or unknown).
func (d *driver) checkIncidents(ctx context.Context, db *pgx.Conn, f *findings) error {
	numbers := map[int]bool{}
	status := map[int]string{}
	byPD := map[string]int{}
	rows, err := db.Query(ctx, `SELECT number, pagerduty_id, status FROM incidents`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var n int
		var pd, st string
		if err := rows.Scan(&n, &pd, &st); err != nil {
			return err
		}
		numbers[n], status[n] = true, st
		if pd != "" {
			byPD[pd]++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	resolved := 0
	for _, inc := range d.incidents {
		if !numbers[inc.number] {
			f.fail("INC-%d was acked as declared but is not in the database", inc.number)
		}
		if inc.resolved {
			resolved++
			if status[inc.number] != "resolved" {
				f.fail("INC-%d: the resolve was acked but the incident is %s", inc.number, status[inc.number])
			}
		}
	}
	for id, deliveries := range d.pdSent {
		if byPD[id] != 1 {
			f.fail("PagerDuty incident %s (%d deliveries acked) made %d incidents, want 1", id, deliveries, byPD[id])
		}
	}
	f.say("incidents: %d in the database; %d declared by slash command (acked; %d resolved, acked), %d by PagerDuty webhooks (%d PagerDuty incidents, each delivered twice)",
		len(numbers), len(d.incidents), resolved, len(byPD), len(d.pdSent))
	// Numbers are gapless.
	for n := 1; n <= len(numbers); n++ {
		if !numbers[n] {
			f.fail("incident numbers have a gap: no INC-%d among %d incidents", n, len(numbers))
			break
		}
	}
	return nil
}

// checkSteps: the target saw each step's action at most once; a succeeded step exactly once.
func (d *driver) checkSteps(ctx context.Context, db *pgx.Conn, f *findings) error {
	calls := d.w.target.counts()
	rows, err := db.Query(ctx, `SELECT i.number, s.seq, s.state FROM run_steps s JOIN runs r ON r.id = s.run_id JOIN incidents i ON i.id = r.incident_id`)
	if err != nil {
		return err
	}
	states := map[string]int{}
	unknownReached := 0
	type key struct{ n, seq int }
	stepState := map[key]string{}
	for rows.Next() {
		var n, seq int
		var state string
		if err := rows.Scan(&n, &seq, &state); err != nil {
			return err
		}
		stepState[key{n, seq}] = state
		states[state]++
		path := fmt.Sprintf("/act/INC-%d/s%d", n, seq)
		if state == "unknown" && calls[path] == 1 {
			unknownReached++
		}
		switch c := calls[path]; {
		case c > 1:
			f.fail("the action of INC-%d step %d ran %d times (state %s)", n, seq, c, state)
		case state == "succeeded" && c != 1:
			f.fail("INC-%d step %d succeeded but the target saw it %d times", n, seq, c)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	twice := 0
	for path, c := range calls {
		if c > 1 {
			twice++
		}
		if !strings.HasPrefix(path, "/act/INC-") {
			f.fail("the target got a request for %s", path)
		}
	}
	unfinished := 0
	for _, inc := range d.incidents {
		for seq := range inc.approved {
			if !inc.approved[seq] || !inc.run[seq] {
				continue
			}
			switch s := stepState[key{inc.number, seq}]; s {
			case "succeeded", "failed", "unknown":
			default:
				unfinished++
				f.fail("INC-%d step %d: run and approval acked, but the step is %q", inc.number, seq, s)
			}
		}
	}
	f.say("actions: %d requests to the target for %d steps, %d steps executed twice", sum(calls), len(calls), twice)
	f.say("steps: %d succeeded (done), %d unknown (%d of them had reached the target before their replica died), %d failed, %d other %s; %d approved steps unfinished",
		states["succeeded"], states["unknown"], unknownReached, states["failed"], len(stepState)-states["succeeded"]-states["unknown"]-states["failed"], others(states), unfinished)
	return nil
}

func others(states map[string]int) string {
	var out []string
	for s, n := range states {
		if s != "succeeded" && s != "unknown" && s != "failed" {
			out = append(out, fmt.Sprintf("%s=%d", s, n))
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// checkSlack: no post twice in a channel (the bot marks each with its effect's key in the
// message metadata), one channel and one card per incident, one review per incident.
func (d *driver) checkSlack(ctx context.Context, db *pgx.Conn, f *findings) error {
	posts, dups, cards := 0, 0, 0
	perIncident := map[string]int{}
	for _, ch := range d.w.emu.Channels() {
		if m := regexp.MustCompile(`^inc-(\d+)-`).FindStringSubmatch(ch.Name); m != nil {
			perIncident[m[1]]++
		}
		keys := map[string]int{}
		chCards := 0
		for _, msg := range ch.Messages {
			if msg.User != testenv.SlackBotUser {
				continue
			}
			var meta struct {
				EventType    string `json:"event_type"`
				EventPayload struct {
					Key string `json:"key"`
				} `json:"event_payload"`
			}
			if json.Unmarshal(msg.Metadata, &meta) != nil || meta.EventPayload.Key == "" {
				continue
			}
			posts++
			keys[meta.EventPayload.Key]++
			if strings.Contains(meta.EventPayload.Key, ":post_card:") {
				chCards++
			}
		}
		for k, n := range keys {
			if n > 1 {
				dups++
				f.fail("channel %s has the post %s %d times", ch.Name, k, n)
			}
		}
		if chCards > 1 {
			f.fail("channel %s has %d incident cards", ch.Name, chCards)
		}
		cards += chCards
	}
	channels := 0
	for n, c := range perIncident {
		channels += c
		if c > 1 {
			f.fail("INC-%s has %d channels", n, c)
		}
	}
	var withChannel int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM incidents WHERE channel_id <> ''`).Scan(&withChannel); err != nil {
		return err
	}
	if withChannel != len(perIncident) {
		f.fail("%d incidents have a channel in the database, the emulator has channels for %d", withChannel, len(perIncident))
	}
	reviews := map[string]int{}
	for _, is := range d.w.gh.Issues() {
		reviews[is.Title]++
	}
	for title, n := range reviews {
		if n > 1 {
			f.fail("the review %q was filed %d times", title, n)
		}
	}
	f.say("slack: %d posts carrying an effect key in %d incident channels, %d duplicated; %d incident cards; %d reviews filed in GitHub", posts, channels, dups, cards, len(reviews))
	return nil
}

// checkEffects reports effects that failed for good or are still waiting.
func checkEffects(ctx context.Context, db *pgx.Conn, f *findings) error {
	rows, err := db.Query(ctx, `SELECT state, count(*), sum(attempts) FROM effects WHERE kind <> 'timer' GROUP BY state ORDER BY state`)
	if err != nil {
		return err
	}
	var parts []string
	for rows.Next() {
		var state string
		var n, attempts int64
		if err := rows.Scan(&state, &n, &attempts); err != nil {
			return err
		}
		parts = append(parts, fmt.Sprintf("%s %d", state, n))
		if state == "pending" || state == "inflight" {
			f.fail("%d effects still %s after the drain", n, state)
		}
	}
	f.say("effects (timers aside): %s", strings.Join(parts, ", "))
	return rows.Err()
}

// verifyChains runs `incidentbot timeline verify` on the database.
func (w *world) verifyChains(f *findings) {
	cmd := exec.Command(w.bin, "timeline", "verify")
	cmd.Env = w.env()
	out, err := cmd.CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	if err != nil {
		f.fail("timeline verify: %v: %s", err, last)
		for _, l := range lines {
			if strings.Contains(l, "BROKEN") {
				f.fail("  %s", l)
			}
		}
		return
	}
	f.say("chains: incidentbot timeline verify: %s", last)
}

// checkPagerDuty: no page twice (one PagerDuty incident per incident_key the bot pages
// with) and no note twice on a PagerDuty incident.
func (d *driver) checkPagerDuty(ctx context.Context, db *pgx.Conn, f *findings) error {
	byKey := map[string]int{}
	pages, notes, dupNotes := 0, 0, 0
	for _, inc := range d.w.pd.Incidents() {
		if inc.IncidentKey != "" {
			pages++
			byKey[inc.IncidentKey]++
		}
		seen := map[string]int{}
		for _, n := range inc.Notes {
			notes++
			seen[n]++
		}
		for n, c := range seen {
			if c > 1 {
				dupNotes++
				f.fail("PagerDuty incident %s has the note %.80q %d times", inc.ID, n, c)
			}
		}
	}
	dupPages := 0
	for k, n := range byKey {
		if n > 1 {
			dupPages++
			f.fail("paged %d times with incident_key %s", n, k)
		}
	}
	f.say("pagerduty: %d pages (%d paged twice), %d notes on PagerDuty incidents (%d twice)", pages, dupPages, notes, dupNotes)
	return nil
}
