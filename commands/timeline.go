package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/textcut"
	"github.com/nephoran/incidentbot/internal/words"
)

// TimelinePageSize is how many events (by number) one page of `timeline` covers.
const TimelinePageSize = 50

// MaxTimelineLine bounds one event's line on a page, so a page of TimelinePageSize events
// always fits one Slack message (MaxMessageLen) with its header and footer.
const MaxTimelineLine = 700

var timelineVerb = &Verb{
	Name:  "timeline",
	Usage: "timeline [all] [page <n>]",
	Help:  fmt.Sprintf("show the timeline, the latest %d events first (all: with the bot's housekeeping; page 1 is the oldest)", TimelinePageSize),
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		all, page, err := parseTimeline(args)
		if err != nil {
			return Reply{}, err
		}
		inc, err := r.Service.ByChannel(ctx, req.ChannelID)
		if err != nil {
			return Reply{}, err
		}
		if page == 0 { // the latest page: number it from the latest event
			_, last, err := r.Service.TimelineWindow(ctx, inc.ID, incident.EventWindow{})
			if err != nil {
				return Reply{}, err
			}
			page = pages(last)
		}
		w := incident.EventWindow{FromSeq: (page-1)*TimelinePageSize + 1, ToSeq: page * TimelinePageSize, Limit: TimelinePageSize, Housekeeping: all}
		evs, total, err := r.Service.TimelineWindow(ctx, inc.ID, w)
		if err != nil {
			return Reply{}, err
		}
		if page > pages(total) {
			return Reply{}, incident.Errorf(incident.EINVALID, "The timeline of %s has %d pages of %d events; page %d is past its end.", inc.Key(), pages(total), TimelinePageSize, page)
		}
		return Reply{Text: TimelinePage(inc, evs, all, page, total, r.sayEvent())}, nil
	},
}

// parseTimeline reads `timeline [all] [page <n>]`; page 0 means the latest page.
func parseTimeline(args string) (all bool, page int, err error) {
	tokens := strings.Fields(strings.ToLower(args))
	for i := 0; i < len(tokens); i++ {
		switch t := tokens[i]; {
		case t == "all" && !all:
			all = true
		case t == "page" && page == 0 && i+1 < len(tokens):
			n, err := strconv.Atoi(tokens[i+1])
			if err != nil || n < 1 {
				return false, 0, usageError("timeline", "%s is not a page number: pages count from 1.", incident.Quote(incident.Prefix(tokens[i+1], incident.QuoteLen)))
			}
			page, i = n, i+1
		default:
			return false, 0, usageError("timeline", "`timeline` takes `all` and `page <n>`.")
		}
	}
	return all, page, nil
}

// pages is how many pages a timeline of total events fills (at least one).
func pages(total int) int { return max(1, (total+TimelinePageSize-1)/TimelinePageSize) }

// sayEvent is how the router says an event: in the surface's idiom, else in plain text.
func (r *Router) sayEvent() func(incident.TimelineEvent) string {
	if r.EventText != nil {
		return r.EventText
	}
	return func(e incident.TimelineEvent) string { return words.Event(e).String() }
}

// TimelinePage renders page page of an incident's timeline of total events: the events
// numbered (page-1)*TimelinePageSize+1 to page*TimelinePageSize, those of them evs holds
// (without `all`, not the bot's housekeeping), each said by say and cut to
// MaxTimelineLine, with where to find the pages before and after it. Pages count event
// numbers, so a page covers the same stretch of time with or without `all`.
func TimelinePage(inc *incident.Incident, evs []incident.TimelineEvent, all bool, page, total int, say func(incident.TimelineEvent) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Timeline of %s* (UTC)", inc.Key())
	last := pages(total)
	if last > 1 {
		first := (page-1)*TimelinePageSize + 1
		fmt.Fprintf(&b, ", page %d of %d: events #%d to #%d of %d", page, last, first, min(first+TimelinePageSize-1, total), total)
		if hidden := min(first+TimelinePageSize-1, total) - first + 1 - len(evs); hidden > 0 {
			fmt.Fprintf(&b, " (%d of the bot's housekeeping not shown)", hidden)
		}
	}
	for _, e := range evs {
		line := fmt.Sprintf("#%d `%s` %s *%s* %s", e.Seq, incident.FormatTime(e.At), actor(e.Actor), e.Kind, say(e))
		b.WriteString("\n" + textcut.Cut(line, MaxTimelineLine))
	}
	if last > 1 {
		cmd := "/incident timeline "
		if all {
			cmd += "all "
		}
		var more []string
		if page > 1 {
			more = append(more, fmt.Sprintf("earlier `%spage %d`", cmd, page-1))
		}
		if page < last {
			more = append(more, fmt.Sprintf("later `%spage %d`", cmd, page+1))
		}
		fmt.Fprintf(&b, "\n_More: %s; page 1 is the oldest, `%s` the latest._", strings.Join(more, ", "), strings.TrimSpace(cmd))
	}
	return b.String()
}
