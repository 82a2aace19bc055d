package storecopy

import (
	"fmt"

	"github.com/jackc/pgx/v5"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storetest"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// world is everything the Store port reads, from one backend.
type world struct {
	IDs         []int64
	Incidents   map[int64]*incident.Incident
	ByChannel   map[string]int64
	Events      map[int64][]incident.TimelineEvent
	LastEvents  map[int64]*incident.TimelineEvent
	Effects     map[int64][]incident.Effect
	Pages       map[int64][]incident.Page
	Runs        map[int64][]incident.Run
	Followups   map[int64][]incident.Followup
	OpenIssues  []incident.Followup
	Steps       map[incident.StepState][]incident.RunStep
	Recent      []incident.Incident
	Counts      map[[2]string]int
	NextNumber  int
	NextDue     time.Time
	SeenKeys    map[string]bool // MarkSeen of each key the source has seen: false, already seen
	Reminders   map[string]bool
	PageByPager map[string]int64
}

var stepStates = []incident.StepState{incident.StepPending, incident.StepAwaitingApproval, incident.StepApproved,
	incident.StepRunning, incident.StepSucceeded, incident.StepFailed, incident.StepUnknown, incident.StepSkipped, incident.StepRejected}

// readWorld reads w through s. seen are the ledger keys to look up (MarkSeen in a
// transaction that is rolled back, so neither side changes).
func readWorld(t *testing.T, s incident.Store, seen, reminders []string) *world {
	t.Helper()
	w := &world{Incidents: map[int64]*incident.Incident{}, ByChannel: map[string]int64{}, Events: map[int64][]incident.TimelineEvent{},
		LastEvents: map[int64]*incident.TimelineEvent{}, Effects: map[int64][]incident.Effect{}, Pages: map[int64][]incident.Page{},
		Runs: map[int64][]incident.Run{}, Followups: map[int64][]incident.Followup{}, Steps: map[incident.StepState][]incident.RunStep{},
		SeenKeys: map[string]bool{}, Reminders: map[string]bool{}, PageByPager: map[string]int64{}}
	view(t, s, func(tx incident.Tx) (err error) {
		if w.IDs, err = tx.IncidentIDs(); err != nil {
			return err
		}
		for _, id := range w.IDs {
			inc, err := tx.Incident(id)
			if err != nil {
				return err
			}
			w.Incidents[id] = inc
			if inc.ChannelID != "" {
				byCh, err := tx.IncidentByChannel(inc.ChannelID)
				if err != nil {
					return err
				}
				w.ByChannel[inc.ChannelID] = byCh.ID
			}
			if w.Events[id], err = tx.Events(id); err != nil {
				return err
			}
			if w.LastEvents[id], err = tx.LastEvent(id); err != nil {
				return err
			}
			if w.Effects[id], err = tx.Effects(id); err != nil {
				return err
			}
			if w.Pages[id], err = tx.Pages(id); err != nil {
				return err
			}
			for _, p := range w.Pages[id] {
				byPager, err := tx.PageByPagerID(p.PagerID)
				if err != nil {
					return err
				}
				w.PageByPager[p.PagerID] = byPager.ID
			}
			if w.Runs[id], err = tx.Runs(id); err != nil {
				return err
			}
			if w.Followups[id], err = tx.Followups(id); err != nil {
				return err
			}
		}
		if w.OpenIssues, err = tx.OpenFollowupIssues(); err != nil {
			return err
		}
		for _, st := range stepStates {
			if w.Steps[st], err = tx.StepsInState(st); err != nil {
				return err
			}
		}
		if w.Recent, err = tx.RecentIncidents(100); err != nil {
			return err
		}
		if w.Counts, err = tx.CountIncidents(); err != nil {
			return err
		}
		if w.NextNumber, err = tx.NextIncidentNumber(); err != nil {
			return err
		}
		if w.NextDue, err = tx.NextEffectDue(); err != nil {
			return err
		}
		for _, key := range reminders {
			if w.Reminders[key], err = tx.ReminderPosted(key); err != nil {
				return err
			}
		}
		return nil
	})
	rollback := fmt.Errorf("read only")
	err := s.Update(ctx, func(tx incident.Tx) error {
		for _, key := range seen {
			fresh, err := tx.MarkSeen(key, t0)
			if err != nil {
				return err
			}
			w.SeenKeys[key] = fresh
		}
		return rollback
	})
	if err != rollback {
		t.Fatalf("look up the seen keys: %v", err)
	}
	return w
}

// sourceKeys lists the keys of a table of the SQLite database at path.
func sourceKeys(t *testing.T, path, table string) []string {
	t.Helper()
	db, err := openSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT key FROM ` + table + ` ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// The database of the last release, with a claimed effect, a drill reminder and a filed
// follow-up added by this binary, migrates into PostgreSQL: every row is counted, the
// Store port reads the same incidents, events, effects, pages, runs and follow-ups from
// both, every chain verifies on the copy, and the bot goes on there: the next incident gets
// the next number and a fresh id, new events chain onto the copied ones, new effects,
// pages and follow-ups take ids after the copied ones.
func TestMigrateTheLastRelease(t *testing.T) {
	spIncident := incident.StatusPageIncident{IncidentID: 3, ID: "p31zjtct2jer", URL: "http://stspg.io/803310a12",
		Status: incident.PublicMonitoring, UpdatedAt: t0}
	path := loadRelease(t)
	src := openSQLite(t, path) // migrates it from version 15: the effects get their claim columns
	update(t, src, func(tx incident.Tx) error {
		if err := tx.MarkReminderPosted("regional-failover:2026-Q4", t0); err != nil {
			return err
		}
		if err := tx.SaveStatusPageIncident(&spIncident); err != nil {
			return err
		}
		e := &incident.Effect{IncidentID: 2, Kind: incident.EffectKind("post"), Key: "storecopy:claimed", Lane: "incident:2", LaneRank: 1,
			Payload: incident.EffectPayload{Text: "claimed — “quotes” 🔥"}, State: incident.EffectPending, NextAttemptAt: t0, CreatedAt: t0}
		if _, err := tx.Enqueue(e); err != nil {
			return err
		}
		f := &incident.Followup{IncidentID: 3, Text: "rotate the keys", CreatedBy: "U0ALICE", CreatedAt: t0}
		if err := tx.InsertFollowup(f); err != nil {
			return err
		}
		return tx.SetFollowupIssue(f.ID, incident.IssueRef{Number: 77, URL: "https://github.com/nephoran/incidents/issues/77"})
	})
	var claimed []incident.Effect
	update(t, src, func(tx incident.Tx) (err error) {
		claimed, err = tx.ClaimEffects(t0.Add(time.Hour), 100, time.Minute)
		return err
	})
	if len(claimed) == 0 {
		t.Fatal("claimed no effect in the source")
	}
	src.Close()

	url := pgtest.New(t)
	rep := migrate(t, path, url)
	if rep.SchemaBefore != SQLiteSchema {
		t.Errorf("schema before: %d, want %d (opened once already)", rep.SchemaBefore, SQLiteSchema)
	}
	want := map[string]int64{"incidents": 4, "incident_roles": 14, "incident_services": 4, "timeline_events": 425, "effects": 548,
		"seen": 69, "pages": 16, "runs": 2, "run_steps": 32, "followups": 5, "drill_reminders": 1,
		"statuspage_incidents": 1}
	for _, c := range rep.Counts {
		if c.Rows != want[c.Table] {
			t.Errorf("copied %d rows of %s, want %d", c.Rows, c.Table, want[c.Table])
		}
	}
	if len(rep.Counts) != len(want) {
		t.Errorf("copied %d tables, want %d: %+v", len(rep.Counts), len(want), rep.Counts)
	}
	if s := rep.Summary(); !strings.HasPrefix(s, "4 incidents, 14 roles, 4 services, 425 events, 548 effects") {
		t.Errorf("summary: %s", s)
	}
	counts := rowCounts(t, url)
	for table, n := range want {
		if counts[table] != n {
			t.Errorf("PostgreSQL holds %d rows of %s, want %d", counts[table], table, n)
		}
	}

	wantSequencesAtMax(t, url)

	src = openSQLite(t, path)
	dst := openPostgres(t, url)
	seen, reminders := sourceKeys(t, path, "seen"), sourceKeys(t, path, "drill_reminders")
	before := readWorld(t, src, seen, reminders)
	after := readWorld(t, dst, seen, reminders)
	view(t, dst, func(tx incident.Tx) error {
		got, err := tx.StatusPageIncident(spIncident.IncidentID)
		if err != nil {
			return err
		}
		if *got != spIncident {
			t.Errorf("the status page incident copied as %+v, want %+v", *got, spIncident)
		}
		return nil
	})
	for _, d := range storetest.Diff(before, after) {
		t.Errorf("SQLite and the copy differ: %s", d)
	}
	for id, evs := range after.Events {
		if b := incident.VerifyChain(evs); b != nil || len(evs) == 0 {
			t.Errorf("incident %d on PostgreSQL: %d events, broken: %+v", id, len(evs), b)
		}
	}
	inflight := 0
	for _, effs := range after.Effects {
		for _, e := range effs {
			if e.State == incident.EffectInflight && e.Claim > 0 && !e.ClaimedUntil.IsZero() {
				inflight++
			}
		}
	}
	if inflight != len(claimed) {
		t.Errorf("%d claimed effects on PostgreSQL, want %d", inflight, len(claimed))
	}
	filed := false
	for _, f := range after.OpenIssues {
		filed = filed || f.IssueNumber == 77
	}
	if !filed || !after.Reminders["regional-failover:2026-Q4"] || len(seen) != 69 || after.SeenKeys[seen[0]] {
		t.Errorf("open issues %+v, reminders %v, seen %d (fresh on PostgreSQL: %v)", after.OpenIssues, after.Reminders, len(seen), after.SeenKeys[seen[0]])
	}

	goesOn(t, dst, before)
}

// goesOn declares an incident and writes to a copied one on the copy, and checks that each
// new row gets the next number or a fresh id and that the chains go on verifying.
func goesOn(t *testing.T, dst incident.Store, before *world) {
	t.Helper()
	var lastEvent, lastEffect, lastFollowup int64
	for id := range before.Incidents {
		lastEvent = max(lastEvent, before.LastEvents[id].ID)
		for _, e := range before.Effects[id] {
			lastEffect = max(lastEffect, e.ID)
		}
		for _, f := range before.Followups[id] {
			lastFollowup = max(lastFollowup, f.ID)
		}
	}
	svc := incident.NewService(incident.ServiceConfig{Store: dst})
	inc, err := svc.Declare(ctx, incident.DeclareRequest{Actor: "U0ALICE", Title: "after the move", Severity: incident.P2})
	if err != nil {
		t.Fatalf("declare on the copy: %v", err)
	}
	if inc.Number != 5 || inc.ID != 5 {
		t.Errorf("the incident declared on the copy: number %d, id %d, want 5 and 5", inc.Number, inc.ID)
	}
	old := before.Incidents[2]
	if _, err := svc.AddNote(ctx, "U0BOB", old.ChannelID, "written on PostgreSQL"); err != nil {
		t.Fatalf("a note on a copied incident: %v", err)
	}
	if err := dst.Update(ctx, func(tx incident.Tx) error {
		if err := tx.InsertFollowup(&incident.Followup{IncidentID: 2, Text: "new", CreatedBy: "U0BOB", CreatedAt: t0}); err != nil {
			return err
		}
		inc, err := tx.Incident(2)
		if err != nil {
			return err
		}
		inc.Services = append(inc.Services, "analytics")
		return tx.UpdateIncident(inc)
	}); err != nil {
		t.Fatalf("a follow-up and a service on a copied incident: %v", err)
	}
	now := readWorld(t, dst, nil, nil)
	for _, id := range []int64{2, inc.ID} {
		evs := now.Events[id]
		if b := incident.VerifyChain(evs); b != nil {
			t.Errorf("incident %d after new events: broken at #%d: %s", id, b.Event.Seq, b.Reason)
		}
	}
	evs := now.Events[2]
	if n, last := len(evs), evs[len(evs)-1]; n != len(before.Events[2])+1 || last.Kind != incident.EventNote || last.ID <= lastEvent {
		t.Errorf("incident 2 after a note: %d events, last %s id %d (the copy's last id %d)", n, last.Kind, last.ID, lastEvent)
	}
	for _, e := range now.Events[inc.ID] {
		if e.ID <= lastEvent {
			t.Errorf("a new event took id %d, not after the copied ones (%d)", e.ID, lastEvent)
		}
	}
	if len(now.Effects[inc.ID]) == 0 {
		t.Error("the declaration enqueued no effect")
	}
	for _, e := range now.Effects[inc.ID] {
		if e.ID <= lastEffect {
			t.Errorf("a new effect took id %d, not after the copied ones (%d)", e.ID, lastEffect)
		}
	}
	// The services keep the order they were added in: the new one after the copied ones.
	if got, want := strings.Join(now.Incidents[2].Services, ","), strings.Join(old.Services, ",")+",analytics"; got != want || len(old.Services) != 2 {
		t.Errorf("incident 2's services after adding one: %s, want %s", got, want)
	}
	fs := now.Followups[2]
	if f := fs[len(fs)-1]; f.Text != "new" || f.ID <= lastFollowup {
		t.Errorf("the new follow-up: %q id %d (the copy's last id %d)", f.Text, f.ID, lastFollowup)
	}
}

// wantSequencesAtMax fails the test unless every identity column's sequence stands at the
// highest value copied (so nextval gives the one after it).
func wantSequencesAtMax(t *testing.T, url string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name::text, column_name::text FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type ident struct{ table, column string }
	var idents []ident
	for rows.Next() {
		var i ident
		if err := rows.Scan(&i.table, &i.column); err != nil {
			t.Fatal(err)
		}
		idents = append(idents, i)
	}
	rows.Close()
	if len(idents) != 10 {
		t.Errorf("PostgreSQL has %d identity columns, want 10: %v", len(idents), idents)
	}
	for _, i := range idents {
		var last, top *int64
		err := conn.QueryRow(ctx, fmt.Sprintf(`SELECT pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass), (SELECT max(%s) FROM %s)`,
			i.column, i.table), i.table, i.column).Scan(&last, &top)
		if err != nil {
			t.Fatal(err)
		}
		if top == nil || last == nil || *last != *top {
			t.Errorf("the sequence of %s.%s stands at %v, the highest value copied is %v", i.table, i.column, deref(last), deref(top))
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return "NULL"
	}
	return *p
}
