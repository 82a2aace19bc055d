package slackapi

import (
	"fmt"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/textcut"
	"github.com/slack-go/slack"
)

// Slack's limits on what a message or a view may hold (Block Kit reference; a message over
// one is refused with invalid_blocks or msg_too_long, a view with invalid_arguments).
const (
	MaxMessageBlocks = 50
	MaxViewBlocks    = 100 // modals and App Home
	MaxMessageText   = 40000
	maxBlockID       = 255
	maxSectionText   = 3000
	maxSectionFields = 10
	maxFieldText     = 2000
	maxHeaderText    = 150
	maxContextItems  = 10
	maxActionsItems  = 25
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxActionID      = 255
	maxConfirmTitle  = 100
	maxConfirmText   = 300
	maxConfirmButton = 30
)

// FitMessage returns a message's blocks and fallback text within Slack's limits, whatever
// a renderer made: long texts are cut cleanly (textcut), a section with more than ten
// fields and an actions block with more than 25 elements are split into several, a button
// whose value or action_id Slack would refuse is left out (a cut command would do something
// else), and blocks past the limit are replaced by a line saying how many were left out,
// keeping the last block (a card's buttons or help). Blocks are copied, never changed in
// place. It is the one guard every Block Kit message of the bot goes through.
func FitMessage(blocks []slack.Block, text string) ([]slack.Block, string) {
	return fitBlocks(blocks, MaxMessageBlocks), textcut.Cut(text, MaxMessageText)
}

// FitView is FitMessage for the blocks of a modal or the App Home tab (100 blocks).
func FitView(blocks []slack.Block) []slack.Block { return fitBlocks(blocks, MaxViewBlocks) }

func fitBlocks(blocks []slack.Block, limit int) []slack.Block {
	if blocks == nil {
		return nil
	}
	out := make([]slack.Block, 0, len(blocks))
	for _, b := range blocks {
		out = append(out, fitBlock(b)...)
	}
	if len(out) <= limit {
		return out
	}
	left := len(out) - (limit - 1)
	notice := slack.NewContextBlock("fit-more", slack.NewTextBlockObject(slack.MarkdownType,
		fmt.Sprintf("_%d more blocks are left out to keep this message within Slack's limit._", left), false, false))
	kept := append(out[:limit-2:limit-2], notice, out[len(out)-1])
	return kept
}

// fitBlock returns b within its limits, as one block or several.
func fitBlock(b slack.Block) []slack.Block {
	switch b := b.(type) {
	case *slack.SectionBlock:
		return fitSection(*b)
	case *slack.HeaderBlock:
		h := *b
		h.BlockID = blockID(h.BlockID)
		h.Text = cutText(h.Text, maxHeaderText)
		return []slack.Block{&h}
	case *slack.ContextBlock:
		c := *b
		c.BlockID = blockID(c.BlockID)
		var els []slack.MixedElement
		for _, e := range c.ContextElements.Elements[:min(len(c.ContextElements.Elements), maxContextItems)] {
			if t, ok := e.(*slack.TextBlockObject); ok {
				e = cutText(t, maxSectionText)
			}
			els = append(els, e)
		}
		c.ContextElements = slack.ContextElements{Elements: els}
		return []slack.Block{&c}
	case *slack.ActionBlock:
		return fitActions(*b)
	}
	return []slack.Block{b}
}

func fitSection(s slack.SectionBlock) []slack.Block {
	s.BlockID = blockID(s.BlockID)
	s.Text = cutText(s.Text, maxSectionText)
	if s.Accessory != nil && s.Accessory.ButtonElement != nil {
		if btn := fitButton(s.Accessory.ButtonElement); btn != nil {
			a := *s.Accessory
			a.ButtonElement = btn
			s.Accessory = &a
		} else {
			s.Accessory = nil
		}
	}
	fields := make([]*slack.TextBlockObject, len(s.Fields))
	for i, f := range s.Fields {
		fields[i] = cutText(f, maxFieldText)
	}
	s.Fields = fields
	if len(fields) <= maxSectionFields {
		return []slack.Block{&s}
	}
	out := []slack.Block{}
	for i := 0; i < len(fields); i += maxSectionFields {
		part := s
		part.Fields = fields[i:min(i+maxSectionFields, len(fields))]
		if i > 0 {
			part.Text, part.Accessory = nil, nil
			part.BlockID = suffixed(s.BlockID, i/maxSectionFields)
		}
		out = append(out, &part)
	}
	return out
}

func fitActions(a slack.ActionBlock) []slack.Block {
	a.BlockID = blockID(a.BlockID)
	if a.Elements == nil {
		return []slack.Block{&a}
	}
	var els []slack.BlockElement
	for _, e := range a.Elements.ElementSet {
		if btn, ok := e.(*slack.ButtonBlockElement); ok {
			if btn = fitButton(btn); btn == nil {
				continue
			}
			e = btn
		}
		els = append(els, e)
	}
	var out []slack.Block // none when no element is left: Slack refuses an empty actions block
	for i := 0; i < len(els); i += maxActionsItems {
		part := a
		part.Elements = &slack.BlockElements{ElementSet: els[i:min(i+maxActionsItems, len(els))]}
		if i > 0 {
			part.BlockID = suffixed(a.BlockID, i/maxActionsItems)
		}
		out = append(out, &part)
	}
	return out
}

// fitButton returns btn within its limits, or nil when its value or action_id is too long
// to send (cutting either would make the button run something else).
func fitButton(btn *slack.ButtonBlockElement) *slack.ButtonBlockElement {
	if utf8.RuneCountInString(btn.Value) > maxButtonValue || len(btn.ActionID) > maxActionID {
		return nil
	}
	b := *btn
	b.Text = cutText(b.Text, maxButtonText)
	if c := b.Confirm; c != nil {
		b.Confirm = &slack.ConfirmationBlockObject{Title: cutText(c.Title, maxConfirmTitle), Text: cutText(c.Text, maxConfirmText),
			Confirm: cutText(c.Confirm, maxConfirmButton), Deny: cutText(c.Deny, maxConfirmButton), Style: c.Style}
	}
	return &b
}

// cutText returns a copy of t cut to n characters.
func cutText(t *slack.TextBlockObject, n int) *slack.TextBlockObject {
	if t == nil || utf8.RuneCountInString(t.Text) <= n {
		return t
	}
	c := *t
	c.Text = textcut.Cut(t.Text, n)
	return &c
}

// blockID cuts a block_id to Slack's 255 characters (the bot's are ASCII).
func blockID(id string) string {
	if len(id) > maxBlockID {
		return id[:maxBlockID]
	}
	return id
}

// suffixed names the nth extra block split from the block id (block_ids are unique in a message).
func suffixed(id string, n int) string {
	if id == "" {
		return ""
	}
	s := fmt.Sprintf("-%d", n+1)
	return blockID(id[:min(len(id), maxBlockID-len(s))] + s)
}
