package bot

import (
	"context"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/slack-go/slack"
)

// publishHome renders user's App Home tab: the open incidents and the roles they hold,
// reading no more of them than the tab lists.
func (b *Bot) publishHome(ctx context.Context, user string) {
	incs, open, err := b.Service.HomeIncidents(ctx, user, views.MaxHomeIncidents)
	if err != nil {
		b.Log.Error("app home: read incidents", "err", err)
		return
	}
	if _, err := b.API.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: views.Home(incs, open, user)}); err != nil {
		b.Log.Error("app home: views.publish", "user", user, "err", err)
	}
}
