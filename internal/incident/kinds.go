package incident

import (
	"context"
	"fmt"
	"slices"
)

// kindSpec is everything the outbox knows about one effect kind. A new kind is one entry
// in effectKinds: how it is delivered, what to call it in a failure report, which outside
// service it calls, whether it waits for the incident channel and which lane orders it.
type kindSpec struct {
	handle func(o *Outbox, ctx context.Context, inc *Incident, e *Effect) (result, error)
	// does says what the bot was doing, for reports: "I could not <does>".
	does string
	// service is the outside service it calls, for outages (health.go); "" for none, or for
	// failures that say nothing of a shared service (timers, cluster actions).
	service string
	// inChannel: it acts in the incident channel, so it waits until that exists.
	inChannel bool
	// lane orders it among others (lane.go); nil for none.
	lane func(incidentID int64, p EffectPayload) string
	rank int // its place in the lane: lower first, then commit order
	// coalesce: it shows the state as it is when delivered (a card, a topic), so once one is
	// delivered, the effects of its kind pending behind it in its lane are superseded.
	coalesce bool
	// execution: it changes production (a playbook action). It starts only on a claim
	// confirmed just before, and is never run again after a delivery that may have run it.
	execution bool
}

// The outside services effects call.
const (
	serviceSlack     = "slack"
	servicePagerDuty = "pagerduty"
	serviceGitHub    = "github"
	// serviceStatusPage is the hosted status page (Atlassian Statuspage).
	serviceStatusPage = "statuspage"
)

// effectKinds is every effect kind. It is filled in init because handlers enqueue
// effects, which reads it back.
var effectKinds map[EffectKind]kindSpec

func init() {
	effectKinds = map[EffectKind]kindSpec{
		// The channel, then its card, then everything else posted in it: a post claimed while
		// the channel was being created cannot overtake the card.
		EffectCreateChannel: {handle: (*Outbox).createChannel, does: "create the incident channel", service: serviceSlack, lane: incidentLane, rank: 0},
		EffectPostCard:      {handle: (*Outbox).postCard, does: "post the incident card", service: serviceSlack, inChannel: true, lane: incidentLane, rank: 0},
		EffectPost:          {handle: (*Outbox).postMessage, does: "post a message", service: serviceSlack, inChannel: true, lane: incidentLane, rank: 1},
		EffectPostRunCard:   {handle: (*Outbox).runEffect, does: "show the playbook run card", service: serviceSlack, inChannel: true, lane: incidentLane, rank: 1},
		EffectPostStepCard:  {handle: (*Outbox).runEffect, does: "show a playbook step", service: serviceSlack, inChannel: true, lane: incidentLane, rank: 1},
		// Several incidents announce in one channel: in the order they were declared.
		EffectAnnounce: {handle: (*Outbox).announce, does: "announce the incident", service: serviceSlack, inChannel: true, lane: announceLane, rank: 1},
		// Each shows the state when delivered: one at a time, the latest supersedes the rest.
		EffectSetTopic:      {handle: (*Outbox).setTopic, does: "set the channel topic", service: serviceSlack, inChannel: true, lane: topicLane, coalesce: true},
		EffectInvite:        {handle: (*Outbox).invite, does: "invite people to the channel", service: serviceSlack, inChannel: true},
		EffectPinCard:       {handle: (*Outbox).pinCard, does: "pin the incident card", service: serviceSlack, inChannel: true},
		EffectUpdateCard:    {handle: (*Outbox).updateCard, does: "update the incident card", service: serviceSlack, inChannel: true, lane: cardLane, coalesce: true},
		EffectUpdateRunCard: {handle: (*Outbox).runEffect, does: "show the playbook run card", service: serviceSlack, inChannel: true, lane: runCardLane, coalesce: true},
		EffectUpdateStep:    {handle: (*Outbox).runEffect, does: "show a playbook step", service: serviceSlack, inChannel: true, lane: stepCardLane, coalesce: true},
		EffectExecuteStep:   {handle: (*Outbox).runEffect, does: "run a playbook step", inChannel: true, execution: true},
		EffectPlanStep:      {handle: (*Outbox).runEffect, does: "dry-run a playbook step", inChannel: true},

		EffectPage:          {handle: (*Outbox).page, does: "page through PagerDuty", service: servicePagerDuty},
		EffectOnCall:        {handle: (*Outbox).onCall, does: "find who is on call"},
		EffectPagerNotes:    {handle: (*Outbox).fanOut, does: "add a note in PagerDuty"}, // the fan-outs only read the database
		EffectPagerNote:     {handle: (*Outbox).pagerNote, does: "add a note in PagerDuty", service: servicePagerDuty},
		EffectPagerResolves: {handle: (*Outbox).fanOut, does: "resolve in PagerDuty"},
		EffectPagerResolve:  {handle: (*Outbox).pagerResolve, does: "resolve in PagerDuty", service: servicePagerDuty},

		// One filing at a time: a refresh asked for while the first filing is in flight runs
		// after it, and updates the issue it made instead of filing a second one.
		EffectFileReview:    {handle: (*Outbox).fileReview, does: "file the post-incident review", service: serviceGitHub, lane: reviewLane, rank: 1},
		EffectFileFollowup:  {handle: (*Outbox).fileFollowup, does: "file a follow-up issue", service: serviceGitHub},
		EffectCloseFollowup: {handle: (*Outbox).closeFollowup, does: "close a follow-up issue", service: serviceGitHub},
		EffectAnchorReview:  {handle: (*Outbox).anchorReview, does: "add a timeline anchor to the review", service: serviceGitHub},

		// Each links to what its bookmark names when delivered: the latest supersedes the rest.
		EffectBookmark: {handle: (*Outbox).bookmark, does: "bookmark a link in the channel", service: serviceSlack, inChannel: true, lane: bookmarkLane, coalesce: true},
		// One publication at a time, in commit order: a mitigation waits for the update that
		// creates the page's incident, and updates it instead of creating another.
		EffectStatusPage: {handle: (*Outbox).publishStatusPage, does: "publish on the status page", service: serviceStatusPage, lane: statusPageLane},

		EffectTimer: {handle: (*Outbox).timer, does: "fire a timer"},
	}
}

// spec returns the kind's entry; an unknown kind (from a newer release's database) fails.
func (k EffectKind) spec() kindSpec {
	if s, ok := effectKinds[k]; ok {
		return s
	}
	return kindSpec{does: string(k), handle: func(*Outbox, context.Context, *Incident, *Effect) (result, error) {
		return result{}, fmt.Errorf("unknown effect kind %q", k)
	}}
}

// Describe says what an effect of kind k does, for a report of its failure: "post the incident card".
func (k EffectKind) Describe() string { return k.spec().does }

func (k EffectKind) service() string { return k.spec().service }
func (k EffectKind) inChannel() bool { return k.spec().inChannel }

// kindsOf returns the effect kinds that call service, in name order.
func kindsOf(service string) []EffectKind {
	var out []EffectKind
	for k, s := range effectKinds {
		if s.service == service {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
