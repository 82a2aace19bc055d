package incident

import (
	"context"
	"fmt"
)

// Channel bookmarks: the incident channel's header links to what people open most during an
// incident, once each: the incident's page on the dashboard, its PagerDuty incident, its
// post-incident review and its playbook run. Each bookmark has an EffectBookmark lane of its
// own; a delivery links it to what it names at that moment (the latest run, the filed
// review), so refreshes queued behind it are superseded, and a retry after a crash finds
// the bookmark by its title instead of adding a second one (Chat.SetBookmark).

// BookmarkKind names one of the channel's bookmarks.
type BookmarkKind string

// The channel's bookmarks.
const (
	BookmarkPage   BookmarkKind = "page"      // the incident's page on the dashboard (web.public_url)
	BookmarkPager  BookmarkKind = "pagerduty" // the PagerDuty incident it was declared from, else the first one linked
	BookmarkReview BookmarkKind = "review"    // the post-incident review, once filed
	BookmarkRun    BookmarkKind = "run"       // the card of the latest playbook run
)

// Bookmark is a link in a channel's header.
type Bookmark struct {
	Title, Link string
}

// bookmarkTitles are the bookmarks' titles, by which a retry finds one already added.
var bookmarkTitles = map[BookmarkKind]string{
	BookmarkPage:   "Incident page",
	BookmarkPager:  "PagerDuty incident",
	BookmarkReview: "Post-incident review",
	BookmarkRun:    "Playbook run",
}

// DashboardURL is the incident's page on the dashboard, or "" when the bot has no public
// address (web.public_url) or the incident is private (the dashboard does not show it).
func DashboardURL(publicURL string, inc *Incident) string {
	if publicURL == "" || inc.Private {
		return ""
	}
	return publicURL + "/incidents/" + inc.Key()
}

// refreshBookmark is the follow-up that brings bookmark k up to date; discriminator tells
// apart the occasions (a page, a run) so that each queues its own refresh.
func refreshBookmark(k BookmarkKind, discriminator string) followUp {
	return followUp{kind: EffectBookmark, discriminator: string(k) + "-" + discriminator, payload: EffectPayload{Bookmark: k}}
}

// channelBookmarks are the refreshes queued once the channel exists: the dashboard page and
// a PagerDuty incident the incident was declared from.
func (o *Outbox) channelBookmarks(inc *Incident) []followUp {
	var f []followUp
	if DashboardURL(o.Settings.PublicURL, inc) != "" {
		f = append(f, refreshBookmark(BookmarkPage, "channel"))
	}
	if o.Pager != nil {
		f = append(f, refreshBookmark(BookmarkPager, "channel"))
	}
	return f
}

// bookmark links one of the channel's bookmarks to what it names now. When that does not
// exist (yet), it does nothing: the event that makes it queues another refresh.
func (o *Outbox) bookmark(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	k := e.Payload.Bookmark
	title, ok := bookmarkTitles[k]
	if !ok {
		return result{}, fmt.Errorf("unknown bookmark %q", k)
	}
	link, err := o.bookmarkLink(ctx, inc, k)
	if err != nil || link == "" {
		return result{}, err
	}
	return result{}, o.Chat.SetBookmark(ctx, inc.ChannelID, Bookmark{Title: title, Link: link})
}

// bookmarkLink is where bookmark k links to now, or "" for nowhere yet.
func (o *Outbox) bookmarkLink(ctx context.Context, inc *Incident, k BookmarkKind) (string, error) {
	switch k {
	case BookmarkPage:
		return DashboardURL(o.Settings.PublicURL, inc), nil
	case BookmarkReview:
		return inc.ReviewURL, nil
	case BookmarkPager:
		if inc.PagerDutyURL != "" { // declared from it
			return inc.PagerDutyURL, nil
		}
		var pages []Page
		if err := o.Store.View(ctx, func(tx Tx) (err error) { pages, err = tx.Pages(inc.ID); return err }); err != nil {
			return "", StoreFailed(err)
		}
		for _, p := range pages {
			if p.URL != "" { // pages through the Events API have none
				return p.URL, nil
			}
		}
		return "", nil
	case BookmarkRun:
		var runs []Run
		if err := o.Store.View(ctx, func(tx Tx) (err error) { runs, err = tx.Runs(inc.ID); return err }); err != nil {
			return "", StoreFailed(err)
		}
		for i := len(runs) - 1; i >= 0; i-- {
			if runs[i].CardTS != "" {
				return o.Chat.Permalink(ctx, inc.ChannelID, runs[i].CardTS)
			}
		}
		return "", nil
	}
	return "", nil
}
