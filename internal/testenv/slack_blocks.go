package testenv

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Slack's Block Kit limits, as Slack enforces them (its Block Kit reference): a message
// holds 50 blocks, a modal or App Home 100; the other limits are per block and element.
const (
	MaxMessageBlocks = 50
	MaxViewBlocks    = 100
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
	maxInputLength   = 3000 // a plain_text_input's max_length
)

// checkBlocks applies Slack's Block Kit rules to a blocks array (JSON) of at most
// maxBlocks blocks; it returns "" when Slack would take it, else why not (Slack answers
// invalid_blocks for a message, invalid_arguments for a view, with such a reason in
// response_metadata).
func checkBlocks(raw []byte, maxBlocks int) string {
	var blocks []block
	if len(raw) == 0 {
		return ""
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return "blocks is not a JSON array of blocks"
	}
	if len(blocks) > maxBlocks {
		return fmt.Sprintf("no more than %d items allowed [json-pointer:/blocks]", maxBlocks)
	}
	for _, b := range blocks {
		if why := b.check(); why != "" {
			return why
		}
	}
	return ""
}

type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func (t *textObject) tooLong(n int) bool { return t != nil && utf8.RuneCountInString(t.Text) > n }

type confirm struct {
	Title   *textObject `json:"title"`
	Text    *textObject `json:"text"`
	Confirm *textObject `json:"confirm"`
	Deny    *textObject `json:"deny"`
}

type element struct {
	Type     string          `json:"type"`
	Text     json.RawMessage `json:"text"` // a text object (button) or a string (context mrkdwn)
	Value    string          `json:"value"`
	ActionID string          `json:"action_id"`
	Confirm  *confirm        `json:"confirm"`
	// A plain_text_input's limit and what it is prefilled with.
	MaxLength    int    `json:"max_length"`
	InitialValue string `json:"initial_value"`
}

type block struct {
	Type      string       `json:"type"`
	BlockID   string       `json:"block_id"`
	Text      *textObject  `json:"text"`
	Fields    []textObject `json:"fields"`
	Elements  []element    `json:"elements"`
	Accessory *element     `json:"accessory"`
	Element   *element     `json:"element"` // an input block's
}

func (b block) check() string {
	if len(b.BlockID) > maxBlockID {
		return "block_id must be at most 255 characters"
	}
	switch b.Type {
	case "section":
		if b.Text.tooLong(maxSectionText) {
			return "section text must be less than 3001 characters"
		}
		if len(b.Fields) > maxSectionFields {
			return "section fields: no more than 10 items allowed"
		}
		for _, f := range b.Fields {
			if f.tooLong(maxFieldText) {
				return "section field text must be less than 2001 characters"
			}
		}
		if b.Accessory != nil {
			return b.Accessory.check()
		}
	case "header":
		if b.Text == nil || b.Text.Type != "plain_text" || b.Text.tooLong(maxHeaderText) {
			return "header text must be plain_text of less than 151 characters"
		}
	case "context":
		if len(b.Elements) > maxContextItems {
			return "context elements: no more than 10 items allowed"
		}
		for _, e := range b.Elements {
			var t textObject
			if json.Unmarshal(e.Text, &t) == nil && t.tooLong(maxSectionText) {
				return "context text must be less than 3001 characters"
			}
		}
	case "input":
		if e := b.Element; e != nil && e.Type == "plain_text_input" {
			if e.MaxLength > maxInputLength {
				return "plain_text_input max_length must be at most 3000"
			}
			if n := utf8.RuneCountInString(e.InitialValue); n > maxInputLength || e.MaxLength > 0 && n > e.MaxLength {
				return "plain_text_input initial_value must not be longer than its max_length"
			}
		}
	case "actions":
		if len(b.Elements) > maxActionsItems {
			return "actions elements: no more than 25 items allowed"
		}
		for _, e := range b.Elements {
			if why := e.check(); why != "" {
				return why
			}
		}
	}
	return ""
}

func (e element) check() string {
	if len(e.ActionID) > maxActionID {
		return "action_id must be at most 255 characters"
	}
	if e.Type != "button" {
		return ""
	}
	var t textObject
	if json.Unmarshal(e.Text, &t) != nil || t.Type != "plain_text" || t.tooLong(maxButtonText) {
		return "button text must be plain_text of less than 76 characters"
	}
	if utf8.RuneCountInString(e.Value) > maxButtonValue {
		return "button value must be less than 2001 characters"
	}
	if c := e.Confirm; c != nil && (c.Title.tooLong(maxConfirmTitle) || c.Text.tooLong(maxConfirmText) ||
		c.Confirm.tooLong(maxConfirmButton) || c.Deny.tooLong(maxConfirmButton)) {
		return "confirm: title under 101, text under 301, buttons under 31 characters"
	}
	return ""
}
