package incident_test

import (
	"context"
	"testing"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// world is a testenv.System with short names for these tests.
type world struct {
	sys    *testenv.System
	t      *testing.T
	ctx    context.Context
	db     *sqlite.DB
	slack  *testenv.Slack
	clock  *testenv.Clock
	svc    *incident.Service
	outbox *incident.Outbox
}

func newWorld(t *testing.T, opts ...testenv.Option) *world {
	s := testenv.NewSystem(t, opts...)
	return &world{sys: s, t: t, ctx: s.Ctx, db: s.DB, slack: s.Slack, clock: s.Clock, svc: s.Service, outbox: s.Outbox}
}

func (w *world) deliver() int                             { return w.sys.Deliver() }
func (w *world) incident(id int64) *incident.Incident     { return w.sys.Incident(id) }
func (w *world) effects(id int64) []incident.Effect       { return w.sys.Effects(id) }
func (w *world) events(id int64) []incident.TimelineEvent { return w.sys.Events(id) }

func (w *world) declare(title string, sev incident.Severity, service string) *incident.Incident {
	w.t.Helper()
	inc, err := w.svc.Declare(w.ctx, incident.DeclareRequest{Actor: "U0ALICE", Title: title, Severity: sev, Service: service})
	if err != nil {
		w.t.Fatal(err)
	}
	return inc
}

func kinds(evs []incident.TimelineEvent) map[incident.EventKind]int {
	m := map[incident.EventKind]int{}
	for _, e := range evs {
		m[e.Kind]++
	}
	return m
}

// eventText is an event as Slack's timeline says it.
func eventText(e incident.TimelineEvent) string { return views.EventText(e) }
