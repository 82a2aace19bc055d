package drills

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// button is a button on a card, as Slack shows it.
type button struct{ Text, ActionID, Value string }

// card is a step card as the channel shows it: what a person reads before clicking.
type card struct {
	ID            int64 // the bot's step ID, from the card's block IDs
	Seq           int   // the step's place in its run ("Step 1.<Seq>")
	Title         string
	State         string // as shown: "pending", "awaiting approval", "succeeded", ...
	Approval      string // the approval field: who may approve, and "two-person" when it applies
	Summary       string // the rendered action, its type first
	DryRunPending bool
	People        string // "asked by <@U…> · approved by <@U…>"
	Output        string
	Buttons       []button
}

// Type is the step's action type, the first word of its summary.
func (c card) Type() string { return strings.Fields(c.Summary + " ?")[0] }

// Button returns the button whose action runs verb (step-<verb>-<id>), if the card has it.
func (c card) Button(verb string) (button, bool) {
	for _, b := range c.Buttons {
		if strings.HasSuffix(b.ActionID, "step-"+verb+"-"+strconv.FormatInt(c.ID, 10)) {
			return b, true
		}
	}
	return button{}, false
}

// RequestedBy is the Slack ID of who asked for the step, from the card.
func (c card) RequestedBy() string {
	if m := regexp.MustCompile(`asked by <@([A-Z0-9]+)>`).FindStringSubmatch(c.People); m != nil {
		return m[1]
	}
	return ""
}

// ApprovedBy is the Slack ID of who approved the step, from the card.
func (c card) ApprovedBy() string {
	if m := regexp.MustCompile(`approved by <@([A-Z0-9]+)>`).FindStringSubmatch(c.People); m != nil {
		return m[1]
	}
	return ""
}

type blockText struct {
	Text string `json:"text"`
}

type cardBlock struct {
	Type     string      `json:"type"`
	BlockID  string      `json:"block_id"`
	Text     *blockText  `json:"text"`
	Fields   []blockText `json:"fields"`
	Elements []struct {
		Type     string          `json:"type"`
		Text     json.RawMessage `json:"text"`
		ActionID string          `json:"action_id"`
		Value    string          `json:"value"`
	} `json:"elements"`
}

var (
	stepBlock = regexp.MustCompile(`^step-([0-9]+)$`)
	stepTitle = regexp.MustCompile(`\*Step [0-9]+\.([0-9]+): (.*)\*$`)
	fenced    = regexp.MustCompile("(?s)```(.*?)```")
)

// stepCards reads the step cards of a channel, in the run's order.
func stepCards(ch *testenv.SlackChannel) []card {
	var cards []card
	for _, m := range ch.Messages {
		var blocks []cardBlock
		if json.Unmarshal(m.Blocks, &blocks) != nil {
			continue
		}
		var c card
		for _, b := range blocks {
			if sm := stepBlock.FindStringSubmatch(b.BlockID); sm != nil && b.Text != nil {
				c.ID, _ = strconv.ParseInt(sm[1], 10, 64)
				if tm := stepTitle.FindStringSubmatch(b.Text.Text); tm != nil {
					c.Seq, _ = strconv.Atoi(tm[1])
					c.Title = tm[2]
				}
				for _, f := range b.Fields {
					name, value, _ := strings.Cut(f.Text, "\n")
					switch name {
					case "*State*":
						_, c.State, _ = strings.Cut(value, " ") // after the icon
					case "*Approval*":
						c.Approval = value
					}
				}
			}
		}
		if c.ID == 0 {
			continue
		}
		id := "step-" + strconv.FormatInt(c.ID, 10)
		for _, b := range blocks {
			switch {
			case b.BlockID == id+"-action" && b.Text != nil:
				if f := fenced.FindStringSubmatch(b.Text.Text); f != nil {
					c.Summary = f[1]
				}
				c.DryRunPending = strings.Contains(b.Text.Text, "_Dry run pending._")
			case b.BlockID == id+"-people" && len(b.Elements) > 0:
				json.Unmarshal(b.Elements[0].Text, &c.People) // a context's mrkdwn element: its text is a string
			case b.BlockID == id+"-output" && b.Text != nil:
				if f := fenced.FindStringSubmatch(b.Text.Text); f != nil {
					c.Output = f[1]
				}
			case b.BlockID == id+"-actions":
				for _, e := range b.Elements {
					var t blockText
					json.Unmarshal(e.Text, &t)
					c.Buttons = append(c.Buttons, button{Text: t.Text, ActionID: e.ActionID, Value: e.Value})
				}
			}
		}
		cards = append(cards, c)
	}
	sort.SliceStable(cards, func(i, j int) bool { return cards[i].Seq < cards[j].Seq })
	return cards
}
