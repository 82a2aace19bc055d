package incident

import (
	"context"
	"fmt"
	"time"
)

// Objectives are an incident's recovery targets: the tightest RTO and RPO among the services
// it affects (each service's own, or its tier's defaults).
type Objectives struct {
	RTO, RPO               time.Duration // zero: no service, no clock
	RTOService, RPOService string
}

// RTOWarnings are the shares of the RTO at which the channel is warned.
var RTOWarnings = []int{50, 80, 100}

// ComputeObjectives computes the incident's recovery targets from the catalog.
func (inc *Incident) ComputeObjectives(cat Catalog) Objectives {
	var o Objectives
	for _, name := range inc.Services {
		svc, ok := cat[name]
		if !ok {
			continue
		}
		t := svc.Targets
		if def, ok := TierTargets(svc.Tier); ok {
			if t.RTO == 0 {
				t.RTO = def.RTO
			}
			if t.RPO == 0 {
				t.RPO = def.RPO
			}
		}
		if t.RTO > 0 && (o.RTO == 0 || t.RTO < o.RTO) {
			o.RTO, o.RTOService = t.RTO, name
		}
		if t.RPO > 0 && (o.RPO == 0 || t.RPO < o.RPO) {
			o.RPO, o.RPOService = t.RPO, name
		}
	}
	return o
}

// RTODeadline is when the RTO runs out, or zero without one.
func (inc *Incident) RTODeadline() time.Time {
	if inc.Objectives.RTO == 0 {
		return time.Time{}
	}
	return inc.DeclaredAt.Add(inc.Objectives.RTO)
}

// scheduleRTO sets the durable timers of the RTO warnings. Their keys carry the target, so
// a tighter target adds new ones and the stale ones find at firing that they are stale.
func (c *change) scheduleRTO(cat Catalog) error {
	o := c.inc.ComputeObjectives(cat)
	if o.RTO == 0 {
		return nil
	}
	for _, pct := range RTOWarnings {
		due := c.inc.DeclaredAt.Add(o.RTO * time.Duration(pct) / 100)
		if err := c.enqueueAt(EffectTimer, fmt.Sprintf("rto-%d-%d", o.RTO.Milliseconds(), pct),
			EffectPayload{Timer: "rto", Percent: pct, Target: o.RTO.Milliseconds()}, due); err != nil {
			return err
		}
	}
	return nil
}

// AddService records another affected service; a tighter RTO restarts the warnings on it.
// Errors: ENOTFOUND (incident, service), ECONFLICT.
func (s *Service) AddService(ctx context.Context, actor, channelID, name string) (*Incident, error) {
	svc, err := s.settings.Catalog.Lookup(name)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, channelID, func(c *change) error {
		if err := c.requireOpen(); err != nil {
			return err
		}
		for _, have := range c.inc.Services {
			if have == name {
				return Errorf(ECONFLICT, "%s already affects %s.", name, c.inc.Key())
			}
		}
		before := c.inc.ComputeObjectives(s.settings.Catalog)
		c.inc.Services = append(c.inc.Services, name)
		if c.inc.Service == "" {
			c.inc.Service, c.inc.Tier = name, svc.Tier
		}
		after := c.inc.ComputeObjectives(s.settings.Catalog)
		d := EventData{Service: name, Tier: svc.Tier}
		if after.RTO != before.RTO {
			d.Objective, d.ObjectiveOf = after.RTO, after.RTOService
		}
		if err := c.event(actor, EventServiceAdded, d); err != nil {
			return err
		}
		if after.RTO != before.RTO {
			if err := c.scheduleRTO(s.settings.Catalog); err != nil {
				return err
			}
		}
		if err := c.announceChange(); err != nil {
			return err
		}
		return c.scheduleBoard(s.settings.Catalog) // the service's figures may change the hourly rate
	})
}

// rtoTimer warns the channel that a share of the RTO has passed, with the real time since
// the declaration, unless the incident has recovered meanwhile, its RTO changed since the
// timer was set, or a later share has passed too (its own timer says so).
func (o *Outbox) rtoTimer(inc *Incident, e *Effect) (result, error) {
	obj := inc.ComputeObjectives(o.Settings.Catalog)
	if inc.Status != StatusInvestigating || obj.RTO.Milliseconds() != e.Payload.Target {
		return result{}, nil
	}
	now := o.Clock.Now()
	for _, later := range RTOWarnings { // fired late (the bot was down): a later share says it
		if later > e.Payload.Percent && !now.Before(inc.DeclaredAt.Add(obj.RTO*time.Duration(later)/100)) {
			return result{}, nil
		}
	}
	d := EventData{Percent: e.Payload.Percent, Duration: now.Sub(inc.DeclaredAt), Objective: obj.RTO, ObjectiveOf: obj.RTOService,
		Due: inc.DeclaredAt.Add(obj.RTO).UTC()}
	return result{
		event: EventRTOWarning,
		data:  d,
		follow: []followUp{
			{kind: EffectPost, discriminator: fmt.Sprintf("rto-%d-%d", e.Payload.Target, e.Payload.Percent), tell: true},
			{kind: EffectUpdateCard, discriminator: fmt.Sprintf("rto-%d-%d", e.Payload.Target, e.Payload.Percent)},
		},
	}, nil
}
