// Package storetest is the conformance suite of incident.Store: one set of named subtests
// that every backend (SQLite, PostgreSQL) passes, through the port only. It pins down what
// the domain relies on: lookups that say ENOTFOUND, fields that round-trip exactly, gapless
// incident numbers, the outbox's claims (tokens, deadlines, takeovers, fencing) and lanes,
// follow-ups closed once, and transactions that commit entirely or not at all, one writer
// at a time.
//
// A backend's test calls Run with a function that opens a fresh, empty, migrated store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) incident.Store { return mustOpen(t) })
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Opener opens a fresh, empty, migrated store for one subtest; it closes it in t.Cleanup.
type Opener func(t *testing.T) incident.Store

// group is a named set of cases; each case gets its own store.
type group struct {
	name  string
	cases []testCase
}

// testCase is one subtest: what it pins down is its name and its doc comment.
type testCase struct {
	name string
	fn   func(t *testing.T, s incident.Store)
}

// Run runs the whole suite against the stores open makes, one fresh store per subtest.
// The subtests are named Group/Case, such as Effects/LaneHeadOnly, so a backend can run one
// with -run.
func Run(t *testing.T, open Opener) {
	t.Helper()
	for _, g := range groups() {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
			}
		})
	}
}

func groups() []group {
	return []group{
		{"Incidents", incidentCases()},
		{"Timeline", timelineCases()},
		{"EventWindows", eventWindowCases()},
		{"Effects", effectCases()},
		{"Lanes", laneCases()},
		{"Claims", claimCases()},
		{"Priority", priorityCases()},
		{"Supersede", supersedeCases()},
		{"Pages", pageCases()},
		{"Joins", joinCases()},
		{"Followups", followupCases()},
		{"Ledger", ledgerCases()},
		{"Runs", runCases()},
		{"Approvals", approvalCases()},
		{"Undo", undoCases()},
		{"Transactions", txCases()},
		{"Listing", listingCases()},
		{"Stats", statsCases()},
		{"Live", liveCases()},
		{"MeasuredRPO", measuredRPOCases()},
		{"Lookups", lookupCases()},
		{"StatusPage", statusPageCases()},
		{"Outages", outageCases()},
	}
}

// t0 is the suite's reference time: UTC, to the millisecond, as the domain stamps.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

var ctx = context.Background()

// update runs fn in one write transaction and fails the test if it fails.
func update(t *testing.T, s incident.Store, fn func(tx incident.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// view runs fn in one read transaction and fails the test if it fails.
func view(t *testing.T, s incident.Store, fn func(tx incident.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatalf("view: %v", err)
	}
}

// errRollback is what a case's fn returns to roll its transaction back.
var errRollback = errors.New("storetest: roll back")

// rolledBack runs fn in a write transaction that then returns errRollback, and checks
// that Update returns that very error.
func rolledBack(t *testing.T, s incident.Store, fn func(tx incident.Tx) error) {
	t.Helper()
	err := s.Update(ctx, func(tx incident.Tx) error {
		if err := fn(tx); err != nil {
			return fmt.Errorf("before the rollback: %w", err)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("Update returned %v, want the error fn returned (%v)", err, errRollback)
	}
}

// wantCode fails the test unless err carries the domain error code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := incident.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// wantFails runs fn in its own write transaction and fails the test unless the store
// refuses it (fn's write fails, or the commit does).
func wantFails(t *testing.T, s incident.Store, what string, fn func(tx incident.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err == nil {
		t.Errorf("%s: the store accepted it, want an error", what)
	}
}

// wantNoDiff fails the test with every difference between want and got.
func wantNoDiff(t *testing.T, what string, want, got any) {
	t.Helper()
	for _, d := range Diff(want, got) {
		t.Errorf("%s: %s", what, d)
	}
}

// wantUTC fails the test for every non-zero time in v that is not in UTC.
func wantUTC(t *testing.T, what string, v any) {
	t.Helper()
	for _, p := range NonUTC(v) {
		t.Errorf("%s: %s is not in UTC", what, p)
	}
}
