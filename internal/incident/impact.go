package incident

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Customer segments of the BCDR plan's Financial Impact Analysis.
const (
	SegmentLargeEnterprise = "large_enterprise"
	SegmentMidMarket       = "mid_market"
	SegmentSmallBusiness   = "small_business"
)

// Segments lists the customer segments, largest first.
var Segments = []string{SegmentLargeEnterprise, SegmentMidMarket, SegmentSmallBusiness}

// DefaultHourlyImpact is the plan's revenue impact per hour of a full outage, by segment.
var DefaultHourlyImpact = map[string]float64{SegmentLargeEnterprise: 125000, SegmentMidMarket: 45000, SegmentSmallBusiness: 8500}

// BoardThreshold is the estimated impact past which the board is to be notified.
const BoardThreshold = 1_000_000

var segmentAliases = map[string]string{
	"enterprise": SegmentLargeEnterprise, "large": SegmentLargeEnterprise, "large-enterprise": SegmentLargeEnterprise,
	"mid": SegmentMidMarket, "mid-market": SegmentMidMarket, "midmarket": SegmentMidMarket,
	"small": SegmentSmallBusiness, "smb": SegmentSmallBusiness, "small-business": SegmentSmallBusiness,
}

// ParseSegment accepts a segment's name or a short alias; "" and "all" mean every segment.
func ParseSegment(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "" || s == "all":
		return "", nil
	case slices.Contains(Segments, s):
		return s, nil
	case segmentAliases[s] != "":
		return segmentAliases[s], nil
	}
	return "", Errorf(EINVALID, "%s is not a customer segment: use large_enterprise, mid_market, small_business (or enterprise, mid, small), or all.", Quote(s))
}

// Estimate is the running business impact of an incident.
type Estimate struct {
	Hourly float64 // at the current affected shares
	SoFar  float64 // over the outage so far (until mitigation)
}

// EstimateImpact prices the affected shares with the affected services' hourly figures (per
// segment, the highest among the services: a customer's revenue is not lost twice). A
// service that names no figure for a segment has the plan's; one that names 0 has 0.
func (inc *Incident) EstimateImpact(cat Catalog, now time.Time) Estimate {
	var e Estimate
	for _, seg := range Segments {
		pct := inc.Impact[seg]
		if pct == 0 {
			continue
		}
		rate := DefaultHourlyImpact[seg] // no service named: the plan's figure
		for i, name := range inc.Services {
			r, ok := cat[name].HourlyImpact[seg] // a 0 is a figure; only a missing key is the plan's
			if !ok {
				r = DefaultHourlyImpact[seg]
			}
			if i == 0 || r > rate {
				rate = r
			}
		}
		e.Hourly += rate * float64(pct) / 100
	}
	end := now
	if !inc.MitigatedAt.IsZero() {
		end = inc.MitigatedAt
	}
	e.SoFar = e.Hourly * end.Sub(inc.DeclaredAt).Hours()
	return e
}

// dollars rounds an amount to whole dollars.
func dollars(v float64) Money { return Money(math.Round(v)) }

// FormatMoney renders dollars for people: $1,234,567.
func FormatMoney(v float64) string {
	n := int64(math.Round(v))
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return "$" + b.String()
}

// SetImpact sets the share of customers affected, for one segment or all. Errors:
// ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) SetImpact(ctx context.Context, actor, channelID string, percent int, segment string) (*Incident, error) {
	if percent < 0 || percent > 100 {
		return nil, Errorf(EINVALID, "The affected share is a percentage from 0 to 100, not %d.", percent)
	}
	seg, err := ParseSegment(segment)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, channelID, func(c *change) error {
		if err := c.requireOpen(); err != nil {
			return err
		}
		if c.inc.Impact == nil {
			c.inc.Impact = map[string]int{}
		}
		segs := Segments
		if seg != "" {
			segs = []string{seg}
		}
		for _, sg := range segs {
			c.inc.Impact[sg] = percent
		}
		est := c.inc.EstimateImpact(s.settings.Catalog, c.now)
		d := EventData{Money: []Money{dollars(est.Hourly), dollars(est.SoFar)}}
		for _, sg := range Segments {
			d.Shares = append(d.Shares, Share{Segment: sg, Percent: c.inc.Impact[sg]})
		}
		if err := c.event(actor, EventImpactSet, d); err != nil {
			return err
		}
		if err := c.announceChange(); err != nil {
			return err
		}
		if err := c.remindBoard(est); err != nil {
			return err
		}
		return c.scheduleBoard(s.settings.Catalog)
	})
}

// boardCrossing is when the running estimate of an outage still under way passes
// BoardThreshold: the first whole second past it. ok is false when it never will (no
// impact, or mitigated: the estimate no longer grows) or it already has.
func (inc *Incident) boardCrossing(cat Catalog, now time.Time) (at time.Time, ok bool) {
	est := inc.EstimateImpact(cat, now)
	if inc.Status != StatusInvestigating || est.Hourly <= 0 || est.SoFar > BoardThreshold {
		return time.Time{}, false
	}
	after := time.Duration(float64(BoardThreshold) / est.Hourly * float64(time.Hour))
	return inc.DeclaredAt.Add(after).Truncate(time.Second).Add(time.Second), true
}

// scheduleBoard sets a durable timer for the moment the estimate will pass BoardThreshold,
// unless the board was told or reminded already. Its key carries the moment, so a new
// estimate adds a new timer and the stale one finds at firing that it has nothing to do.
func (c *change) scheduleBoard(cat Catalog) error {
	if !c.inc.Comms[AudienceBoard].IsZero() || !c.inc.Comms["board-reminded"].IsZero() {
		return nil
	}
	at, ok := c.inc.boardCrossing(cat, c.now)
	if !ok {
		return nil
	}
	return c.enqueueAt(EffectTimer, fmt.Sprintf("cadence-%s-%d", AudienceBoard, at.UnixMilli()),
		EffectPayload{Timer: "cadence", Text: AudienceBoard, Target: at.UnixMilli()}, at)
}

// remindBoard asks for the board notification once the estimate passes BoardThreshold and
// the board has not been told.
func (c *change) remindBoard(est Estimate) error {
	if est.SoFar <= BoardThreshold || !c.inc.Comms[AudienceBoard].IsZero() || !c.inc.Comms["board-reminded"].IsZero() {
		return nil
	}
	if c.inc.Comms == nil {
		c.inc.Comms = map[string]time.Time{}
	}
	c.inc.Comms["board-reminded"] = c.stamp()
	d := EventData{Money: []Money{dollars(est.SoFar), dollars(BoardThreshold)}, Role: RoleBusinessContinuity,
		Users: nonEmpty(c.inc.Holder(RoleBusinessContinuity))}
	if err := c.event(BotActor, EventBoardReminder, d); err != nil {
		return err
	}
	return c.tell()
}

// SLACredit applies the plan's SLA credit tiers to an outage of downtime in a month of
// monthMinutes: below 99.95% availability 10%, below 99.90% 25%, below 99.00% 100%.
func SLACredit(downtime time.Duration, month time.Duration) (availability float64, creditPercent int) {
	if month <= 0 {
		return 100, 0
	}
	availability = 100 * (1 - downtime.Minutes()/month.Minutes())
	switch {
	case availability < 99.00:
		return availability, 100
	case availability < 99.90:
		return availability, 25
	case availability < 99.95:
		return availability, 10
	}
	return availability, 0
}

// RecordDataLoss records the window of data lost (the RPO achieved). Errors: ENOTFOUND, EINVALID.
func (s *Service) RecordDataLoss(ctx context.Context, actor, channelID string, window time.Duration) (*Incident, error) {
	if window < 0 {
		return nil, Errorf(EINVALID, "A data loss window cannot be negative.")
	}
	return s.change(ctx, channelID, func(c *change) error {
		c.inc.RPOAchieved = window
		o := c.inc.ComputeObjectives(s.settings.Catalog)
		return c.event(actor, EventImpactSet, EventData{How: ImpactDataLoss, Duration: window, Objective: o.RPO})
	})
}
