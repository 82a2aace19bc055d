package incident

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Alert storms. A PagerDuty incident triggered on a service that already has an open
// incident, declared at most Settings.JoinWindow ago, joins it instead of declaring one:
//
//   - the service is the catalog's service whose pagerduty_service is the PagerDuty
//     incident's, and the open incident is one that affects it (its service or one added
//     later), however it was declared; drills are never joined. A PagerDuty service no
//     service of the catalog names declares nothing (it is ignored, as before), so it joins
//     nothing either;
//   - the PagerDuty incident is linked as a page of the incident (key JoinedKey), so a
//     redelivery, or the same PagerDuty incident triggered again, finds it by its
//     PagerDuty ID and changes nothing; its acknowledgement and resolution in PagerDuty are
//     recorded on the incident (never declare, never resolve it), and resolving the incident
//     resolves it in PagerDuty with the bot's pages;
//   - the timeline gets a pager_joined event per alert; the channel is told at most once
//     per JoinNoticeEvery, how many joined in that window (a timer per window).
//
// On PostgreSQL the lookup of the open incident waits for every other transaction that may
// declare one (OpenIncidentOf), so two triggers of one service on two replicas at once
// open one incident, not two; SQLite has one writer.

// JoinNoticeEvery is how often, at most, the channel is told of the alerts that joined.
const JoinNoticeEvery = 5 * time.Second

// joinedKeyPrefix starts the key of every page that links a joined PagerDuty incident.
const joinedKeyPrefix = "pagerduty-joined/"

// JoinedKey is the key of the page that links PagerDuty incident pagerID to the incident it
// joined.
func JoinedKey(pagerID string) string { return joinedKeyPrefix + pagerID }

// Joined reports whether p links a PagerDuty incident that joined the incident (an alert
// of a storm) rather than a page the bot sent.
func (p Page) Joined() bool { return strings.HasPrefix(p.Key, joinedKeyPrefix) }

// joinTimer names the timer that tells the channel of a window's joined alerts.
const joinTimer = "joined"

// pagerJoin links the PagerDuty incident of ev to inc, the open incident of svc: a page,
// a pager_joined event, and the timer of the current window's notice.
func (s *Service) pagerJoin(tx Tx, ev PagerEvent, svc ServiceInfo, inc *Incident, now time.Time) error {
	pi := ev.Incident
	c := &change{tx: tx, inc: inc, now: now}
	page := &Page{IncidentID: inc.ID, Key: JoinedKey(pi.ID), PagerID: pi.ID, URL: pi.URL, Status: "triggered", CreatedAt: c.stamp()}
	if err := tx.InsertPage(page); err != nil {
		return err
	}
	d := EventData{Title: pagerTitle(pi), Service: svc.Name, Severity: s.settings.PagerSeverity.Severity(pi),
		Pager: &PagerRef{ID: pi.ID, Number: pi.Number, URL: pi.URL, Priority: pi.Priority, Urgency: pi.Urgency}}
	if err := c.event(BotActor, EventPagerJoined, d); err != nil {
		return err
	}
	for _, f := range pagerBookmark(pi.URL) {
		if err := c.enqueue(f.kind, f.discriminator, f.payload); err != nil {
			return err
		}
	}
	window := noticeWindow(c.now)
	return c.enqueueAt(EffectTimer, fmt.Sprintf("joined-%d", window.UnixMilli()), EffectPayload{Timer: joinTimer}, window.Add(JoinNoticeEvery))
}

// noticeWindow is the start of the notice window t falls in.
func noticeWindow(t time.Time) time.Time { return t.UTC().Truncate(JoinNoticeEvery) }

// joinedTimer tells the channel how many alerts joined in the timer's window (the one it
// was created in), and how many in all. It counts in the transaction that records it, from
// the pages, so the count is what is committed.
func (o *Outbox) joinedTimer(_ context.Context, inc *Incident, e *Effect) (result, error) {
	start := noticeWindow(e.CreatedAt)
	return result{more: func(c *change) error {
		pages, err := c.tx.Pages(inc.ID)
		if err != nil {
			return err
		}
		inWindow, all := 0, 0
		for _, p := range pages {
			if !p.Joined() {
				continue
			}
			all++
			if !p.CreatedAt.Before(start) && p.CreatedAt.Before(start.Add(JoinNoticeEvery)) {
				inWindow++
			}
		}
		if inWindow == 0 {
			return nil
		}
		if err := c.event(BotActor, EventPagerJoined, EventData{How: JoinedNotice, Count: inWindow, Number: all, Duration: JoinNoticeEvery}); err != nil {
			return err
		}
		return c.tell()
	}}, nil
}
