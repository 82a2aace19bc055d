package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives Slack's requests over Socket Mode until ctx ends. Every envelope
// is acked; the ack of a slash command or view submission carries the answer.
func (b *Bot) RunSocketMode(ctx context.Context, client *socketmode.Client) error {
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case evt := <-client.Events:
			b.socketEvent(ctx, client, evt)
		}
	}
}

func (b *Bot) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.Log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError:
		b.Log.Warn("socket mode connection error", "err", evt.Data)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			b.ack(client, evt)
			return
		}
		if err := b.checkSlash(cmd); err != nil {
			b.Log.Warn("refused a socket mode command", "reason", err.Error())
			b.ack(client, evt, SlashResponse{ResponseType: "ephemeral", Text: err.Error()})
			return
		}
		// The ack carries the answer, as the HTTP response does, within Slack's 3 s.
		b.Go(func() {
			work, cancel := context.WithTimeout(ctx, ackBudget)
			defer cancel()
			reply := b.Command(work, cmd)
			if reply.Text == "" {
				b.ack(client, evt)
			} else {
				b.ack(client, evt, slashResponse(reply))
			}
			b.AnswerLater(ctx, cmd, reply)
		})
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			b.ack(client, evt)
			return
		}
		if err := b.checkInteraction(cb); err != nil {
			b.Log.Warn("refused a socket mode interaction", "reason", err.Error())
			b.ack(client, evt)
			return
		}
		// Acked once committed, as over HTTP; the reply follows the ack.
		b.Go(func() {
			resp, reply := b.Interaction(ctx, cb)
			if resp != nil {
				b.ack(client, evt, resp)
			} else {
				b.ack(client, evt)
			}
			if reply != nil {
				reply()
			}
		})
	case socketmode.EventTypeEventsAPI:
		b.ack(client, evt)
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
		if !ok {
			return
		}
		if err := b.checkEvent(cb, ev.InnerEvent); err != nil {
			b.Log.Warn("refused a socket mode event", "event_id", cb.EventID, "reason", err.Error())
			return
		}
		b.Go(func() { b.Event(context.WithoutCancel(ctx), cb, ev.InnerEvent) })
	}
}

func (b *Bot) ack(client *socketmode.Client, evt socketmode.Event, payload ...any) {
	if evt.Request == nil {
		return
	}
	if err := client.Ack(*evt.Request, payload...); err != nil {
		b.Log.Warn("socket mode ack failed", "envelope", evt.Request.EnvelopeID, "err", err)
	}
}
