package bot

import (
	"regexp"
	"slices"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// The shapes of Slack's IDs. A signed request is from Slack, but its fields still become
// actors and mentions on the timeline, so they are checked before anything runs.
var (
	userIDRe    = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
	channelIDRe = regexp.MustCompile(`^[CGD][A-Z0-9]{2,20}$`)
	teamIDRe    = regexp.MustCompile(`^[TE][A-Z0-9]{2,20}$`)
)

// refuse returns the refusal of a request the bot will not serve, as a domain error:
// EINVALID (a 400 over HTTP) or EFORBIDDEN (403), its message saying which field was wrong.
func refuse(code string, format string, args ...any) error {
	return incident.Errorf(code, format, args...)
}

// checkUser refuses a missing or malformed user ID; what names where it was found.
// checkChannel does the same for a channel ID.
func checkUser(what, id string) error {
	switch {
	case id == "":
		return refuse(incident.EINVALID, "%s without a user: every action needs the Slack user who did it", what)
	case !userIDRe.MatchString(id):
		return refuse(incident.EINVALID, "%s %q is not a Slack user ID (such as U0123ABCD)", what, id)
	}
	return nil
}

func checkChannel(what, id string) error {
	switch {
	case id == "":
		return refuse(incident.EINVALID, "%s without a channel", what)
	case !channelIDRe.MatchString(id):
		return refuse(incident.EINVALID, "%s %q is not a Slack channel ID (such as C0123ABCD)", what, id)
	}
	return nil
}

// checkTeam refuses a malformed team ID, and a workspace outside TeamIDs when it is set. A
// team of an Enterprise Grid organization is admitted by the organization's ID.
func (b *Bot) checkTeam(what, team, enterprise string) error {
	if team != "" && !teamIDRe.MatchString(team) {
		return refuse(incident.EINVALID, "%s %q is not a Slack team ID (such as T0123ABCD)", what, team)
	}
	if enterprise != "" && !teamIDRe.MatchString(enterprise) {
		return refuse(incident.EINVALID, "%s: enterprise %q is not a Slack organization ID (such as E0123ABCD)", what, enterprise)
	}
	if len(b.TeamIDs) == 0 || team != "" && slices.Contains(b.TeamIDs, team) || enterprise != "" && slices.Contains(b.TeamIDs, enterprise) {
		return nil
	}
	from := team
	if from == "" {
		from = "(none given)"
	}
	return refuse(incident.EFORBIDDEN, "This bot serves only the workspaces in slack.team_ids; this request came from workspace %s.", from)
}

// checkSlash checks a slash command's user, channel, command name and workspace.
func (b *Bot) checkSlash(cmd slack.SlashCommand) error {
	if err := checkUser("user_id", cmd.UserID); err != nil {
		return err
	}
	if err := checkChannel("channel_id", cmd.ChannelID); err != nil {
		return err
	}
	if name := b.commandName(); cmd.Command != name {
		return refuse(incident.EINVALID, "command %q is not %s, the command this bot serves (slack.command)", cmd.Command, name)
	}
	return b.checkTeam("team_id", cmd.TeamID, cmd.EnterpriseID)
}

func (b *Bot) commandName() string {
	if b.CommandName == "" {
		return "/incident"
	}
	return b.CommandName
}

// interactionTypes are the interaction payloads Slack sends; the bot acts on some of them
// and acknowledges the others.
var interactionTypes = []slack.InteractionType{
	slack.InteractionTypeBlockActions, slack.InteractionTypeViewSubmission, slack.InteractionTypeViewClosed,
	slack.InteractionTypeShortcut, slack.InteractionTypeMessageAction, slack.InteractionTypeBlockSuggestion,
	slack.InteractionTypeInteractionMessage, slack.InteractionTypeDialogSubmission, slack.InteractionTypeDialogCancellation,
	slack.InteractionTypeDialogSuggestion, slack.InteractionTypeWorkflowStepEdit,
}

// checkInteraction refuses a payload without a known type or a user, a click without
// actions or channel, a submission without its view, a shortcut without its message.
func (b *Bot) checkInteraction(cb slack.InteractionCallback) error {
	t := cb.Type
	switch {
	case t == "":
		return refuse(incident.EINVALID, "the interaction payload has no type")
	case !slices.Contains(interactionTypes, t):
		return refuse(incident.EINVALID, "unknown interaction type %q", t)
	}
	if err := checkUser(string(t), cb.User.ID); err != nil {
		return err
	}
	if err := b.checkTeam(string(t), cb.Team.ID, cb.Enterprise.ID); err != nil {
		return err
	}
	switch t {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return refuse(incident.EINVALID, "block_actions without actions")
		}
		if ch := channelOf(cb); ch != "" || len(commandActions(cb)) > 0 {
			return checkChannel("block_actions", ch) // commands act in a channel
		}
	case slack.InteractionTypeViewSubmission:
		if cb.View.ID == "" || cb.View.CallbackID == "" {
			return refuse(incident.EINVALID, "view_submission without a view (its id and callback_id)")
		}
	case slack.InteractionTypeMessageAction:
		if cb.Message.Timestamp == "" {
			return refuse(incident.EINVALID, "message_action without a message")
		}
		return checkChannel("message_action", channelOf(cb))
	}
	return nil
}

// checkEvent checks an Events API callback's workspace and the user and channel of the
// inner events the bot acts on.
func (b *Bot) checkEvent(cb *slackevents.EventsAPICallbackEvent, inner slackevents.EventsAPIInnerEvent) error {
	if err := b.checkTeam("event", cb.TeamID, cb.EnterpriseID); err != nil {
		return err
	}
	what := "event " + inner.Type
	var user, channel string
	switch e := inner.Data.(type) {
	case *slackevents.PinAddedEvent:
		user, channel = e.User, e.Channel
		if channel == "" {
			channel = e.Item.Channel
		}
	case *slackevents.ReactionAddedEvent:
		user, channel = e.User, e.Item.Channel
	case *slackevents.AppMentionEvent:
		user, channel = e.User, e.Channel
	case *slackevents.AppHomeOpenedEvent:
		return checkUser(what, e.User)
	default:
		return nil
	}
	if err := checkUser(what, user); err != nil {
		return err
	}
	return checkChannel(what, channel)
}
