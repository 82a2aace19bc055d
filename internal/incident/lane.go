package incident

import "fmt"

// Lanes keep the order of what people read. Slack shows messages in the order they arrive,
// and the outbox delivers effects in parallel and retries each on its own schedule, so two
// posts to one channel could land in either order. Effects in one lane are delivered one at
// a time, in the order they were committed (the incident card before anything else in its
// channel), whatever retries, rate limits or outages happen meanwhile. Effects outside any
// lane (edits, pins, pages, timers) still run in parallel.

// laneOf returns the lane of an effect ("" for none) and its rank in the lane: lower ranks
// go first, then the order of commit.
func laneOf(incidentID int64, kind EffectKind, p EffectPayload) (lane string, rank int) {
	switch kind {
	case EffectCreateChannel, EffectPostCard:
		// The channel, then its card, then everything else posted in it: a post claimed
		// while the channel was being created cannot overtake the card.
		return incidentLane(incidentID), 0
	case EffectPost, EffectPostRunCard, EffectPostStepCard:
		return incidentLane(incidentID), 1
	case EffectAnnounce:
		return "channel:" + p.Channel, 1 // several incidents announce in one channel
	case EffectFileReview:
		// One filing at a time: a refresh asked for while the first filing is in flight
		// runs after it, and updates the issue it made instead of filing a second one.
		return fmt.Sprintf("review:%d", incidentID), 1
	}
	return "", 0
}

func incidentLane(id int64) string { return fmt.Sprintf("incident:%d", id) }
