package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// The actions of the draft verb.
const (
	DraftPost = "post" // post the draft as it is
	DraftEdit = "edit" // open the form that edits it
	DraftSend = "send" // post the edited text (the form's submission)
)

// DraftForm asks the surface to open the form that edits a draft, prefilled with Text.
// Its submission is the command SendCommand(Ref) followed by the text.
type DraftForm struct {
	Ref      incident.DraftRef
	Audience string
	Key      string // the incident's
	Text     string
	Note     string // why the form shows a newer draft than the reminder did; "" when it does not
}

// DraftOffer is a new draft to show with its buttons, in place of a stale one.
type DraftOffer struct {
	Draft incident.Draft
	Text  string
}

// DraftValue is the command a draft's button carries: the action, the reminder, the moment
// and the previous update the draft was written for, and the digest of its text. The
// text itself is never in it (a button's value holds 2000 characters; a draft up to
// incident.MaxTextLen): the click builds the draft again and posts it only if it is the same.
func DraftValue(action string, ref incident.DraftRef, digest string) string {
	return fmt.Sprintf("draft %s %d %d %d %s", action, ref.Reminder, millis(ref.At), millis(ref.Since), digest)
}

// SendCommand is the start of the command that posts an edited draft: the text follows it.
func SendCommand(ref incident.DraftRef) string {
	return fmt.Sprintf("draft %s %d %d %d", DraftSend, ref.Reminder, millis(ref.At), millis(ref.Since))
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// DraftTextOf renders a draft as the update's text, within incident.MaxTextLen: with the
// surface's renderer (Router.DraftText), else in plain words.
func (r *Router) DraftTextOf(d incident.Draft) string {
	if r.DraftText != nil {
		return r.DraftText(d)
	}
	return words.Draft(d).Fit(func(s words.Sentence) string { return words.PlainText(s, nil) }, incident.MaxTextLen)
}

var draftVerb = &Verb{
	Name:  "draft",
	Usage: "draft post|edit <reminder> <at> <since> <digest> | draft send <reminder> <at> <since> <text>",
	Help:  "post or edit the update a cadence reminder drafted (its buttons carry these)",
	Run: func(ctx context.Context, r *Router, req Request, args string) (Reply, error) {
		action, ref, digest, text, err := parseDraft(args)
		if err != nil {
			return Reply{}, err
		}
		switch action {
		case DraftSend:
			return r.postDraft(ctx, req, ref, incident.UpdateEdited, text)
		case DraftEdit:
			return r.editDraft(ctx, req, ref, digest)
		}
		d, err := r.Service.Draft(ctx, req.ChannelID, ref)
		if err != nil {
			return Reply{}, err
		}
		text = r.DraftTextOf(d)
		if incident.DraftDigest(text) != digest {
			return r.staleDraft(ctx, req, ref)
		}
		return r.postDraft(ctx, req, ref, incident.UpdateDrafted, text)
	},
}

// postDraft posts text as the draft's audience's update, as `update` does.
func (r *Router) postDraft(ctx context.Context, req Request, ref incident.DraftRef, how, text string) (Reply, error) {
	inc, err := r.Service.PostDraft(ctx, req.UserID, req.ChannelID, ref, how, text)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: fmt.Sprintf("Update posted to %s and recorded on the timeline.", inc.Key())}, nil
}

// staleDraft refuses a draft the incident has outgrown and offers the draft of now.
func (r *Router) staleDraft(ctx context.Context, req Request, ref incident.DraftRef) (Reply, error) {
	fresh, err := r.Service.FreshDraft(ctx, req.ChannelID, ref.Reminder)
	if err != nil {
		return Reply{}, err
	}
	text := r.DraftTextOf(fresh)
	return Reply{Error: true, Offer: &DraftOffer{Draft: fresh, Text: text},
		Text: "The incident changed since this draft was written, so nothing was posted. Here is a new one; read it, then post or edit it:\n" + text}, nil
}

// editDraft asks for the form prefilled with the draft, or with a new one when the
// incident has changed since it was written.
func (r *Router) editDraft(ctx context.Context, req Request, ref incident.DraftRef, digest string) (Reply, error) {
	d, err := r.Service.Draft(ctx, req.ChannelID, ref)
	if err != nil {
		return Reply{}, err
	}
	text, note := r.DraftTextOf(d), ""
	if incident.DraftDigest(text) != digest {
		if d, err = r.Service.FreshDraft(ctx, req.ChannelID, ref.Reminder); err != nil {
			return Reply{}, err
		}
		text, note = r.DraftTextOf(d), "The incident changed since the reminder's draft was written: this is a new one."
	}
	return Reply{OpenDraftForm: &DraftForm{Ref: d.Ref, Audience: d.Audience, Key: d.Key, Text: text, Note: note}}, nil
}

// parseDraft parses `draft post|edit <reminder> <at> <since> <digest>` and
// `draft send <reminder> <at> <since> <text>`, the text with its formatting intact.
func parseDraft(args string) (action string, ref incident.DraftRef, digest, text string, err error) {
	fields, rest := cutFields(args, 4)
	if len(fields) < 4 {
		return "", ref, "", "", usageError("draft", "A draft is named by its reminder, its moment and the previous update it follows.")
	}
	action = strings.ToLower(fields[0])
	var n [3]int64
	for i, f := range fields[1:] {
		if n[i], err = strconv.ParseInt(f, 10, 64); err != nil || n[i] < 0 {
			return "", ref, "", "", usageError("draft", "%s is not a number.", incident.Quote(incident.Prefix(f, incident.QuoteLen)))
		}
	}
	ref = incident.DraftRef{Reminder: int(n[0]), At: fromMillis(n[1]), Since: fromMillis(n[2])}
	switch action {
	case DraftPost, DraftEdit:
		if strings.ContainsFunc(rest, unicode.IsSpace) || len(rest) != 16 {
			return "", ref, "", "", usageError("draft", "The draft's digest is missing or malformed.")
		}
		if ref.At.IsZero() {
			return "", ref, "", "", usageError("draft", "A draft to post or edit names the moment it was written for.")
		}
		return action, ref, rest, "", nil
	case DraftSend:
		if rest == "" {
			return "", ref, "", "", incident.Errorf(incident.EINVALID, "An update needs some text.")
		}
		return action, ref, "", rest, nil
	}
	return "", ref, "", "", usageError("draft", "%s is not an action on a draft: use post, edit or send.", incident.Quote(incident.Prefix(action, incident.QuoteLen)))
}

// cutFields splits off the first n words of s and returns them with the rest of s, whose
// formatting is kept.
func cutFields(s string, n int) ([]string, string) {
	var fields []string
	s = strings.TrimSpace(s)
	for len(fields) < n && s != "" {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			fields, s = append(fields, s), ""
			break
		}
		fields, s = append(fields, s[:i]), strings.TrimSpace(s[i:])
	}
	return fields, s
}
