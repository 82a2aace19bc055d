package views

import (
	"regexp"
	"strings"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
	"github.com/slack-go/slack"
)

// DraftCallbackID identifies submissions of the form that edits a drafted update.
const DraftCallbackID = "draft"

// DraftInput is the block and action ID of that form's text.
const DraftInput = "draft-text"

// The action IDs of a draft's buttons (their values are commands: commands.DraftValue).
const (
	ActionDraftPost = ActionPrefix + "draft-post"
	ActionDraftEdit = ActionPrefix + "draft-edit"
)

// DraftText is a drafted update as Slack text, the text Post as it is posts: the reminder
// shows it and the click builds it again with this same function (commands.Router.DraftText).
func DraftText(d incident.Draft) string {
	return words.Draft(d).Fit(Mrkdwn, incident.MaxTextLen)
}

// Reminder renders a cadence reminder with the update it drafts and its buttons; the
// fallback text is the reminder's notice.
func Reminder(e *incident.TimelineEvent, inc *incident.Incident, d *incident.Draft) ([]slack.Block, string) {
	notice := Notice(e, inc)
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(notice), nil, nil, slack.SectionBlockOptionBlockID("reminder"))}
	return append(blocks, DraftBlocks(*d, DraftText(*d))...), notice
}

// DraftBlocks shows a draft: what it is, its text as it will be posted, and its buttons.
func DraftBlocks(d incident.Draft, text string) []slack.Block {
	label := "*Drafted " + incident.UpdateName(d.Audience) + "* from the incident's state at " + d.Ref.At.UTC().Format("15:04 UTC") +
		". *Post as it is* posts exactly this text; *Edit* opens it in a form."
	switch {
	case d.Audience == incident.AudienceStatusPage && d.Drill:
		label += " A drill: the status page shows nothing of it."
	case d.Audience == incident.AudienceStatusPage && d.Private:
		label += " A private incident: the status page shows its services' state, never an update's text."
	}
	digest := incident.DraftDigest(text)
	post := slack.NewButtonBlockElement(ActionDraftPost, commands.DraftValue(commands.DraftPost, d.Ref, digest), plain("Post as it is"))
	post.Style = slack.StylePrimary
	edit := slack.NewButtonBlockElement(ActionDraftEdit, commands.DraftValue(commands.DraftEdit, d.Ref, digest), plain("Edit"))
	return []slack.Block{
		slack.NewContextBlock("draft-label", mrkdwn(label)),
		slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("draft")),
		slack.NewActionBlock("draft-actions", post, edit),
	}
}

// DraftModal renders the form that edits a draft, prefilled with its text; the channel and
// the command its submission runs travel in private_metadata.
func DraftModal(f commands.DraftForm, channel string) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(nil, DraftInput)
	input.Multiline, input.MaxLength, input.InitialValue = true, incident.MaxTextLen, FormText(f.Text)
	intro := "The " + incident.UpdateName(f.Audience) + " of " + f.Key + ", for " + incident.Recipients([]string{f.Audience}) +
		". *Post* posts it as `" + strings.TrimSpace("/incident update "+audienceFlag(f.Audience)) + "` would."
	if f.Note != "" {
		intro = ":warning: " + escape(f.Note) + "\n" + intro
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      DraftCallbackID,
		Title:           plain("Edit the update"),
		Submit:          plain("Post"),
		Close:           plain("Cancel"),
		PrivateMetadata: channel + "\n" + commands.SendCommand(f.Ref),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(mrkdwn(intro), nil, nil, slack.SectionBlockOptionBlockID("draft-intro")),
			slack.NewInputBlock(DraftInput, plain(capitalize(incident.UpdateName(f.Audience))), nil, input),
		}},
	}
}

// ReadDraftModal returns, from a submitted draft form, the channel it is for, the command
// that posts it, and the text as Slack text (a form's text arrives unescaped).
func ReadDraftModal(view slack.View) (channel, command, text string) {
	channel, command, _ = strings.Cut(view.PrivateMetadata, "\n")
	if view.State != nil {
		text = ChatFromForm(view.State.Values[DraftInput][DraftInput].Value)
	}
	return channel, command, text
}

// FormText is Slack text as a form's input shows it: entities become the characters.
func FormText(chat string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(chat)
}

// mentionToken is a user or channel mention as Slack text writes it.
var mentionToken = regexp.MustCompile(`<[@#][UWC][A-Z0-9]{2,20}(\|[^<>]*)?>`)

// ChatFromForm is a form's text as Slack text: &, < and > escaped, as a typed command's
// text arrives, except the user and channel mentions a draft carries (FormText keeps them
// as they are). An unedited draft comes back as it was.
func ChatFromForm(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range mentionToken.FindAllStringIndex(text, -1) {
		b.WriteString(incident.EscapeChat(text[last:m[0]]))
		b.WriteString(text[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(incident.EscapeChat(text[last:]))
	return b.String()
}

// audienceFlag is the update flag of an audience ("" for the team).
func audienceFlag(audience string) string {
	for flag, a := range incident.UpdateFlags {
		if a == audience {
			return flag
		}
	}
	return ""
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
