package postgres_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// update and view run fn and fail the test on an error.
func update(t *testing.T, s incident.Store, fn func(incident.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func view(t *testing.T, s incident.Store, fn func(incident.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// Every stored field of an incident reads back as written, by ID, channel and PagerDuty ID;
// lookups of nothing are ENOTFOUND.
func TestIncidentsRoundTrip(t *testing.T) {
	db, _ := MustOpenDB(t)
	inc := &incident.Incident{Number: 7, Title: "api down", Description: "500s", Severity: incident.P0, Service: "api",
		Tier: 1, Services: []string{"api", "auth"}, Status: incident.StatusMitigated, Private: true, Drill: true,
		DeclaredBy: "U1", Commander: "U2", Roles: map[incident.Role]incident.RoleState{incident.RoleTechnicalLead: {Holder: "U3", OnCall: "U4"}},
		OriginChannel: "C0GEN", ChannelID: "C0INC", ChannelName: "inc-7-api-down", CardTS: "1.2",
		DeclaredAt: t0, MitigatedAt: t0.Add(time.Minute), Summary: "rolled back", PagerDutyID: "PD1", PagerDutyURL: "https://pd/1",
		AckedAt: t0.Add(30 * time.Second), AckedBy: "Ann", Impact: map[string]int{"large": 40},
		Comms: map[string]time.Time{"customers": t0.Add(2 * time.Minute)}, ReviewNumber: 12, ReviewURL: "https://gh/12",
		ReviewFiledAt: t0.Add(time.Hour), RPOAchieved: 1500 * time.Millisecond}
	update(t, db, func(tx incident.Tx) error { return tx.CreateIncident(inc) })
	if inc.ID == 0 {
		t.Fatal("CreateIncident set no ID")
	}
	view(t, db, func(tx incident.Tx) error {
		for name, get := range map[string]func() (*incident.Incident, error){
			"by ID":        func() (*incident.Incident, error) { return tx.Incident(inc.ID) },
			"by channel":   func() (*incident.Incident, error) { return tx.IncidentByChannel("C0INC") },
			"by PagerDuty": func() (*incident.Incident, error) { return tx.IncidentByPagerDutyID("PD1") },
		} {
			got, err := get()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !reflect.DeepEqual(got, inc) {
				t.Errorf("%s:\n got %+v\nwant %+v", name, got, inc)
			}
		}
		for name, err := range map[string]error{
			"ID":           second(tx.Incident(999)),
			"channel":      second(tx.IncidentByChannel("C0NONE")),
			"no channel":   second(tx.IncidentByChannel("")),
			"PagerDuty ID": second(tx.IncidentByPagerDutyID("PD9")),
		} {
			if incident.ErrorCode(err) != incident.ENOTFOUND {
				t.Errorf("no incident by %s: %v, want ENOTFOUND", name, err)
			}
		}
		return nil
	})

	// An update stores every field; services are only added; an unrecorded RPO stays -1.
	inc.Status, inc.ResolvedAt, inc.Services, inc.RPOAchieved = incident.StatusResolved, t0.Add(3*time.Hour), []string{"api", "auth", "db"}, -1
	inc.Roles[incident.RoleCommunications] = incident.RoleState{Holder: "U5"}
	update(t, db, func(tx incident.Tx) error { return tx.UpdateIncident(inc) })
	view(t, db, func(tx incident.Tx) error {
		got, err := tx.Incident(inc.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, inc) {
			t.Errorf("after update:\n got %+v\nwant %+v", got, inc)
		}
		return nil
	})
}

func second[T any](_ T, err error) error { return err }

// The listing queries: IDs, IDs since a time, recent incidents and counts.
func TestIncidentLists(t *testing.T) {
	db, _ := MustOpenDB(t)
	var ids []int64
	update(t, db, func(tx incident.Tx) error {
		for i, st := range []incident.Status{incident.StatusResolved, incident.StatusResolved, incident.StatusInvestigating, incident.StatusResolved} {
			inc := newIncident(i + 1)
			inc.Status, inc.DeclaredAt = st, t0.Add(time.Duration(i)*24*time.Hour)
			if i == 3 {
				inc.Severity = incident.P2
			}
			if err := tx.CreateIncident(inc); err != nil {
				return err
			}
			ids = append(ids, inc.ID)
		}
		return nil
	})
	view(t, db, func(tx incident.Tx) error {
		all, err := tx.IncidentIDs()
		if err != nil || !reflect.DeepEqual(all, ids) {
			t.Errorf("IncidentIDs %v (%v), want %v", all, err, ids)
		}
		since, err := tx.IncidentIDsSince(t0.Add(24 * time.Hour))
		if err != nil || !reflect.DeepEqual(since, ids[1:]) {
			t.Errorf("IncidentIDsSince a day later: %v (%v), want %v", since, err, ids[1:])
		}
		if zero, err := tx.IncidentIDsSince(time.Time{}); err != nil || len(zero) != 4 {
			t.Errorf("IncidentIDsSince the zero time: %v (%v), want all", zero, err)
		}
		recent, err := tx.RecentIncidents(2)
		var got []int64
		for _, inc := range recent {
			got = append(got, inc.ID)
		}
		if want := []int64{ids[3], ids[2], ids[1]}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("RecentIncidents(2) %v (%v), want the open one and the 2 latest resolved, newest first: %v", got, err, want)
		}
		counts, err := tx.CountIncidents()
		want := map[[2]string]int{{"resolved", "P1"}: 2, {"resolved", "P2"}: 1, {"investigating", "P1"}: 1}
		if err != nil || !reflect.DeepEqual(counts, want) {
			t.Errorf("CountIncidents %v (%v), want %v", counts, err, want)
		}
		if n, err := tx.NextIncidentNumber(); err != nil || n != 5 {
			t.Errorf("NextIncidentNumber in a view: %d (%v), want 5", n, err)
		}
		return nil
	})
}

// A view cannot write.
func TestViewIsReadOnly(t *testing.T) {
	db, _ := MustOpenDB(t)
	err := db.View(context.Background(), func(tx incident.Tx) error { return tx.CreateIncident(newIncident(1)) })
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("a write in a view: %v", err)
	}
}

// Events: the last, one by number, all in order; times to the millisecond as written.
func TestEventsRoundTrip(t *testing.T) {
	db, _ := MustOpenDB(t)
	inc := newIncident(1)
	var written []incident.TimelineEvent
	update(t, db, func(tx incident.Tx) error {
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		if last, err := tx.LastEvent(inc.ID); err != nil || last != nil {
			t.Errorf("LastEvent of a new incident: %v, %v", last, err)
		}
		old := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U1", Kind: incident.EventDeclared, Format: incident.FormatText, Text: "*declared* P1"}
		old.Chain(nil, t0)
		if err := tx.InsertEvent(old); err != nil {
			return err
		}
		written = append(written, *old)
		for i := range 3 {
			prev := &written[len(written)-1]
			e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U2", Kind: incident.EventNote, Data: incident.EventData{Text: "n", Users: []string{"U3"}}}
			e.Chain(prev, t0.Add(time.Duration(i+1)*time.Second+123456*time.Nanosecond))
			if err := tx.InsertEvent(e); err != nil {
				return err
			}
			written = append(written, *e)
		}
		return nil
	})
	view(t, db, func(tx incident.Tx) error {
		evs, err := tx.Events(inc.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(evs, written) {
			t.Errorf("Events:\n got %+v\nwant %+v", evs, written)
		}
		if b := incident.VerifyChain(evs); b != nil {
			t.Errorf("chain breaks at %d: %s", b.Event.Seq, b.Reason)
		}
		last, err := tx.LastEvent(inc.ID)
		if err != nil || !reflect.DeepEqual(*last, written[3]) {
			t.Errorf("LastEvent %+v (%v)", last, err)
		}
		e, err := tx.Event(inc.ID, 1)
		if err != nil || e.Format != incident.FormatText || e.Text != "*declared* P1" || e.Hash != written[0].Hash {
			t.Errorf("Event 1: %+v (%v)", e, err)
		}
		if _, err := tx.Event(inc.ID, 9); incident.ErrorCode(err) != incident.ENOTFOUND {
			t.Errorf("Event 9: %v, want ENOTFOUND", err)
		}
		return nil
	})
	// A second event with a taken sequence number fails loudly.
	err := db.Update(context.Background(), func(tx incident.Tx) error {
		dup := written[3]
		return tx.InsertEvent(&dup)
	})
	if err == nil {
		t.Error("an event with a taken sequence number was stored")
	}
}
