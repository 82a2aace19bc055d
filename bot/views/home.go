package views

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
	"github.com/slack-go/slack"
)

// MaxHomeIncidents bounds the incidents listed on the App Home tab, which holds at most 100
// blocks; each incident takes one.
const MaxHomeIncidents = 90

// Home renders a user's App Home tab: the open incidents, the roles the viewer holds in
// them first. A private incident shows its title only to those who hold a role in it.
// open is how many incidents are open, of which incs may be only some (those listed
// first); the tab says how many it does not show.
func Home(incs []incident.Incident, open int, viewer string) slack.HomeTabViewRequest {
	var mine, others []slack.Block
	for i := range incs {
		inc := &incs[i]
		if !inc.Open() {
			continue
		}
		roles := rolesOf(inc, viewer)
		title := inc.Title
		if inc.Private && len(roles) == 0 {
			title = "(private incident)"
		}
		where := ""
		if inc.ChannelID != "" && (!inc.Private || len(roles) > 0) {
			where = fmt.Sprintf(" in <#%s>", inc.ChannelID)
		}
		text := fmt.Sprintf("%s*%s* %s · %s · %s%s\nIC %s · declared %s",
			drillIcon(inc), inc.Key(), inc.Severity, inc.Status, title, where, Mrkdwn(words.Commander(inc)), DateToken(inc.DeclaredAt))
		if len(roles) > 0 {
			text += "\n:bust_in_silhouette: You are the " + strings.Join(roles, " and the ")
			mine = append(mine, slack.NewSectionBlock(mrkdwn(truncate(text, maxSectionText)), nil, nil))
		} else {
			others = append(others, slack.NewSectionBlock(mrkdwn(truncate(text, maxSectionText)), nil, nil))
		}
	}
	listed := append(mine, others...)
	open = max(open, len(listed))
	if len(listed) > MaxHomeIncidents {
		listed = listed[:MaxHomeIncidents]
	}
	more := open - len(listed)
	blocks := []slack.Block{slack.NewHeaderBlock(plain(fmt.Sprintf("Open incidents: %d", open)))}
	if len(mine) > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("You hold a role in %d of them; those come first.", len(mine)))))
	}
	if len(listed) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("No open incidents. :white_check_mark:"), nil, nil))
	}
	blocks = append(blocks, listed...)
	footer := "Declare one with `/incident declare`; `/incident stats` shows the recovery KPIs."
	if more > 0 {
		footer = fmt.Sprintf("%d more not shown. ", more) + footer
	}
	blocks = append(blocks, slack.NewDividerBlock(), slack.NewContextBlock("", mrkdwn(footer)))
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// rolesOf names the crisis roles user holds in inc.
func rolesOf(inc *incident.Incident, user string) []string {
	var roles []string
	for _, r := range incident.CrisisRoles {
		if user != "" && inc.Holder(r) == user {
			roles = append(roles, r.Title())
		}
	}
	return roles
}

func drillIcon(inc *incident.Incident) string {
	if inc.Drill {
		return ":test_tube: DRILL "
	}
	return ""
}
