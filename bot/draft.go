package bot

import (
	"context"
	"errors"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/slack-go/slack"
)

// openDraftForm opens the form a reply asks for (commands.Reply.OpenDraftForm), at once:
// the trigger_id lives 3 seconds. It returns what to tell the person who asked: nothing
// when the form opened, else why not.
func (b *Bot) openDraftForm(ctx context.Context, triggerID, channel string, reply commands.Reply) commands.Reply {
	view := views.DraftModal(*reply.OpenDraftForm, channel)
	view.Blocks.BlockSet = slackapi.FitView(view.Blocks.BlockSet)
	if _, err := b.API.OpenViewContext(ctx, triggerID, view); err != nil {
		var why string
		if se := (slack.SlackErrorResponse{}); errors.As(err, &se) {
			b.Log.Warn("open the draft form: Slack refused", "err", err)
			why = "Slack answered " + se.Err + "."
		} else {
			why = b.replyError(ctx, err, "open the draft form", "channel", channel)
		}
		return commands.Reply{Error: true, Err: err, Text: "I could not open the form: " + why +
			" Post the draft with *Post as it is*, or type `/incident update` with its flag and your text."}
	}
	return commands.Reply{}
}

// submitDraft posts the text of a submitted draft form through the command its
// private_metadata names, as the router posts a typed `update`: its checks and refusals are
// the command's. A refusal keeps the form open with the reason under the text. A form
// submitted twice (Slack can deliver it twice; a person can press Post twice) posts once:
// the second submission finds its draft posted, and the form closes.
func (b *Bot) submitDraft(ctx context.Context, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	channel, command, text := views.ReadDraftModal(cb.View)
	if err := checkChannel("the draft form's channel", channel); err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{views.DraftInput: incident.ErrorMessage(err)})
	}
	reply := b.Router.Handle(ctx, commands.Request{UserID: cb.User.ID, ChannelID: channel, Text: command + "\n" + text})
	switch {
	case reply.Error && incident.DraftPosted(reply.Err):
		b.Log.Info("draft form submitted again; it was posted already", "view", cb.View.ID, "user", cb.User.ID)
		return nil
	case reply.Error:
		return slack.NewErrorsViewSubmissionResponse(map[string]string{views.DraftInput: reply.Text})
	}
	return nil
}

// replyBlocks are the blocks that show a reply in Slack, or nil for its text alone: a new
// draft offered in place of a stale one comes with its buttons.
func replyBlocks(reply commands.Reply) []slack.Block {
	if reply.Offer == nil {
		return nil
	}
	intro := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType,
		"The incident changed since this draft was written, so nothing was posted. Here is a new one:", false, false), nil, nil)
	blocks, _ := slackapi.FitMessage(append([]slack.Block{intro}, views.DraftBlocks(reply.Offer.Draft, reply.Offer.Text)...), reply.Text)
	return blocks
}
