package postmortem

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// MaxBody is GitHub's limit on an issue body (65,536 characters; counted here in bytes,
// which are never fewer), less room for the marker a tracker adds to a body without one.
const MaxBody = 65536 - 100

// body renders the review of d within MaxBody: with the whole timeline it was given when
// that fits, else with fewer of its first and last events (saying how many are left out
// and where to read them), and as a last resort cut at a line's end. Secrets are scrubbed
// before it is measured.
func (w *Writer) body(d incident.ReviewData) (string, error) {
	v := model(d)
	names := words.NameMap{People: d.Names, Channels: d.ChannelNames}
	all := append(shownEvents(d.Events), shownEvents(d.LaterEvents)...)
	gapAt := len(all) // where the events left out by the store are, if any
	if d.Omitted > 0 {
		gapAt = len(shownEvents(d.Events))
	}
	if d.Incident.Private {
		all = withoutTitle(all)
	}
	views := events(all, names) // one per event of all: all has no housekeeping
	head, tail := gapAt, len(all)-gapAt
	for {
		v.Timeline, v.TimelineEnd, v.TimelineGap = views[:head], views[len(all)-tail:], ""
		if d.Omitted+len(all)-head-tail > 0 {
			v.TimelineGap = gapText(d.Incident, all[:head], all[len(all)-tail:], names)
		}
		var b strings.Builder
		if err := w.tmpl.Execute(&b, v); err != nil {
			return "", fmt.Errorf("render the review: %w", err)
		}
		body := Scrub(b.String())
		if len(body) <= MaxBody {
			return body, nil
		}
		if head+tail == 0 {
			return cutBody(body), nil
		}
		head, tail = halve(head, tail, gapAt, len(all), d.Omitted > 0)
	}
}

// halve shows half as many events: as many of the first as of the last, where there are
// enough; with a gap from the store, the first come from before it and the last after it.
func halve(head, tail, gapAt, n int, gap bool) (int, int) {
	shown := (head + tail) / 2
	h := (shown + 1) / 2
	if gap {
		h = min(h, gapAt)
	}
	t := shown - h
	if gap {
		t = min(t, n-gapAt)
	}
	return h, t
}

// shownEvents are the events a review shows: the bot's housekeeping left out.
func shownEvents(evs []incident.TimelineEvent) []incident.TimelineEvent {
	out := make([]incident.TimelineEvent, 0, len(evs))
	for _, e := range evs {
		if !e.Kind.Housekeeping() {
			out = append(out, e)
		}
	}
	return out
}

// cutNote ends a review that had to be cut.
const cutNote = "\n\n_The rest of this review is left out to keep it within GitHub's limit._\n"

// cutBody cuts body at the end of a line within MaxBody: the review's Markdown is built of
// whole lines (table rows, list items, paragraphs), so a cut there breaks no construct.
func cutBody(body string) string {
	i := strings.LastIndexByte(body[:MaxBody-len(cutNote)], '\n')
	if i < 0 {
		i = 0
	}
	return body[:i] + cutNote
}
