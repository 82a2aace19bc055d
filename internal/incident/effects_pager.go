package incident

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// page sends one page: to a role's configured target, or to the PagerDuty user whose email
// is the Slack user's. The request carries the page's key, so a retry finds the page an
// interrupted attempt created instead of paging again.
func (o *Outbox) page(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	if o.Pager == nil {
		return result{}, fmt.Errorf("PagerDuty is not configured (set PAGERDUTY_TOKEN)")
	}
	p := e.Payload
	var target PageTarget
	if p.Role != "" {
		target = o.Settings.Paging.TargetFor(inc, p.Role)
		if target == (PageTarget{}) {
			return result{}, fmt.Errorf("the role %s has no PagerDuty target in the configuration", p.Role)
		}
	} else {
		if len(p.Users) != 1 {
			return result{}, fmt.Errorf("a page names one role or one person")
		}
		email, err := o.Chat.UserEmail(ctx, p.Users[0])
		if err != nil {
			return result{}, err
		}
		id, found, err := o.Pager.UserByEmail(ctx, email)
		if err != nil {
			return result{}, err
		}
		if !found || email == "" {
			return result{}, fmt.Errorf("the person paged has no PagerDuty user with their Slack email")
		}
		target = PageTarget{User: id}
	}
	service := o.Settings.Paging.Service
	if svc, ok := o.Settings.Catalog[inc.Service]; ok && svc.PagerDuty != "" {
		service = svc.PagerDuty
	}
	details := p.Text
	if inc.ChannelID != "" {
		details = strings.TrimSpace(details + "\nSlack channel: " + o.Chat.ChannelURL(inc.ChannelID))
	}
	ref, err := o.Pager.Page(ctx, PageRequest{
		Key: p.Key, Title: fmt.Sprintf("%s[%s %s] %s", inc.DrillMark(), inc.Key(), inc.Severity, inc.Title),
		Urgency: Urgency(inc.Severity), Service: service, Target: target, Details: details,
	})
	if err != nil {
		return result{}, err
	}
	page := Page{IncidentID: inc.ID, Role: p.Role, Target: target, Key: p.Key, PagerID: ref.ID, URL: ref.URL,
		ViaEvents: target.RoutingKey != "", Status: "triggered"}
	d := EventData{Role: p.Role, Users: p.Users, Pager: &PagerRef{ID: ref.ID, Target: target.String()}, URL: ref.URL}
	if page.ViaEvents {
		d.How, d.Pager.ID, d.URL = PagedByEvents, "", ""
	}
	return result{
		store: func(tx Tx, now time.Time) error {
			page.CreatedAt = now
			return tx.InsertPage(&page)
		},
		event:  EventPaged,
		data:   d,
		follow: pagerBookmark(ref.URL),
	}, nil
}

// pagerBookmark refreshes the channel's PagerDuty bookmark once a page links a PagerDuty
// incident (url; none for pages through the Events API). The bookmark is the first one's,
// so later pages and joins queue nothing more: their refresh has the same key.
func pagerBookmark(url string) []followUp {
	if url == "" {
		return nil
	}
	return []followUp{refreshBookmark(BookmarkPager, "linked")}
}

// fanOut turns a note or a resolution into one effect per linked PagerDuty incident, once
// no page of the incident is still being sent (so none is missed).
func (o *Outbox) fanOut(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	var (
		effects []Effect
		pages   []Page
	)
	err := o.Store.View(ctx, func(tx Tx) (err error) {
		if effects, err = tx.Effects(inc.ID); err != nil {
			return err
		}
		pages, err = tx.Pages(inc.ID)
		return err
	})
	if err != nil {
		return result{}, StoreFailed(err)
	}
	for _, other := range effects {
		if other.Kind == EffectPage && (other.State == EffectPending || other.State == EffectInflight) {
			return result{}, Errorf(ENOTREADY, "a page is still being sent")
		}
	}
	var r result
	add := func(pagerID string, role Role) {
		kind := EffectPagerNote
		if e.Kind == EffectPagerResolves {
			kind = EffectPagerResolve
		}
		r.follow = append(r.follow, followUp{kind: kind, discriminator: fmt.Sprintf("%d-%s", e.ID, pagerID),
			payload: EffectPayload{PagerID: pagerID, Role: role, Text: e.Payload.Text}})
	}
	if inc.PagerDutyID != "" {
		add(inc.PagerDutyID, "")
	}
	for _, p := range pages {
		switch {
		case e.Kind == EffectPagerNotes && p.ViaEvents: // the Events API cannot take notes
		case e.Kind == EffectPagerNotes && p.Joined(): // a storm's alerts: a note on each, each update, would spend PagerDuty's rate limit
		case e.Kind == EffectPagerResolves && p.Status == "resolved":
		default:
			add(p.PagerID, p.Role)
		}
	}
	return r, nil
}

// pagerNote adds one note, checking first when an earlier attempt may have added it.
func (o *Outbox) pagerNote(ctx context.Context, _ *Incident, e *Effect) (result, error) {
	if o.Pager == nil {
		return result{}, fmt.Errorf("PagerDuty is not configured")
	}
	id, text := e.Payload.PagerID, e.Payload.Text
	if e.Attempts > 0 {
		done, err := o.Pager.HasNote(ctx, id, text)
		if err != nil {
			return result{}, err
		}
		if done {
			return result{event: EventPagerNoted, data: EventData{Pager: &PagerRef{ID: id}, How: NotedBefore}}, nil
		}
	}
	if err := o.Pager.Note(ctx, id, text); err != nil {
		return result{}, err
	}
	return result{event: EventPagerNoted, data: EventData{Pager: &PagerRef{ID: id}}}, nil
}

// pagerResolve resolves the PagerDuty incident that triggered ours, or one of our pages.
func (o *Outbox) pagerResolve(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	if o.Pager == nil {
		return result{}, fmt.Errorf("PagerDuty is not configured")
	}
	id := e.Payload.PagerID
	var page *Page
	if id != inc.PagerDutyID {
		if err := o.Store.View(ctx, func(tx Tx) (err error) { page, err = tx.PageByPagerID(id); return err }); err != nil {
			return result{}, err
		}
	}
	target := PageTarget{}
	if page != nil && page.ViaEvents {
		target = o.Settings.Paging.TargetFor(inc, page.Role)
	}
	if err := o.Pager.Resolve(ctx, target, PageRef{ID: id}); err != nil {
		return result{}, err
	}
	r := result{event: EventPagerResolved, data: EventData{Pager: &PagerRef{ID: id}}}
	if page != nil {
		if !page.Joined() { // a joined PagerDuty incident is named by its ID alone
			r.data.Role, r.data.Pager.Target = page.Role, page.Target.String()
		}
		r.store = func(tx Tx, _ time.Time) error {
			p, err := tx.PageByPagerID(id)
			if err != nil {
				return err
			}
			p.Status = "resolved"
			return tx.UpdatePage(p)
		}
	}
	return r, nil
}

// onCall asks PagerDuty who is on call for a role, finds them in chat by email (one lookup
// each, never a listing of the workspace), invites them and shows the first as the role's
// on-call person until someone takes the role.
func (o *Outbox) onCall(ctx context.Context, inc *Incident, e *Effect) (result, error) {
	if o.Pager == nil {
		return result{}, fmt.Errorf("PagerDuty is not configured")
	}
	if inc.ChannelID == "" {
		return result{}, Errorf(ENOTREADY, "the channel does not exist yet")
	}
	role := e.Payload.Role
	people, err := o.Pager.OnCall(ctx, o.Settings.Paging.TargetFor(inc, role))
	if err != nil {
		return result{}, err
	}
	var users, missing []string
	for _, p := range people {
		id, ok, err := o.Chat.UserByEmail(ctx, p.Email)
		if err != nil {
			return result{}, err
		}
		if ok {
			users = append(users, id)
		} else {
			missing = append(missing, p.label())
		}
	}
	r := result{event: EventOnCall, data: EventData{Role: role, Users: users, Others: missing}}
	if len(people) == 0 {
		return r, nil
	}
	// Invite those not already there as the declarer or the role's holder.
	var invite []string
	for _, u := range users {
		if u != inc.DeclaredBy && u != inc.Holder(role) {
			invite = append(invite, u)
		}
	}
	if len(users) > 0 {
		first := users[0]
		r.apply = func(i *Incident) {
			if i.Roles == nil {
				i.Roles = map[Role]RoleState{}
			}
			st := i.Roles[role]
			st.OnCall = first
			i.Roles[role] = st
		}
		r.follow = []followUp{{kind: EffectUpdateCard, discriminator: fmt.Sprintf("oncall-%d", e.ID)}}
		if len(invite) > 0 {
			r.follow = append(r.follow, followUp{kind: EffectInvite, discriminator: fmt.Sprintf("oncall-%d", e.ID), payload: EffectPayload{Users: invite}})
		}
	}
	return r, nil
}
