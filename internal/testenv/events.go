package testenv

import (
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// SampleIncident is the incident SampleEvents belong to.
func SampleIncident() *incident.Incident {
	return &incident.Incident{ID: 1, Number: 7, Title: "Checkout &amp; payments failing for <@U0CAROL|carol>", Severity: incident.P1,
		Status: incident.StatusInvestigating, Commander: "U0ALICE", ChannelID: "C0INC7", ChannelName: "inc-7-checkout",
		DeclaredAt: time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC), RPOAchieved: -1}
}

// SampleNames are the names the surfaces outside chat know of the sample's people and
// channels; U0ZED has none, so surfaces show the ID.
var SampleNames = struct{ People, Channels map[string]string }{
	People:   map[string]string{"U0ALICE": "Alice Smith", "U0BOB": "Bob", "U0CAROL": "Carol"},
	Channels: map[string]string{"C0INC7": "inc-7-checkout", "C0ANNOUNCE": "incidents"},
}

// SampleEvents are events of every kind in every variant the domain writes, chained as
// one timeline, so that each surface's renderer can be checked against a golden file.
func SampleEvents() []incident.TimelineEvent {
	at := SampleIncident().DeclaredAt
	step := &incident.StepRef{Run: 1, ID: 11, Seq: 2, Key: "dns-failover", Title: "Fail DNS over to us-west-2"}
	pager := func(p incident.PagerRef) *incident.PagerRef { return &p }
	bot := incident.BotActor
	type ev struct {
		actor string
		kind  incident.EventKind
		data  incident.EventData
	}
	evs := []ev{
		{"U0ALICE", incident.EventDeclared, incident.EventData{Severity: incident.P1, Title: "Checkout &amp; payments failing for <@U0CAROL|carol>", Service: "intent-processing", Tier: 1}},
		{"U0ALICE", incident.EventDeclared, incident.EventData{Severity: incident.P2, Title: "Drill: region down", Drill: true, Private: true}},
		{bot, incident.EventDeclared, incident.EventData{How: incident.DeclaredByPager, Severity: incident.P1, Title: "High error rate", Service: "api-gateway", Tier: 2,
			Pager: pager(incident.PagerRef{ID: "Q1ABC", Number: 42, URL: "https://acme.pagerduty.com/incidents/Q1ABC", Priority: "P1", Urgency: "high"})}},
		{bot, incident.EventChannelCreated, incident.EventData{Channel: "C0INC7", Title: "inc-7-checkout"}},
		{bot, incident.EventChannelCreated, incident.EventData{Channel: "C0INC7", Title: "inc-7-checkout", How: incident.ChannelAdopted}},
		{bot, incident.EventTopicSet, incident.EventData{Severity: incident.P1, Status: incident.StatusInvestigating, Title: "Checkout down", Users: []string{"U0ALICE"}}},
		{bot, incident.EventTopicSet, incident.EventData{Severity: incident.P1, Status: incident.StatusInvestigating, Title: "Checkout down"}},
		{bot, incident.EventInvited, incident.EventData{Users: []string{"U0ALICE", "U0ZED"}}},
		{bot, incident.EventCardPosted, incident.EventData{How: incident.CardIncident}},
		{bot, incident.EventCardPosted, incident.EventData{How: incident.CardRun, Playbook: "regional-outage"}},
		{bot, incident.EventCardPinned, incident.EventData{How: incident.CardIncident}},
		{bot, incident.EventCardPinned, incident.EventData{How: incident.CardRun}},
		{bot, incident.EventCardUpdated, incident.EventData{Severity: incident.P1, Status: incident.StatusMitigated}},
		{bot, incident.EventAnnounced, incident.EventData{Channel: "C0ANNOUNCE"}},
		{bot, incident.EventMessagePosted, incident.EventData{URL: "1796128159.000004", Number: 12}},
		{bot, incident.EventMessagePosted, incident.EventData{URL: "1796128159.000005", Number: 13, Channel: "C0ANNOUNCE"}},
		{"U0BOB", incident.EventStatusUpdate, incident.EventData{Text: "Failing over; ETA 10 min &lt;approx&gt;", Severity: incident.P1, Status: incident.StatusInvestigating}},
		{"U0BOB", incident.EventStatusUpdate, incident.EventData{Text: "We are on it: <https://status.acme.com|status>", Audiences: []string{incident.AudienceStatusPage, incident.AudienceCustomers},
			Severity: incident.P1, Status: incident.StatusInvestigating}},
		{"U0ALICE", incident.EventSeverityChanged, incident.EventData{From: incident.P2, Severity: incident.P1}},
		{"U0ALICE", incident.EventSeverityChanged, incident.EventData{From: incident.P0, Severity: incident.P1}},
		{"U0BOB", incident.EventNote, incident.EventData{Text: "<@U0ZED> says the cache is cold; see <#C0INC7|inc-7-checkout> & *logs*"}},
		{"U0BOB", incident.EventRoleAssigned, incident.EventData{Role: incident.RoleTechnicalLead, Users: []string{"U0BOB"}}},
		{"U0CAROL", incident.EventRoleAssigned, incident.EventData{Role: incident.RoleCommander, Users: []string{"U0CAROL"}, Was: "U0ALICE"}},
		{"U0ALICE", incident.EventRoleAssigned, incident.EventData{Role: incident.RoleCommunications, Users: []string{"U0CAROL"}}},
		{"U0ALICE", incident.EventRoleAssigned, incident.EventData{Role: incident.RoleTechnicalLead, Users: []string{"U0ZED"}, Was: "U0BOB"}},
		{"U0ALICE", incident.EventPaged, incident.EventData{Role: incident.RoleTechnicalLead, Text: "DB is down"}},
		{"U0ALICE", incident.EventPaged, incident.EventData{Users: []string{"U0BOB"}}},
		{bot, incident.EventPaged, incident.EventData{Role: incident.RoleCommander, URL: "https://acme.pagerduty.com/incidents/Q2",
			Pager: pager(incident.PagerRef{ID: "Q2", Target: "escalation policy PIC0001"})}},
		{bot, incident.EventPaged, incident.EventData{Role: incident.RoleLegalCompliance, How: incident.PagedByEvents, Pager: pager(incident.PagerRef{Target: "routing key …4e2f"})}},
		{bot, incident.EventOnCall, incident.EventData{Role: incident.RoleCommander}},
		{bot, incident.EventOnCall, incident.EventData{Role: incident.RoleCommander, Users: []string{"U0ALICE"}, Others: []string{"Dana"}}},
		{bot, incident.EventOnCall, incident.EventData{Role: incident.RoleTechnicalLead, Users: []string{"U0BOB"}}},
		{bot, incident.EventOnCall, incident.EventData{Role: incident.RoleCommunications, Others: []string{"PagerDuty user PX1"}}},
		{bot, incident.EventPagerNoted, incident.EventData{Pager: pager(incident.PagerRef{ID: "Q2"})}},
		{bot, incident.EventPagerNoted, incident.EventData{Pager: pager(incident.PagerRef{ID: "Q2"}), How: incident.NotedBefore}},
		{bot, incident.EventPagerResolved, incident.EventData{Pager: pager(incident.PagerRef{ID: "Q1ABC"})}},
		{bot, incident.EventPagerResolved, incident.EventData{Role: incident.RoleCommander, Pager: pager(incident.PagerRef{ID: "Q2", Target: "escalation policy PIC0001"})}},
		{bot, incident.EventAcknowledged, incident.EventData{Role: incident.RoleCommander, How: incident.FirstAck, Duration: 90 * time.Second,
			Pager: pager(incident.PagerRef{ID: "Q2", Number: 43, Target: "escalation policy PIC0001", Agent: "Dana", Event: "acknowledged"})}},
		{bot, incident.EventAcknowledged, incident.EventData{Pager: pager(incident.PagerRef{ID: "Q1ABC", Number: 42, Event: "acknowledged"})}},
		{bot, incident.EventPagerActivity, incident.EventData{Pager: pager(incident.PagerRef{ID: "Q1ABC", Number: 42, Agent: "Dana", Event: "resolved"})}},
		{bot, incident.EventPagerActivity, incident.EventData{Role: incident.RoleCommander, Pager: pager(incident.PagerRef{ID: "Q2", Number: 43, Target: "escalation policy PIC0001", Agent: "Dana", Event: "priority_updated"})}},
		{bot, incident.EventPagerJoined, incident.EventData{Title: "High error rate on &lt;checkout&gt;", Service: "api-gateway", Severity: incident.P2,
			Pager: pager(incident.PagerRef{ID: "Q3XYZ", Number: 44, URL: "https://acme.pagerduty.com/incidents/Q3XYZ", Priority: "P3", Urgency: "high"})}},
		{bot, incident.EventPagerJoined, incident.EventData{How: incident.JoinedNotice, Count: 12, Number: 13, Duration: 5 * time.Second}},
		{bot, incident.EventPagerJoined, incident.EventData{How: incident.JoinedNotice, Count: 1, Number: 14, Duration: 5 * time.Second}},
		{"U0ALICE", incident.EventRunStarted, incident.EventData{Title: "Regional data center outage", Playbook: "regional-outage", Params: "target_region=us-west-2"}},
		{"U0BOB", incident.EventStepRequested, incident.EventData{Step: step, Roles: []incident.Role{incident.RoleCommander}, Groups: []string{"sre-leads"}, How: incident.StepTwoPerson}},
		{"U0BOB", incident.EventStepRefused, incident.EventData{Step: step, How: incident.StepVerbApprove, Reason: "the two-person rule forbids approving a step you asked to run"}},
		{"U0ALICE", incident.EventStepRefused, incident.EventData{Step: step, How: incident.StepStalePlan, Reason: "has a dry-run plan 20m old"}},
		{"U0ALICE", incident.EventStepRejected, incident.EventData{Step: step}},
		{"U0ALICE", incident.EventStepApproved, incident.EventData{Step: step, Users: []string{"U0BOB"}}},
		{"U0ALICE", incident.EventStepApproved, incident.EventData{Step: step, Users: []string{"U0BOB"}, Digest: "1a2b3c4d5e6f7a8b"}},
		{"U0ALICE", incident.EventStepApproved, incident.EventData{Step: step, Users: []string{"U0ALICE"}, Digest: "1a2b3c4d5e6f7a8b",
			How: incident.StepBreakGlass, Text: "the technical lead is unreachable &amp; the region is down"}},
		{"U0BOB", incident.EventStepRefused, incident.EventData{Step: step, How: incident.StepStaleCard, Digest: "0f0f0f0f0f0f0f0f",
			Reason: "the card showed plan 0f0f0f0f0f0f0f0f, and the plan now is 1a2b3c4d5e6f7a8b"}},
		{bot, incident.EventStepVoided, incident.EventData{Step: step, How: incident.VoidPlanChanged, Users: []string{"U0ALICE"},
			Was: "1a2b3c4d5e6f7a8b", Digest: "9e8d7c6b5a4f3e2d", Detail: "- deployment ns/api: replicas 1 -> 3\n+ deployment ns/api: replicas 2 -> 3"}},
		{bot, incident.EventStepVoided, incident.EventData{Step: step, How: incident.VoidLapsed, Users: []string{"U0ALICE"}, Duration: 30 * time.Minute}},
		{"U0ALICE", incident.EventStepRunning, incident.EventData{Step: step, Detail: "http method=POST url=https://dns-failover.internal/v1/failover"}},
		{bot, incident.EventStepPlanned, incident.EventData{Step: step, Detail: "would scale:\ndeployment ns/api: replicas 1 -> 3\ndeployment ns/web: replicas 1 -> 3"}},
		{bot, incident.EventStepResult, incident.EventData{Step: step, Outcome: string(incident.StepSucceeded), Detail: "HTTP 200 OK"}},
		{bot, incident.EventStepResult, incident.EventData{Step: step, Outcome: string(incident.StepFailed), Detail: "could not run: <timeout>"}},
		{bot, incident.EventStepUnknown, incident.EventData{Step: step, How: incident.StepInterrupted}},
		{"U0ALICE", incident.EventStepSkipped, incident.EventData{Step: step}},
		{"U0BOB", incident.EventStepDone, incident.EventData{Step: step}},
		{"U0BOB", incident.EventStepDone, incident.EventData{Step: step, Was: string(incident.StepUnknown)}},
		{"U0BOB", incident.EventStepReset, incident.EventData{Step: step, Was: string(incident.StepFailed)}},
		{"U0BOB", incident.EventStepUndo, incident.EventData{Step: step, Number: 9, Title: "Undo step 1.4: Scale down the primary region",
			Detail: "scale deployment ns/api back to 3 replicas"}},
		{"U0BOB", incident.EventStepUndo, incident.EventData{Step: step, Number: 10, Title: "Undo step 1.5: Drain node-7",
			Detail: "uncordon node node-7", Reason: "Uncordoning does not undo the evictions: the 1 pods the drain evicted are not brought back: apps/api-1."}},
		{"U0ALICE", incident.EventServiceAdded, incident.EventData{Service: "intent-processing", Tier: 1}},
		{"U0ALICE", incident.EventServiceAdded, incident.EventData{Service: "intent-processing", Tier: 1, Objective: 15 * time.Minute, ObjectiveOf: "intent-processing"}},
		{"U0ALICE", incident.EventImpactSet, incident.EventData{Money: []incident.Money{75000, 1250}, Shares: []incident.Share{
			{Segment: incident.SegmentLargeEnterprise, Percent: 60}, {Segment: incident.SegmentMidMarket}, {Segment: incident.SegmentSmallBusiness}}}},
		{"U0BOB", incident.EventImpactSet, incident.EventData{How: incident.ImpactDataLoss, Duration: 20 * time.Second, Objective: 30 * time.Second}},
		{"U0BOB", incident.EventImpactSet, incident.EventData{How: incident.ImpactDataLoss, Duration: 2 * time.Minute, Objective: 30 * time.Second}},
		{bot, incident.EventImpactSet, incident.EventData{How: incident.ImpactDataLossMeasured, Duration: 0, Objective: 30 * time.Second, ObjectiveOf: "intent-processing",
			Step: step, Detail: "n2 was the synchronous standby, 0 bytes behind"}},
		{bot, incident.EventImpactSet, incident.EventData{How: incident.ImpactDataLossMeasured, Duration: 45 * time.Second, Objective: 30 * time.Second, ObjectiveOf: "intent-processing",
			Step: step, Detail: "n2 was 4096 bytes behind; its last replayed transaction was 45s old"}},
		{bot, incident.EventBoardReminder, incident.EventData{Money: []incident.Money{1000046, 1000000}, Role: incident.RoleBusinessContinuity, Users: []string{"U0ZED"}}},
		{bot, incident.EventRTOWarning, incident.EventData{Percent: 50, Duration: 7*time.Minute + 30*time.Second, Objective: 15 * time.Minute, ObjectiveOf: "intent-processing", Due: at.Add(15 * time.Minute)}},
		{bot, incident.EventRTOWarning, incident.EventData{Percent: 80, Duration: 12 * time.Minute, Objective: 15 * time.Minute, ObjectiveOf: "intent-processing", Due: at.Add(15 * time.Minute)}},
		{bot, incident.EventRTOWarning, incident.EventData{Percent: 100, Duration: 15 * time.Minute, Objective: 15 * time.Minute, ObjectiveOf: "intent-processing", Due: at.Add(15 * time.Minute)}},
		{bot, incident.EventCadence, incident.EventData{Audiences: []string{incident.AudienceCustomers}, Role: incident.RoleCommunications, Reason: "--customers",
			Due: at.Add(15 * time.Minute), How: incident.CadenceMet, When: at.Add(10 * time.Minute)}},
		{bot, incident.EventCadence, incident.EventData{Audiences: []string{incident.AudienceStatusPage}, Role: incident.RoleCommunications, Reason: "--status-page",
			Due: at.Add(5 * time.Minute), How: incident.CadenceMissed, Users: []string{"U0CAROL"}, Was: "U0ALICE"}},
		{bot, incident.EventCadence, incident.EventData{Audiences: []string{incident.AudienceTeam}, Role: incident.RoleCommander,
			Due: at.Add(30 * time.Minute), How: incident.CadenceMissed, Users: []string{"U0ALICE"}}},
		{bot, incident.EventCadence, incident.EventData{Audiences: []string{incident.AudienceReport}, Role: incident.RoleCommander, Users: []string{"U0ALICE"},
			Due: at.Add(24 * time.Hour), How: incident.CadenceDue}},
		{bot, incident.EventCadence, incident.EventData{Audiences: []string{incident.AudienceReport}, Role: incident.RoleCommander, Users: []string{"U0ALICE"},
			Due: at.Add(24 * time.Hour), How: incident.CadenceMet, When: at.Add(2 * time.Hour)}},
		{bot, incident.EventCadence, incident.EventData{Audiences: []string{incident.AudienceReport}, Role: incident.RoleCommander,
			Due: at.Add(24 * time.Hour), How: incident.CadenceMissed}},
		{"U0BOB", incident.EventCaptured, incident.EventData{Text: "p99 latency jumped &gt; 2s", Users: []string{"U0ALICE"}, How: "pinned",
			URL: "https://acme.slack.com/archives/C0INC7/p1796128159000004", When: at.Add(time.Minute)}},
		{"U0BOB", incident.EventCorrection, incident.EventData{Number: 20, Text: "the cache was warm, the DB was not"}},
		{"U0ALICE", incident.EventFollowup, incident.EventData{Number: 1, Text: "Alert on checkout latency", Users: []string{"U0BOB"}}},
		{"U0ALICE", incident.EventFollowup, incident.EventData{Number: 2, Text: "Run the drill monthly"}},
		{"U0BOB", incident.EventFollowupDone, incident.EventData{Number: 1, Text: "Alert on checkout latency", Duration: 3 * 24 * time.Hour}},
		{bot, incident.EventFollowupDone, incident.EventData{Number: 2, Text: "Run the drill monthly", Others: []string{"octocat"}, Outcome: incident.FollowupNotPlanned,
			URL: "https://github.com/acme/incidents/issues/9", Count: 9, How: incident.FollowupClosedOnTracker}},
		{"U0ALICE", incident.EventReviewRequested, incident.EventData{}},
		{bot, incident.EventReviewFiled, incident.EventData{URL: "https://github.com/acme/incidents/issues/8", Number: 8, How: incident.ReviewFirst}},
		{bot, incident.EventReviewFiled, incident.EventData{URL: "https://github.com/acme/incidents/issues/8", Number: 8, How: incident.ReviewUpdated}},
		{bot, incident.EventReviewFiled, incident.EventData{URL: "https://github.com/acme/incidents/issues/9", Number: 1, How: incident.ReviewFollowupFiled}},
		{bot, incident.EventReviewFiled, incident.EventData{URL: "https://github.com/acme/incidents/issues/9", Number: 1, How: incident.ReviewFollowupClosed}},
		{bot, incident.EventAnchored, incident.EventData{Count: 41, Head: "3f2a9c0d5be14e7a8c6f0b1d2e3f4a5b6c7d8e9f00112233445566778899aabb", How: incident.AnchorHourly}},
		{bot, incident.EventReviewFiled, incident.EventData{URL: "https://github.com/acme/incidents/issues/8#issuecomment-1001", Number: 42, Count: 41,
			Head: "3f2a9c0d5be14e7a8c6f0b1d2e3f4a5b6c7d8e9f00112233445566778899aabb", How: incident.ReviewAnchorAdded}},
		{bot, incident.EventEffectFailing, incident.EventData{Effect: incident.EffectSetTopic, Count: 5, Detail: "slack: 503 Service Unavailable"}},
		{bot, incident.EventEffectFailed, incident.EventData{Effect: incident.EffectPage, Count: 1, Detail: "the person paged has no PagerDuty user with their Slack email"}},
		{"U0ALICE", incident.EventMitigated, incident.EventData{}},
		{"U0ALICE", incident.EventResolved, incident.EventData{Text: "Failed over to us-west-2", Duration: 2*time.Hour + 5*time.Minute}},
		{bot, incident.EventResolved, incident.EventData{Text: "Resolved in PagerDuty by Dana", Duration: 40 * time.Minute}},
		{"U0ALICE", incident.EventResolved, incident.EventData{Duration: 9 * time.Minute}},
		{bot, incident.EventAnchored, incident.EventData{Count: 77, Head: "9266a640851cb064bff14d90d0d02b2c14a288a4df7a1a818e301a88911eda98", How: incident.AnchorResolved}},
		// Published on the hosted status page after the resolution was anchored (its lane runs on its own).
		{bot, incident.EventStatusPagePublished, incident.EventData{URL: "http://stspg.io/803310a12", How: incident.StatusPageCreated, Outcome: string(incident.PublicInvestigating), Number: 3}},
		{bot, incident.EventStatusPagePublished, incident.EventData{URL: "http://stspg.io/803310a12", How: incident.StatusPageUpdated, Outcome: string(incident.PublicIdentified), Number: 5}},
		{bot, incident.EventStatusPagePublished, incident.EventData{URL: "http://stspg.io/803310a12", How: incident.StatusPageAdopted, Outcome: string(incident.PublicMonitoring), Number: 70}},
		{bot, incident.EventStatusPagePublished, incident.EventData{URL: "http://stspg.io/803310a12", How: incident.StatusPageUnchanged, Outcome: string(incident.PublicResolved), Number: 71}},
	}
	var out []incident.TimelineEvent
	var prev *incident.TimelineEvent
	for i, e := range evs {
		te := incident.TimelineEvent{ID: int64(i + 1), IncidentID: 1, Actor: e.actor, Kind: e.kind, Format: incident.FormatData, Data: e.data}
		te.Chain(prev, at.Add(time.Duration(i)*time.Second))
		out = append(out, te)
		prev = &out[len(out)-1]
	}
	return out
}
