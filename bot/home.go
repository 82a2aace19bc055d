package bot

import (
	"context"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/slackapi"
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
	view := views.Home(incs, open, user)
	view.Blocks.BlockSet = slackapi.FitView(view.Blocks.BlockSet)
	if _, err := b.API.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view}); err != nil {
		b.Log.Error("app home: views.publish", "user", user, "err", err)
	}
}
