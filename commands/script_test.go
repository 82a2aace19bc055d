package commands_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/words"
)

// script runs /incident commands as different people and checks each answer, in the
// style of upspin's scripted tests.
type script struct {
	t   *testing.T
	sys *testenv.System
}

const (
	alice = "U0ALICE"
	bob   = "U0BOB"
)

// do runs text as user in channel and fails unless the answer contains every want.
func (s *script) do(user, channel, text string, want ...string) string {
	s.t.Helper()
	reply := s.sys.Do(user, channel, text)
	for _, w := range want {
		if !strings.Contains(reply.Text, w) {
			s.t.Errorf("%s: /incident %s\n answered: %s\n want: %s", user, text, reply.Text, w)
		}
	}
	return reply.Text
}

func TestScriptedIncident(t *testing.T) {
	sys := testenv.NewSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)

	s.do(alice, general, "help", "/incident declare [P0-P3] [service] <title> [--private]", "/incident resolve [summary]")
	s.do(alice, general, "", "Usage:")
	s.do(alice, general, "escalate technical-lead", "Unknown command `escalate`", "Usage:")
	s.do(alice, general, "page technical-lead", "Paging is not set up")
	s.do(bob, general, "status", "This is not an incident channel")
	s.do(bob, general, "update all fine", "This is not an incident channel")
	s.do(alice, general, "declare P5 x", `"P5" is not a severity`)
	s.do(alice, general, "declare P1 intent-processing Intent API returning 500s", "Declared *INC-1* (P1, partial or regional outage)")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID

	s.do(bob, ch, "status", "*INC-1* P1: Intent API returning 500s", "Service: intent-processing (tier 1, Mission critical)", "Commander: <@U0ALICE>")
	s.do(bob, ch, "update", "An update needs some text.", "Usage: `/incident update [--status-page] [--customers] [--execs] [--stakeholders] [--board] <text>`")
	s.do(bob, ch, "update Failing over to us-west-2", "Update posted to INC-1")
	s.do(bob, ch, "severity", "Give exactly one severity.", "Usage: `/incident severity <P0-P3>`")
	s.do(alice, ch, "severity p0", "INC-1 is now P0.")
	s.do(alice, ch, "severity P0", "INC-1 is already P0.")
	s.do(bob, ch, "note \"DNS TTL is 300s\"", "Noted on the INC-1 timeline")
	s.do(bob, ch, "mitigate now", "`mitigate` takes no arguments.")
	s.do(bob, ch, "mitigate", "INC-1 is marked mitigated.")
	s.do(alice, ch, "mitigate", "INC-1 is already mitigated.")
	s.do(alice, ch, "timeline", "*Timeline of INC-1* (UTC)", "*declared*", "*status_update* [team] Failing over to us-west-2", "*note* \"DNS TTL is 300s\"", "*mitigated*")
	s.do(alice, ch, "timeline everything", "`timeline` takes `all` and `page <n>`.")
	if got := s.do(alice, ch, "timeline"); strings.Contains(got, "topic_set") {
		t.Error("timeline shows housekeeping without `all`")
	}
	s.do(alice, ch, "timeline all", "*topic_set*")
	s.do(alice, ch, "service add api-gateway", "INC-1 now affects intent-processing, api-gateway. RTO 15m (intent-processing), RPO 30s (intent-processing).")
	s.do(alice, ch, "service add api-gateway", "api-gateway already affects INC-1")
	s.do(alice, ch, "service remove api-gateway", "Usage: `/incident service add <name>`")
	s.do(bob, ch, "impact 25", "Estimated impact of INC-1: $44,625 per hour, $0 so far.")
	s.do(bob, ch, "impact lots", `"lots" is not a percentage`)
	s.do(bob, ch, "followup Add a replica-lag alert <@U0BOB|bob>", "Follow-up #1 recorded")
	s.do(bob, ch, "followup", "A follow-up needs some text.")
	s.do(bob, ch, "followup done first", `"first" is not a follow-up number`, "Usage: `/incident followup <text> [@owner] | followup done <#>`")
	s.do(bob, ch, "followup done", `"" is not a follow-up number`)
	s.do(bob, ch, "followups", "#1 Add a replica-lag alert (owner <@U0BOB>)", "open for 0s")
	s.do(alice, ch, "roles", "*Incident commander*: <@U0ALICE>", "*Technical lead*: unfilled")
	s.do(bob, ch, "role tl me", "<@U0BOB> is now the Technical lead of INC-1.")
	s.do(bob, ch, "role technical-lead <@U0BOB|bob>", "You already are the Technical lead of INC-1.")
	s.do(bob, ch, "role janitor me", `"janitor" is not a crisis role`, "Usage: `/incident role <role> <@user|me>`")
	s.do(bob, ch, "role ic bob", `"bob" is not a user`)
	s.do(bob, ch, "role ic", "Name a role and a person.")
	s.do(alice, ch, "role ic <@U0BOB|bob>", "<@U0BOB> is now the Incident commander of INC-1.")
	s.do(alice, ch, "roles", "*Incident commander*: <@U0BOB>", "*Technical lead*: <@U0BOB>", "*Communications lead*: unfilled")
	s.do(alice, ch, "status", "Commander: <@U0BOB>")
	s.do(alice, ch, "resolve Failed over; root cause in the review", "INC-1 is resolved after")
	s.do(alice, ch, "role comms me", "INC-1 is resolved")
	s.do(bob, ch, "resolve", "INC-1 is resolved; declare a new incident if the problem is back.")
	s.do(bob, ch, "note Customer confirmed recovery", "Noted")
	sys.Deliver()

	if !sys.Slack.Channel(ch).Members[bob] {
		t.Error("bob was given a role but not invited")
	}
	if topic := sys.Slack.Channel(ch).Topic; !strings.Contains(topic, "IC <@U0BOB>") {
		t.Errorf("topic %q does not name the new commander", topic)
	}
	card := string(sys.Slack.Channel(ch).Messages[0].Blocks)
	if !strings.Contains(card, `TL \u003c@U0BOB\u003e`) || strings.Contains(card, "take-technical-lead") {
		t.Errorf("card roles not updated: %s", card)
	}
	msgs := sys.Slack.Channel(ch).Messages
	var posted []string
	for _, m := range msgs[1:] {
		posted = append(posted, m.Text)
	}
	all := strings.Join(posted, "\n")
	for _, w := range []string{"*Update* from <@U0BOB> (P1, investigating)\nFailing over to us-west-2", "raised the severity from P1 to *P0*", "marked INC-1 *mitigated*", "<@U0BOB> took the Technical lead role",
		"<@U0ALICE> handed the Incident commander role from <@U0ALICE> to <@U0BOB>", "resolved INC-1", "Failed over; root cause in the review"} {
		if !strings.Contains(all, w) {
			t.Errorf("the channel lacks %q:\n%s", w, all)
		}
	}
}

func TestPrivateDeclarationSaysPrivate(t *testing.T) {
	sys := testenv.NewSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice)
	got := s.do(alice, general, "declare --private P1 suspected credential leak", "its private channel")
	if strings.Contains(got, "credential") {
		t.Errorf("the answer repeats a private title: %q", got)
	}
}

// Corrections: by the author or the commander; the original stays in the chain.
func TestCorrections(t *testing.T) {
	sys := testenv.NewSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)
	s.do(alice, general, "declare P2 checkout slow")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	s.do(bob, ch, "note cache hit rate 40%", "Noted")
	evs := sys.Events(1)
	note := evs[len(evs)-1].Seq
	s.do("U0CAROL", ch, fmt.Sprintf("correct %d cache hit rate 45%%", note), "Only the author of event #")
	s.do(bob, ch, fmt.Sprintf("correct #%d cache hit rate 45%%", note), fmt.Sprintf("Correction of #%d recorded", note))
	s.do(alice, ch, fmt.Sprintf("correct %d cache hit rate 46%%", note), "Correction of")
	s.do(alice, ch, "correct 1 not declared", "only notes, captured messages and updates can be corrected")
	s.do(alice, ch, "correct 999 x", "has no event #999")
	s.do(alice, ch, "correct x", "Give the event's number")
	s.do(alice, ch, "timeline", fmt.Sprintf("#%d", note), "*note* cache hit rate 40%", fmt.Sprintf("*correction* Correction of #%d by <@U0BOB>: cache hit rate 45%%", note))
	if b := incident.VerifyChain(sys.Events(1)); b != nil {
		t.Errorf("chain %+v", b)
	}
}

// `/incident status` shows the RTO clock and the running impact, as the card does, and who
// is on call for an unfilled command.
func TestStatusShowsTheRTOClockAndTheImpact(t *testing.T) {
	sys := testenv.NewSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)
	s.do(alice, general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	s.do(alice, ch, "impact 10")
	sys.Clock.Advance(10 * time.Minute)
	s.do(bob, ch, "status", "RTO: 15m (intent-processing), 5m left, deadline 03:15 UTC\n", "Impact: $2,975 so far ($17,850/h)")
	sys.Clock.Advance(10 * time.Minute)
	s.do(bob, ch, "status", "RTO: 15m (intent-processing), overdue by 5m\n")
	s.do(alice, ch, "mitigate")
	sys.Clock.Advance(time.Hour)
	s.do(bob, ch, "status", "RTO: 15m (intent-processing), missed: recovered after 20m\n", "Impact: $5,950 so far ($17,850/h)")

	s.do(alice, general, "declare P3 a minor thing")
	sys.Deliver()
	if got := s.do(bob, sys.Incident(2).ChannelID, "status"); strings.Contains(got, "RTO") || strings.Contains(got, "Impact") {
		t.Errorf("an incident with no service and no impact: %s", got)
	}

	inc := sys.Incident(1)
	inc.Commander = ""
	inc.Roles = map[incident.Role]incident.RoleState{incident.RoleCommander: {OnCall: "U0CAROL"}}
	if got := words.Commander(inc).String(); got != "unfilled, on call U0CAROL" {
		t.Errorf("commander %q", got)
	}
}

// Quotes that group a follow-up's text are not part of it; quotes inside it are.
func TestFollowupQuotesGroupTheText(t *testing.T) {
	sys := testenv.NewSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)
	s.do(alice, general, "declare P2 api-gateway slow")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	s.do(alice, ch, `followup "fix the thing"`, "Follow-up #1 recorded")
	s.do(alice, ch, "followup “alert on lag” <@U0BOB|bob>", "Follow-up #2 recorded")
	s.do(alice, ch, `followup rename "primary" to "writer"`, "Follow-up #3 recorded")
	s.do(alice, ch, `followup "a" and "b"`, "Follow-up #4 recorded")
	fs, err := sys.Service.Followups(sys.Ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Text+"|"+f.Owner)
	}
	want := []string{"fix the thing|", "alert on lag|U0BOB", `rename "primary" to "writer"|`, `"a" and "b"|`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("follow-ups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
