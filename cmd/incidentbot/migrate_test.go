package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/storecopy"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// incidentbot migrate copies the last release's database into PostgreSQL and verifies
// the copy; a second migrate into it and a URL that is not PostgreSQL are refused; timeline
// verify passes on the copy, and serve on it answers in a migrated incident's channel,
// chains a new note onto its old timeline and numbers the next incident 5.
func TestMigrateToPostgreSQLThenServe(t *testing.T) {
	path := testenv.ReleaseDatabase(t)
	url := pgtest.New(t)
	env := []string{"PATH=/usr/bin:/bin", "INCIDENTBOT_DB=" + path}

	out, code := run(t, env, "migrate", "--to", url)
	t.Logf("incidentbot migrate --to %s:\n%s", url, out)
	for _, want := range []string{
		"migrated the SQLite database " + path + fmt.Sprintf(" from schema version 15 to %d first, as serve would", storecopy.SQLiteSchema),
		"copied 4 incidents, 14 roles, 4 services, 425 events, 547 effects, 69 seen keys, 16 pages, 2 runs, 32 run steps, 4 follow-ups, 0 drill reminders, 0 status page incidents to PostgreSQL",
		"every row compared; timeline verify: 4 incidents checked, 0 broken",
		"next: set database.url (INCIDENTBOT_DATABASE_URL)",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("migrate: exit %d, want %q in\n%s", code, want, out)
		}
	}
	if out, code := run(t, env, "migrate", "--to", url); code != 1 || !strings.Contains(out, "is not empty (effects: 547, followups: 4, incident_roles: 14") ||
		!strings.Contains(out, "(nothing was copied)") {
		t.Errorf("a second migrate: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"migrate", "--to", "mysql://root:hunter2@db/bot"}, {"migrate"}} {
		if out, code := run(t, env, args...); code != 2 || strings.Contains(out, "hunter2") {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, out)
		}
	}

	pgEnv := append(env, "INCIDENTBOT_DATABASE_URL="+url)
	if out, code := run(t, pgEnv, "timeline", "verify"); code != 0 || !strings.Contains(out, "4 incidents checked, 0 broken") || !strings.Contains(out, "INC-2: ok (203 events)") {
		t.Fatalf("timeline verify on the copy: exit %d\n%s", code, out)
	}

	// The release ran against this emulator: its channels were C0000001 to C0000010.
	emu := testenv.NewSlack()
	t.Cleanup(emu.Close)
	for i := 1; i <= 10; i++ {
		emu.AddChannel(fmt.Sprintf("old-%d", i), "U0ALICE", "U0BOB", testenv.SlackBotUser)
	}
	p := startServe(t, serveEnv(emu, path, "INCIDENTBOT_DATABASE_URL="+url))
	if got := slash(t, p, "U0BOB", "C0000006", "status"); !strings.Contains(got, "*INC-2* P1: Intent API returning 500s in us-east-1") {
		t.Errorf("status in INC-2's channel on the copy: %q", got)
	}
	slash(t, p, "U0BOB", "C0000006", "note written on PostgreSQL")
	if got := slash(t, p, "U0BOB", "C0000006", "timeline"); !strings.Contains(got, "written on PostgreSQL") {
		t.Errorf("INC-2's timeline on the copy lacks the note: %q", got)
	}
	if got := slash(t, p, "U0ALICE", "C0000001", "declare P2 after the move"); !strings.Contains(got, "Declared *INC-5*") {
		t.Errorf("declare on the copy: %q", got)
	}
	waitFor(t, "INC-5's channel", func() bool { return emu.ChannelByName("inc-5-after-the-move") != nil })
	p.kill()
	if out, code := run(t, pgEnv, "timeline", "verify"); code != 0 || !strings.Contains(out, "INC-2: ok (204 events)") ||
		!strings.Contains(out, "5 incidents checked, 0 broken") {
		t.Errorf("timeline verify after serving on the copy: exit %d\n%s", code, out)
	}
}

// migrate reads one snapshot, so it copies a consistent database even while serve writes to
// the SQLite file (the README still says to stop serve first: what serve writes after the
// snapshot is not copied).
func TestMigrateWhileServing(t *testing.T) {
	emu, general, _, env, p := startWithSlack(t)
	slash(t, p, "U0ALICE", general, "declare P2 moving day")
	waitFor(t, "the channel", func() bool {
		ch := emu.ChannelByName("inc-1-moving-day")
		return ch != nil && len(ch.Pins) == 1
	})
	url := pgtest.New(t)
	out, code := run(t, env, "migrate", "--to", url)
	if code != 0 || !strings.Contains(out, "copied 1 incidents") || !strings.Contains(out, "timeline verify: 1 incidents checked, 0 broken") {
		t.Fatalf("migrate while serving: exit %d\n%s", code, out)
	}
	if got := slash(t, p, "U0ALICE", general, "declare P3 still on SQLite"); !strings.Contains(got, "INC-2") {
		t.Errorf("serve after the migrate: %q", got)
	}
}
