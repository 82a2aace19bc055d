package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func ledgerCases() []testCase {
	return []testCase{
		{"MarkSeenIsTrueOnce", markSeenIsTrueOnce},
		{"MarkSeenRemembersForAWeek", markSeenRemembersForAWeek},
		{"RemindersAreKeptForGood", remindersAreKeptForGood},
	}
}

func markSeen(t *testing.T, s incident.Store, key string, when time.Time) bool {
	t.Helper()
	var fresh bool
	update(t, s, func(tx incident.Tx) (err error) { fresh, err = tx.MarkSeen(key, when); return err })
	return fresh
}

// MarkSeen reports true the first time it records a key and false every time after, in
// later transactions and in the same one; keys are independent.
func markSeenIsTrueOnce(t *testing.T, s incident.Store) {
	if !markSeen(t, s, "Ev0001", t0) {
		t.Error("MarkSeen of a new key = false")
	}
	if markSeen(t, s, "Ev0001", t0) {
		t.Error("MarkSeen of a key seen = true")
	}
	if !markSeen(t, s, "Ev0002", t0) || !markSeen(t, s, "pagerduty-event:Ev0001", t0) {
		t.Error("MarkSeen of other keys = false")
	}
	update(t, s, func(tx incident.Tx) error {
		for i, want := range []bool{true, false, false} {
			fresh, err := tx.MarkSeen("capture:C0INC:1772600767.000100", t0)
			if err != nil {
				return err
			}
			if fresh != want {
				t.Errorf("MarkSeen #%d of a key in one transaction = %v, want %v", i+1, fresh, want)
			}
		}
		return nil
	})
}

// A key seen stays seen for at least a week (the window of Slack and PagerDuty
// redeliveries), whatever keys are marked meanwhile.
func markSeenRemembersForAWeek(t *testing.T, s incident.Store) {
	markSeen(t, s, "Ev0001", t0)
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 7*24*time.Hour - time.Minute} {
		markSeen(t, s, "other-"+d.String(), at(d))
		if markSeen(t, s, "Ev0001", at(d)) {
			t.Errorf("a key seen %s ago is new again", d)
		}
	}
}

// ReminderPosted says whether MarkReminderPosted recorded a key, for good (long after the
// seen ledger forgot its keys); marking twice is no error; the two ledgers are separate.
func remindersAreKeptForGood(t *testing.T, s incident.Store) {
	posted := func(key string) bool {
		t.Helper()
		var ok bool
		view(t, s, func(tx incident.Tx) (err error) { ok, err = tx.ReminderPosted(key); return err })
		return ok
	}
	if posted("regional-failover:2026-Q1") {
		t.Error("ReminderPosted of a key never marked = true")
	}
	update(t, s, func(tx incident.Tx) error { return tx.MarkReminderPosted("regional-failover:2026-Q1", t0) })
	update(t, s, func(tx incident.Tx) error { return tx.MarkReminderPosted("regional-failover:2026-Q1", at(time.Hour)) })
	if !posted("regional-failover:2026-Q1") {
		t.Error("ReminderPosted of a key marked = false")
	}
	if posted("regional-failover:2026-Q2") {
		t.Error("ReminderPosted of another key = true")
	}
	markSeen(t, s, "seen-only", t0)
	if posted("seen-only") {
		t.Error("a key marked seen reads as a reminder posted")
	}
	if !markSeen(t, s, "regional-failover:2026-Q1", t0) {
		t.Error("a reminder key is taken in the seen ledger")
	}
	markSeen(t, s, "a year later", at(365*24*time.Hour)) // the seen ledger may forget now
	if !posted("regional-failover:2026-Q1") {
		t.Error("a reminder posted a year ago is forgotten")
	}
}
