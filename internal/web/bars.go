package web

import (
	"fmt"
	"html/template"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// bar is a measure against its target, drawn as a track: the fill is the measure, the
// mark the target, on a scale of whichever is longer.
type bar struct {
	Name string
	Text string       // what the bar says, in words (it reads the same without CSS)
	Fill template.CSS // the fill's width
	Mark template.CSS // the target's place
	// Span, for a phase that opens after its run starts, is the stretch of its window.
	Span  template.CSS
	Class string // ok, warn (from 80% of the target) or over; "" while it runs below that
}

// newBar draws took against target; done says the measure is final (a final one within
// its target is ok).
func newBar(name, text string, took, target time.Duration, done bool) bar {
	scale := max(target, took)
	b := bar{Name: name, Text: text}
	if scale <= 0 {
		b.Fill, b.Mark = "width:0%", "left:100%"
		return b
	}
	pct := func(d time.Duration) float64 { return 100 * float64(d) / float64(scale) }
	b.Fill = template.CSS(fmt.Sprintf("width:%.1f%%", pct(took)))
	b.Mark = template.CSS(fmt.Sprintf("left:calc(%.1f%% - 1px)", pct(target)))
	switch {
	case took > target:
		b.Class = "over"
	case done:
		b.Class = "ok"
	case took*5 >= target*4:
		b.Class = "warn"
	}
	return b
}

// clocks are the incident's RTO clock (declared to mitigated, or to now) and, when a
// data loss was measured or recorded, its RPO, each against its target.
func clocks(inc *incident.Incident, o incident.Objectives, now time.Time) []bar {
	var out []bar
	if o.RTO > 0 {
		end, done := now, false
		if !inc.MitigatedAt.IsZero() {
			end, done = inc.MitigatedAt, true
		}
		took, target := end.Sub(inc.DeclaredAt), o.RTO
		var text string
		switch {
		case done && took <= target:
			text = fmt.Sprintf("mitigated in %s, within the %s target", incident.FormatDuration(took), incident.FormatDuration(target))
		case done:
			text = fmt.Sprintf("mitigated in %s, %s over the %s target", incident.FormatDuration(took), incident.FormatDuration(took-target), incident.FormatDuration(target))
		case took > target:
			text = fmt.Sprintf("%s elapsed, overdue by %s (target %s)", incident.FormatDuration(took), incident.FormatDuration(took-target), incident.FormatDuration(target))
		default:
			text = fmt.Sprintf("%s elapsed of %s, %s left", incident.FormatDuration(took), incident.FormatDuration(target), incident.FormatDuration(target-took))
		}
		if o.RTOService != "" {
			text += " · " + o.RTOService
		}
		out = append(out, newBar("RTO", text, took, target, done))
	}
	if o.RPO > 0 {
		if loss, measured, ok := inc.DataLoss(); ok {
			how := "recorded"
			if measured {
				how = "measured"
			}
			text := fmt.Sprintf("%s of data lost (%s), target %s", incident.FormatDuration(loss), how, incident.FormatDuration(o.RPO))
			if loss > o.RPO {
				text = fmt.Sprintf("%s of data lost (%s), %s over the %s target", incident.FormatDuration(loss), how, incident.FormatDuration(loss-o.RPO), incident.FormatDuration(o.RPO))
			}
			out = append(out, newBar("RPO", text, loss, o.RPO, true))
		} else {
			out = append(out, bar{Name: "RPO", Text: fmt.Sprintf("target %s; no data loss measured yet", incident.FormatDuration(o.RPO))})
		}
	}
	return out
}

// runView is a playbook run as the incident page shows it: its phases against their windows.
type runView struct {
	Title     string
	StartedBy template.HTML
	StartedAt template.HTML
	Phases    []phaseView
}

// phaseView is one phase: a bar of the time since the run started (to the phase's end,
// once every step of it is finished) against the phase's window, and its steps.
type phaseView struct {
	Name   string
	Window string // "within 15m", "15m to 45m"
	Bar    *bar   // nil for a phase without a window
	Steps  []stepView
}

// stepView is a step and its state.
type stepView struct {
	Ref, Title, Owner, State, Class string
	Deadline                        template.HTML
	Overdue                         bool
}

func viewRun(run *incident.Run, now time.Time, names words.Names) runView {
	rv := runView{Title: run.Title, StartedBy: actorHTML(run.StartedBy, names), StartedAt: clockHTML(run.StartedAt)}
	for i := 0; i < len(run.Steps); {
		first := &run.Steps[i]
		pv := phaseView{Name: first.PhaseName}
		finished, end := true, run.StartedAt
		for ; i < len(run.Steps) && run.Steps[i].Phase == first.Phase; i++ {
			s := &run.Steps[i]
			dl := s.Deadline(run)
			overdue := !s.State.Finished() && s.PhaseWithin > 0 && now.After(dl)
			pv.Steps = append(pv.Steps, stepView{Ref: s.Ref(run), Title: s.Spec.Title, Owner: s.Spec.Owner.Title(),
				State: stepStateWords(s.State), Class: string(s.State), Deadline: clockHTML(dl), Overdue: overdue})
			if !s.State.Finished() {
				finished = false
			} else if s.UpdatedAt.After(end) {
				end = s.UpdatedAt
			}
		}
		if !finished {
			end = now
		}
		if w := first.PhaseWithin; w > 0 {
			pv.Window = "due by " + incident.FormatDuration(w)
			if a := first.PhaseAfter; a > 0 {
				pv.Window = "window " + incident.FormatDuration(a) + " to " + incident.FormatDuration(w)
			}
			took := end.Sub(run.StartedAt)
			text := fmt.Sprintf("%s since the run started, %s", incident.FormatDuration(took), pv.Window)
			if finished {
				text = fmt.Sprintf("done %s after the run started, %s", incident.FormatDuration(took), pv.Window)
			}
			b := newBar(first.PhaseName, text, took, w, finished)
			if a := first.PhaseAfter; a > 0 && a < w {
				scale := float64(max(w, took))
				b.Span = template.CSS(fmt.Sprintf("left:%.1f%%;width:%.1f%%", 100*float64(a)/scale, 100*float64(w-a)/scale))
			}
			pv.Bar = &b
		}
		rv.Phases = append(rv.Phases, pv)
	}
	return rv
}

// stepStateWords is a step's state as people say it.
func stepStateWords(s incident.StepState) string {
	switch s {
	case incident.StepAwaitingApproval:
		return "awaiting approval"
	case incident.StepUnknown:
		return "unknown: verify"
	}
	return string(s)
}
