package slackapi

import (
	"context"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/slack-go/slack"
)

// SetBookmark makes the channel's bookmark titled b.Title link to b.Link (bookmarks.list,
// then bookmarks.edit or bookmarks.add): found by its title, so a retry after a crash
// between Slack's answer and the outbox's record edits, or leaves alone, the bookmark the
// dead attempt added instead of adding a second.
func (c *Chat) SetBookmark(ctx context.Context, channelID string, b incident.Bookmark) error {
	if err := c.Budget.take(ctx, "bookmarks.list", channelID); err != nil {
		return err
	}
	have, err := c.API.ListBookmarksContext(ctx, channelID)
	if err != nil {
		return c.classify("bookmarks.list", err)
	}
	for _, h := range have {
		if h.Title != b.Title {
			continue
		}
		if h.Link == b.Link {
			return nil
		}
		if err := c.Budget.take(ctx, "bookmarks.edit", channelID); err != nil {
			return err
		}
		_, err := c.API.EditBookmarkContext(ctx, channelID, h.ID, slack.EditBookmarkParameters{Link: b.Link})
		return c.classify("bookmarks.edit", err)
	}
	if err := c.Budget.take(ctx, "bookmarks.add", channelID); err != nil {
		return err
	}
	_, err = c.API.AddBookmarkContext(ctx, channelID, slack.AddBookmarkParameters{Title: b.Title, Type: "link", Link: b.Link})
	return c.classify("bookmarks.add", err)
}

// Permalink is a link that opens the message ts in the channel (chat.getPermalink).
func (c *Chat) Permalink(ctx context.Context, channelID, ts string) (string, error) {
	if err := c.Budget.take(ctx, "chat.getPermalink", channelID); err != nil {
		return "", err
	}
	link, err := c.API.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channelID, Ts: ts})
	return link, c.classify("chat.getPermalink", err)
}
