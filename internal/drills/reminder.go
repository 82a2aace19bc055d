package drills

import (
	"context"
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Reminder posts, in Channel, a reminder for each schedule entry at the start of each of its
// periods. A reminder is recorded once posted; one whose recording a crash interrupted is
// found in the channel by its idempotency key, so none is posted twice. With several
// replicas, Tick runs as the singleton duty incident.DutyDrillReminders: one replica at a
// time, or two could both find a reminder unposted and post it.
type Reminder struct {
	Store    incident.Store
	Chat     incident.Chat
	Clock    incident.Clock
	Channel  string
	Schedule []Entry
}

// Tick posts the reminders due now and returns how many it posted.
func (r *Reminder) Tick(ctx context.Context) (int, error) {
	now := r.Clock.Now()
	posted := 0
	for _, e := range r.Schedule {
		period, err := Period(e.Every, now)
		if err != nil {
			return posted, err
		}
		key := "drill-reminder:" + e.Name + ":" + period
		var done bool
		if err := r.Store.View(ctx, func(tx incident.Tx) (err error) { done, err = tx.ReminderPosted(key); return err }); err != nil {
			return posted, err
		}
		if done {
			continue
		}
		_, found, err := r.Chat.FindPosted(ctx, r.Channel, key)
		if err != nil {
			return posted, fmt.Errorf("drill reminder %s: %w", key, err)
		}
		if !found {
			if _, err := r.Chat.Post(ctx, r.Channel, incident.Message{Key: key, Text: Text(e, period)}); err != nil {
				return posted, fmt.Errorf("drill reminder %s: %w", key, err)
			}
			posted++
		}
		if err := r.Store.Update(ctx, func(tx incident.Tx) error { return tx.MarkReminderPosted(key, now) }); err != nil {
			return posted, err
		}
	}
	return posted, nil
}

// Text is the reminder for entry e in period.
func Text(e Entry, period string) string {
	return fmt.Sprintf(":test_tube: *Drill due: %s* (%s, %s)\nScope: %s. Duration: %s. Success: %s.\nRun it with `/incident drill %s`; it pages nobody and changes nothing real.",
		e.Title, e.Every, period, e.Scope, e.Duration, e.Criteria, e.Playbook)
}
