package words

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

// What people put on the timeline, follow-ups and the review.
func init() {
	phrases[incident.EventCaptured] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		b := say(`"`, chat(d.Text), `" (from `, actor(e))
		if !d.When.IsZero() {
			b.add(" written " + incident.FormatTime(d.When))
		}
		b.add(", " + d.How)
		if len(d.Users) > 0 {
			b.add(" by ", person(d.Users[0]))
		}
		b.add(")")
		if d.URL != "" {
			b.add(" ", link(d.URL, ""))
		}
		return b.sentence()
	}
	phrases[incident.EventCorrection] = func(e incident.TimelineEvent) Sentence {
		return say(fmt.Sprintf("Correction of #%d by ", e.Data.Number), actor(e), ": ", chat(e.Data.Text), " (the original stays above)").sentence()
	}
	phrases[incident.EventFollowup] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		b := say(actor(e), fmt.Sprintf(" added follow-up #%d: ", d.Number), chat(d.Text))
		if len(d.Users) > 0 {
			b.add(" (owner ", person(d.Users[0]), ")")
		}
		return b.sentence()
	}
	phrases[incident.EventFollowupDone] = func(e incident.TimelineEvent) Sentence {
		d := e.Data
		if d.How == incident.FollowupClosedOnTracker {
			by := "someone"
			if len(d.Others) > 0 {
				by = d.Others[0]
			}
			return say(fmt.Sprintf("Follow-up #%d closed on GitHub by %s as %s: ", d.Number, by, d.Outcome), chat(d.Text),
				fmt.Sprintf(" (issue #%d)", d.Count)).sentence()
		}
		return say(actor(e), fmt.Sprintf(" completed follow-up #%d: ", d.Number), chat(d.Text),
			fmt.Sprintf(" (%s after it was added)", incident.FormatDuration(d.Duration))).sentence()
	}
	phrases[incident.EventReviewRequested] = func(e incident.TimelineEvent) Sentence {
		return say(actor(e), " asked for the post-incident review").sentence()
	}
	phrases[incident.EventReviewFiled] = reviewFiled
	notices[incident.EventReviewFiled] = func(e incident.TimelineEvent, _ *incident.Incident) Sentence {
		return withIcon(reviewFiled(e), IconMemo)
	}
}

func reviewFiled(e incident.TimelineEvent) Sentence {
	d := e.Data
	switch d.How {
	case incident.ReviewUpdated:
		return say("Post-incident review updated: ", link(d.URL, "")).sentence()
	case incident.ReviewFollowupFiled:
		return say(fmt.Sprintf("Follow-up #%d filed: ", d.Number), link(d.URL, "")).sentence()
	case incident.ReviewFollowupClosed:
		return say(fmt.Sprintf("Closed the issue of follow-up #%d: ", d.Number), link(d.URL, "")).sentence()
	case incident.ReviewAnchorAdded:
		return say(fmt.Sprintf("Added the timeline anchor of #%d (%d events) to the review: ", d.Number, d.Count), link(d.URL, "")).sentence()
	}
	return say("Post-incident review filed: ", link(d.URL, "")).sentence()
}
