package bot_test

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const (
	alice = "U0ALICE"
	bob   = "U0BOB"
)

// reminderMsg is a cadence reminder as the channel shows it: its label, the draft, and the
// values of its two buttons.
type reminderMsg struct {
	TS, Text, Label, Draft, Post, Edit string
}

// slackBlock is what these tests read of a Block Kit block.
type slackBlock struct {
	Type    string `json:"type"`
	BlockID string `json:"block_id"`
	Text    *struct {
		Text string `json:"text"`
	} `json:"text"`
	Elements []struct {
		Text     json.RawMessage `json:"text"`
		ActionID string          `json:"action_id"`
		Value    string          `json:"value"`
	} `json:"elements"`
}

// draftBlocks reads a draft's blocks: its label, text and buttons.
func draftBlocks(t testing.TB, raw json.RawMessage) (r reminderMsg, ok bool) {
	t.Helper()
	var blocks []slackBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	for _, b := range blocks {
		switch b.BlockID {
		case "draft-label":
			json.Unmarshal(b.Elements[0].Text, &r.Label) // a context's element is a text object
		case "draft":
			r.Draft, ok = b.Text.Text, true
		case "draft-actions":
			for _, el := range b.Elements {
				switch el.ActionID {
				case "incident:draft-post":
					r.Post = el.Value
				case "incident:draft-edit":
					r.Edit = el.Value
				}
			}
		}
	}
	return r, ok
}

// reminder returns the latest reminder in ch that drafts the audience's update.
func (e *env) reminder(ch, audience string) reminderMsg {
	e.t.Helper()
	var found *reminderMsg
	for _, m := range e.slack.Channel(ch).Messages {
		if len(m.Blocks) == 0 {
			continue
		}
		r, ok := draftBlocks(e.t, m.Blocks)
		if ok && strings.HasPrefix(r.Label, "*Drafted "+incident.UpdateName(audience)+"*") {
			r.TS, r.Text = m.TS, m.Text
			found = &r
		}
	}
	if found == nil {
		e.t.Fatalf("no reminder drafts the %s in %s", incident.UpdateName(audience), ch)
	}
	return *found
}

// do runs a command as user and fails the test unless the answer says want.
func (e *env) do(user, ch, text, want string) {
	e.t.Helper()
	if r := e.sys.Do(user, ch, text); !strings.Contains(r.Text, want) {
		e.t.Fatalf("/incident %s answered %q, want %q", text, r.Text, want)
	}
}

// advance moves the clock a minute at a time, delivering what falls due at each.
func (e *env) advance(d time.Duration) {
	for moved := time.Duration(0); moved < d; moved += time.Minute {
		e.sys.Clock.Advance(time.Minute)
		e.sys.Deliver()
	}
}

// updates returns the incident's status updates.
func (e *env) updates(id int64) []incident.TimelineEvent {
	var out []incident.TimelineEvent
	for _, ev := range e.sys.Events(id) {
		if ev.Kind == incident.EventStatusUpdate {
			out = append(out, ev)
		}
	}
	return out
}

// p0 declares INC-1 at 03:00 on intent-processing as P1; tells customers (and so the
// team) at 03:02; by 03:04 it is a P0 on two services with its impact set, a
// technical lead, a note, and a playbook step that succeeded and one done by hand.
func p0(t *testing.T) (*env, string) {
	e := newEnvWith(t, false, testenv.WithPlaybooks("testdata/playbooks"))
	e.do(alice, e.general, "declare P1 intent-processing Intent API returning 500s", "Declared *INC-1*")
	e.sys.Deliver()
	ch := e.sys.Incident(1).ChannelID
	e.advance(time.Minute)
	e.do(alice, ch, "impact 40 enterprise", "Estimated impact")
	e.do(alice, ch, "impact 20 mid", "Estimated impact")
	e.advance(time.Minute)
	e.do(bob, ch, "update --customers We are investigating errors on the intent API.", "Update posted")
	e.advance(time.Minute)
	e.do(alice, ch, "service add api-gateway", "now affects")
	e.do(alice, ch, "severity P0", "is now P0")
	e.do(alice, ch, "role technical-lead <@U0BOB|bob>", "Technical lead")
	e.do(bob, ch, "note DNS TTL is 300s, secret-ish internals", "Noted")
	e.do(alice, ch, "playbook comms-check", "Started")
	e.do(bob, ch, "step 1.1 run", "Running")
	e.sys.Deliver()
	e.advance(time.Minute)
	e.do(bob, ch, "step 1.2 run", "Mark done")
	e.do(bob, ch, "step 1.2 done", "Marked")
	return e, ch
}

// The drafts of a P0 on two services with its impact, after a severity change and
// playbook steps, one for each audience, each as its first reminder shows it.
func TestDraftsGolden(t *testing.T) {
	e, ch := p0(t)
	e.advance(time.Minute) // 03:05: the status page update is due
	drafts := map[string]string{incident.AudienceStatusPage: e.reminder(ch, incident.AudienceStatusPage).Draft}
	e.advance(25 * time.Minute) // 03:30: customers and team (met at 03:15 by the update of 03:02)
	drafts[incident.AudienceCustomers] = e.reminder(ch, incident.AudienceCustomers).Draft
	drafts[incident.AudienceTeam] = e.reminder(ch, incident.AudienceTeam).Draft
	e.advance(3 * time.Minute) // 03:33: the executive briefing, 30 minutes after the P0
	drafts[incident.AudienceExecs] = e.reminder(ch, incident.AudienceExecs).Draft
	e.advance(27 * time.Minute) // 04:00: stakeholders
	drafts[incident.AudienceStakeholders] = e.reminder(ch, incident.AudienceStakeholders).Draft

	for audience, text := range drafts {
		testenv.Golden(t, filepath.Join("testdata", "drafts", "p0-"+audience+".txt"), text+"\n")
		public := incident.PublicAudience(audience)
		for _, internal := range []string{"DNS TTL", "Intent API returning 500s", "INC-1", "<@", "$", "RTO", "Tell the team", "replica lag"} {
			if public && strings.Contains(text, internal) {
				t.Errorf("the public %s draft says %q:\n%s", audience, internal, text)
			}
		}
		if !public && !strings.Contains(text, "raised severity from P1 to P0") {
			t.Errorf("the %s draft does not tell the severity change:\n%s", audience, text)
		}
		if strings.Contains(text, "DNS TTL") != (audience == incident.AudienceTeam) {
			t.Errorf("the %s draft: notes are the team's alone:\n%s", audience, text)
		}
	}
	if !strings.Contains(drafts[incident.AudienceCustomers], "The impact grew from a partial outage to a major outage.") {
		t.Errorf("the customers' draft does not say the outage grew:\n%s", drafts[incident.AudienceCustomers])
	}
}

// A draft after an update that nothing followed says that nothing changed.
func TestDraftNothingNewGolden(t *testing.T) {
	e := newEnvWith(t, false)
	e.do(alice, e.general, "declare P2 Gateway latency", "Declared *INC-1*")
	e.sys.Deliver()
	ch := e.sys.Incident(1).ChannelID
	e.advance(time.Minute)
	e.do(alice, ch, "update Looking at the gateway's upstreams.", "Update posted")
	e.advance(29 * time.Minute) // 03:15 met, 03:30 missed
	r := e.reminder(ch, incident.AudienceTeam)
	testenv.Golden(t, filepath.Join("testdata", "drafts", "nothing-new-team.txt"), r.Draft+"\n")
	if !strings.Contains(r.Draft, "No change since the previous team update at 03:01 UTC.") {
		t.Errorf("the draft:\n%s", r.Draft)
	}
}

// A private incident's public draft says the state of its services and nothing else.
func TestDraftPrivateIncidentGolden(t *testing.T) {
	e := newEnvWith(t, false)
	e.do(alice, e.general, "declare P1 payroll Payroll export leaks salaries", "Declared *INC-1*")
	e.sys.Deliver()
	ch := e.sys.Incident(1).ChannelID
	if !e.sys.Incident(1).Private {
		t.Fatal("an incident on a confidential service is private")
	}
	e.advance(time.Minute)
	e.do(alice, ch, "severity P0", "is now P0")
	e.do(alice, ch, "note HR data of 300 people", "Noted")
	e.advance(4 * time.Minute)
	r := e.reminder(ch, incident.AudienceStatusPage)
	testenv.Golden(t, filepath.Join("testdata", "drafts", "private-status-page.txt"), r.Draft+"\n")
	for _, secret := range []string{"salaries", "Payroll export", "HR data", "INC-1", "grew"} {
		if strings.Contains(r.Draft, secret) {
			t.Errorf("the private incident's public draft says %q:\n%s", secret, r.Draft)
		}
	}
	if !strings.Contains(r.Label, "never an update's text") {
		t.Errorf("the label does not say what the status page shows of a private incident: %s", r.Label)
	}
}

// A drill's public draft is marked as one, and its reminder says the status page shows
// nothing of it.
func TestDraftOfADrill(t *testing.T) {
	e := newEnvWith(t, false, testenv.WithPlaybooks("testdata/playbooks"))
	e.do(alice, e.general, "drill comms-check", "INC-1")
	e.sys.Deliver()
	ch := e.sys.Incident(1).ChannelID
	if !e.sys.Incident(1).Drill {
		t.Fatal("not a drill")
	}
	e.advance(5 * time.Minute)
	r := e.reminder(ch, incident.AudienceStatusPage)
	if !strings.HasPrefix(r.Draft, "[DRILL] ") || !strings.Contains(r.Label, "A drill: the status page shows nothing of it.") {
		t.Errorf("the drill's reminder: %s\n%s", r.Label, r.Draft)
	}
}
