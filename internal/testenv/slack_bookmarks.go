package testenv

import (
	"fmt"
	"strings"
)

// SlackBookmark is a link bookmarked in a channel's header.
type SlackBookmark struct {
	ID, Title, Link string
	Edited          int // times bookmarks.edit changed it
}

// maxBookmarks is Slack's limit: "Conversations are limited to 100 bookmarks."
const maxBookmarks = 100

// bookmarkLink checks a bookmark's link as Slack does: it must begin with http:// or https://.
func bookmarkLink(link string) string {
	if !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") {
		return "invalid_link"
	}
	return ""
}

func (s *Slack) bookmarksAdd(c SlackCall) map[string]any {
	ch, errc := s.botChannel(c.Params.Get("channel_id"))
	if errc != "" {
		return fail(errc)
	}
	title, link := c.Params.Get("title"), c.Params.Get("link")
	switch {
	case title == "":
		return failWhy("invalid_arguments", "missing required field: title")
	case c.Params.Get("type") != "link":
		return fail("invalid_bookmark_type")
	case bookmarkLink(link) != "":
		return fail(bookmarkLink(link))
	case len(ch.Bookmarks) >= maxBookmarks:
		return fail("too_many_tabs")
	}
	s.nextBookmark++
	b := SlackBookmark{ID: fmt.Sprintf("Bk%08d", s.nextBookmark), Title: title, Link: link}
	ch.Bookmarks = append(ch.Bookmarks, b)
	return ok(map[string]any{"bookmark": bookmarkJSON(ch.ID, b)})
}

func (s *Slack) bookmarksEdit(c SlackCall) map[string]any {
	ch, errc := s.botChannel(c.Params.Get("channel_id"))
	if errc != "" {
		return fail(errc)
	}
	id := c.Params.Get("bookmark_id")
	for i := range ch.Bookmarks {
		b := &ch.Bookmarks[i]
		if b.ID != id {
			continue
		}
		if link := c.Params.Get("link"); link != "" {
			if errc := bookmarkLink(link); errc != "" {
				return fail(errc)
			}
			b.Link = link
		}
		if title := c.Params.Get("title"); title != "" {
			b.Title = title
		}
		b.Edited++
		return ok(map[string]any{"bookmark": bookmarkJSON(ch.ID, *b)})
	}
	return fail("not_found")
}

func (s *Slack) bookmarksList(c SlackCall) map[string]any {
	ch, errc := s.botChannel(c.Params.Get("channel_id"))
	if errc != "" {
		return fail(errc)
	}
	list := []map[string]any{}
	for _, b := range ch.Bookmarks {
		list = append(list, bookmarkJSON(ch.ID, b))
	}
	return ok(map[string]any{"bookmarks": list})
}

func bookmarkJSON(channel string, b SlackBookmark) map[string]any {
	return map[string]any{"id": b.ID, "channel_id": channel, "title": b.Title, "link": b.Link, "type": "link",
		"date_created": 1700000000, "date_updated": 0, "rank": "g", "app_id": "A0BOT"}
}
