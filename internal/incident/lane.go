package incident

import "fmt"

// Lanes keep the order of what people read. Slack shows messages in the order they arrive,
// and the outbox delivers effects in parallel and retries each on its own schedule, so two
// posts to one channel could land in either order. Effects in one lane are delivered one at
// a time, in the order they were committed (the incident card before anything else in its
// channel), whatever retries, rate limits or outages happen meanwhile. Effects outside any
// lane (edits, pins, pages, timers) still run in parallel.

// laneOf returns the lane of an effect ("" for none) and its rank in the lane: lower ranks
// go first, then the order of commit. effectKinds says which kinds have one.
func laneOf(incidentID int64, kind EffectKind, p EffectPayload) (lane string, rank int) {
	s := kind.spec()
	if s.lane == nil {
		return "", 0
	}
	return s.lane(incidentID, p), s.rank
}

// incidentLane orders the posts in an incident's channel.
func incidentLane(id int64, _ EffectPayload) string { return fmt.Sprintf("incident:%d", id) }

// announceLane orders the announcements in one channel, whatever their incident.
func announceLane(_ int64, p EffectPayload) string { return "channel:" + p.Channel }

// reviewLane orders the filings of an incident's review.
func reviewLane(id int64, _ EffectPayload) string { return fmt.Sprintf("review:%d", id) }

// cardLane orders the refreshes of an incident's card.
func cardLane(id int64, _ EffectPayload) string { return fmt.Sprintf("card:%d", id) }

// topicLane orders the topics set in an incident's channel.
func topicLane(id int64, _ EffectPayload) string { return fmt.Sprintf("topic:%d", id) }

// runCardLane orders the refreshes of a playbook run's card.
func runCardLane(_ int64, p EffectPayload) string { return fmt.Sprintf("run-card:%d", p.RunID) }

// stepCardLane orders the refreshes of a playbook step's card.
func stepCardLane(_ int64, p EffectPayload) string { return fmt.Sprintf("step-card:%d", p.StepID) }

// bookmarkLane orders the refreshes of one of an incident's channel bookmarks.
func bookmarkLane(id int64, p EffectPayload) string {
	return fmt.Sprintf("bookmark:%d:%s", id, p.Bookmark)
}
