package incident_test

import (
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// With one worker, an effect that waits (the update of a step card not posted yet) does not
// stop DeliverDue while other effects are due: the cards are posted and the step runs.
func TestDeliverDueGoesOnPastAWaitingEffect(t *testing.T) {
	w := newWorld(t)
	w.outbox.Workers = 1
	general := w.slack.AddChannel("general", "U0ALICE", "U0BOB")
	do := func(ch, text string) {
		t.Helper()
		if r := w.sys.Do("U0ALICE", ch, text); r.Error {
			t.Fatalf("/incident %s: %s", text, r.Text)
		}
		w.deliver()
	}
	do(general, "declare P3 intent-processing node down")
	ch := w.incident(1).ChannelID
	// Its cordon and drain steps are dry-run at once; each plan updates a card posted later.
	do(ch, "playbook single-node-failure node=node-7")
	do(ch, "step 1 run")
	runs, err := w.svc.RunsOf(w.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if st := runs[0].Steps[0]; st.State != incident.StepFailed {
		t.Errorf("step 1 is %s (%q), want failed: its execution was not delivered", st.State, st.Output)
	}
	posted := 0
	for _, e := range w.effects(1) {
		if e.Kind == incident.EffectPostStepCard && e.State == incident.EffectDone {
			posted++
		}
	}
	if posted != len(runs[0].Steps) {
		t.Errorf("%d of %d step cards posted", posted, len(runs[0].Steps))
	}
}
