package drills

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/kubecluster"
)

// knownTypes are the step types the driver knows: for each, what the drill's world gives
// the step so that it can succeed. A step of another type fails its drill naming the type:
// teach the world (world.go), the stand-ins or the fakes what it needs, then add it here.
var knownTypes = map[string]string{
	"manual":                     "a person does it and presses Mark done",
	"notify":                     "the bot posts in the incident's channel (the Slack emulator)",
	"http":                       "the hooks fake answers under the allow-listed URL (hooks_test.go)",
	"kubernetes.check":           "the namespace's workloads, available on kwok nodes",
	"kubernetes.wait":            "the namespace's workloads, available on kwok nodes",
	"kubernetes.rollout-restart": "the Deployment the step names",
	"kubernetes.scale":           "the Deployments the step names, or the entry's",
	"kubernetes.patch":           "the ConfigMap the step names, or what an earlier apply created",
	"kubernetes.apply":           "the drill's namespace; the manifest creates the rest",
	"kubernetes.exec":            "a running pod on a kwok node; kwok runs the command's stand-in (standins_test.go)",
	"kubernetes.cordon":          "the drill's own kwok node",
	"kubernetes.drain":           "the drill's own kwok node, with the drill's pods on it",
	"kubernetes.preflight":       "kwok nodes with room for the scale-ups; the drill's Patroni fake for the lag check",
	"patroni.switchover":         "the drill's Patroni fake (patronifake) at patroni_url, on an allow-listed host (drills.patroni_hosts in a rehearsal)",
}

// driver walks one drill's step cards in order and acts on each as its people would,
// through the cards' buttons: the owner presses Mark done, Run or Request approval; for a
// step that waits for approval, a second person (never the one who asked) presses Approve,
// and for a two-person step the one who asked tries first and must be refused.
type driver struct {
	t       *testing.T
	bot     *bot
	slack   *testenv.Slack
	cluster *kubecluster.Cluster
	channel string
	e       entry
	steps   []incident.StepSpec // the run as the playbook builds it, in the cards' order
	ns      string
	mode    string

	// What the walk saw, for the checks after it.
	refusedSelf map[string]string // step ID: the refusal the requester saw approving their own two-person step
	byHand      map[string]bool   // steps a person did by hand after the bot's attempt failed
	final       map[string]card   // step ID: its card once finished
}

// cards reads the channel's step cards.
func (d *driver) cards() []card { return stepCards(d.slack.Channel(d.channel)) }

// card waits for the i-th step card and returns it.
func (d *driver) card(i int) card {
	d.t.Helper()
	var c card
	until(d.t, 30*time.Second, fmt.Sprintf("the card of step %d (%s)", i+1, d.steps[i].StepID), func() bool {
		cs := d.cards()
		if len(cs) != len(d.steps) {
			return false
		}
		c = cs[i]
		return c.State != ""
	})
	return c
}

// changed waits until the i-th card leaves state from, and returns it.
func (d *driver) changed(i int, from string, timeout time.Duration) card {
	d.t.Helper()
	var c card
	until(d.t, timeout, fmt.Sprintf("step %s to leave %q", d.steps[i].StepID, from), func() bool {
		c = d.card(i)
		return c.State != from
	})
	return c
}

// walk drives every step to its end.
func (d *driver) walk() {
	d.refusedSelf, d.byHand, d.final = map[string]string{}, map[string]bool{}, map[string]card{}
	for i, spec := range d.steps {
		c := d.card(i)
		if c.Type() != spec.Action.Type {
			d.t.Fatalf("card %d shows a %q step, the playbook's step %s is %q", i+1, c.Type(), spec.StepID, spec.Action.Type)
		}
		if _, ok := knownTypes[c.Type()]; !ok {
			d.t.Fatalf("step %s (%q) is of type %s, which the drill driver does not know: give its world what it needs and add it to knownTypes (test/drills/driver_test.go)",
				spec.StepID, c.Title, c.Type())
		}
		c = d.drive(i, spec)
		d.final[spec.StepID] = c
		how := c.People
		if d.byHand[spec.StepID] {
			how += " (done by hand)"
		}
		d.t.Logf("step %d %s (%s): %s: %s", c.Seq, spec.StepID, c.Type(), how, oneLine(c.Output))
	}
}

// oneLine is a step's output on one line, shortened.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// drive acts on one card until its step has finished, and returns the finished card.
func (d *driver) drive(i int, spec incident.StepSpec) card {
	t := d.t
	owner := holder(t, spec.Owner)
	triedSelf := false
	for {
		c := d.card(i)
		switch c.State {
		case "pending":
			if c.DryRunPending { // a person reads the dry run before asking
				c = d.settled(i)
			}
			if b, ok := c.Button(incident.StepVerbDone); ok {
				d.bot.click(t, owner, d.channel, b)
			} else if b, ok := c.Button(incident.StepVerbRun); ok {
				d.bot.click(t, owner, d.channel, b)
			} else {
				t.Fatalf("step %s is pending with neither Mark done nor Run on its card: %+v", spec.StepID, c.Buttons)
			}
			d.changed(i, "pending", 30*time.Second)
		case "awaiting approval":
			asker := c.RequestedBy()
			b, ok := c.Button(incident.StepVerbApprove)
			if !ok || asker == "" {
				t.Fatalf("step %s awaits approval without an Approve button or a requester: %+v", spec.StepID, c)
			}
			if strings.Contains(c.Approval, "two-person") && !triedSelf {
				triedSelf = true
				d.refusedSelf[spec.StepID] = d.approveOwn(i, spec, bySlackID(t, asker), b)
				continue
			}
			d.bot.click(t, approver(t, spec, asker), d.channel, b)
			// The approval runs the step, or is voided at execution because the plan changed
			// since the card showed it (an earlier step of the run created or changed the
			// object): the card then shows the new plan, with a new digest on Approve, and a
			// person reads it and approves again.
			until(t, 30*time.Second, "step "+spec.StepID+" to run, or its approval to be voided", func() bool {
				c := d.card(i)
				now, _ := c.Button(incident.StepVerbApprove)
				return c.State != "awaiting approval" || now.Value != b.Value
			})
		case "approved", "running":
			if b, ok := c.Button(incident.StepVerbDone); ok && c.State == "approved" {
				// A manual step approved for a person to do: they do it and mark it done.
				d.bot.click(t, owner, d.channel, b)
				d.changed(i, c.State, 30*time.Second)
				continue
			}
			d.changed(i, c.State, 10*time.Minute) // a wait step may take its time
		case "succeeded":
			return c
		case "failed", "unknown":
			why, ok := d.e.ByHand[spec.StepID]
			if !ok || d.byHand[spec.StepID] {
				t.Fatalf("step %s (%s) %s:\n%s", spec.StepID, spec.Summary, c.State, c.Output)
			}
			if !strings.Contains(c.Output, why) {
				t.Fatalf("step %s failed as the table expects, but not with %q:\n%s", spec.StepID, why, c.Output)
			}
			t.Logf("PLAYBOOK FINDING: step %s fails on a real API server: %s; a person does it by hand and marks it done", spec.StepID, c.Output)
			d.doByHand(spec)
			d.byHand[spec.StepID] = true
			b, ok := c.Button(incident.StepVerbDone)
			if !ok {
				t.Fatalf("failed step %s has no Mark done button", spec.StepID)
			}
			d.bot.click(t, owner, d.channel, b)
			d.changed(i, c.State, 30*time.Second)
		default:
			t.Fatalf("step %s came to %q: %s", spec.StepID, c.State, c.Output)
		}
	}
}

// settled waits for the i-th card's dry run.
func (d *driver) settled(i int) card {
	var c card
	until(d.t, 30*time.Second, "the dry run of step "+d.steps[i].StepID, func() bool {
		c = d.card(i)
		return !c.DryRunPending
	})
	return c
}

// approveOwn has the requester press Approve on their own two-person step: the bot must
// refuse, tell them why, and leave the step waiting. It returns what they were told.
func (d *driver) approveOwn(i int, spec incident.StepSpec, asker person, b button) string {
	t := d.t
	before := len(d.slack.Ephemerals())
	d.bot.click(t, asker, d.channel, b)
	var told string
	until(t, 30*time.Second, "the refusal of "+asker.Name+"'s own approval", func() bool {
		for _, e := range d.slack.Ephemerals()[before:] {
			if e.User == asker.SlackID && e.Channel == d.channel {
				told = e.Text
				return true
			}
		}
		return false
	})
	if c := d.card(i); c.State != "awaiting approval" {
		t.Fatalf("step %s: %s approved their own two-person step (%q): it is %s", spec.StepID, asker.Name, told, c.State)
	}
	return told
}

// doByHand does what a failed step should have done, as a person would with kubectl.
// Only apply steps can be done so; the table names which and why.
func (d *driver) doByHand(spec incident.StepSpec) {
	t := d.t
	if spec.Action.Type != "kubernetes.apply" {
		t.Fatalf("step %s: the driver can do only apply steps by hand, not %s", spec.StepID, spec.Action.Type)
	}
	cmd := exec.Command(filepath.Join(kubecluster.BinDir(), "kubectl"), "--kubeconfig", d.cluster.Kubeconfig,
		"apply", "--server-side", "--field-manager", "drill-by-hand", "-n", d.ns, "-f", "-")
	cmd.Stdin = strings.NewReader(spec.Action.Content)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kubectl apply of step %s by hand: %v\n%s", spec.StepID, err, out)
	}
}

// holder is who holds role in every drill.
func holder(t *testing.T, role incident.Role) person {
	p, ok := roleHolders[string(role)]
	if !ok {
		t.Fatalf("nobody takes the role %q in the drills", role)
	}
	return p
}

func bySlackID(t *testing.T, id string) person {
	for _, p := range team {
		if p.SlackID == id {
			return p
		}
	}
	t.Fatalf("%s is not on the team", id)
	return person{}
}

// approver is the first holder of the step's approval roles who did not ask for it: a
// second person approves every step that changes something.
func approver(t *testing.T, spec incident.StepSpec, asker string) person {
	for _, r := range spec.ApprovalRoles {
		if p := holder(t, r); p.SlackID != asker {
			return p
		}
	}
	t.Fatalf("step %s: no holder of %v other than the requester %s may approve it", spec.StepID, spec.ApprovalRoles, asker)
	return person{}
}
