package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/web"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds what a Slack request may carry; Slack's are a few kilobytes.
const maxBody = 1 << 20

// HTTP serves Slack's HTTP endpoints: /slack/commands, /slack/interactions and /slack/events.
// Every request is verified before anything is parsed; a failed check is a 401 that changes
// nothing.
type HTTP struct {
	Bot      *Bot
	Verifier Verifier
}

// Register adds the three endpoints to mux, each wrapped by wrap when it is set (metrics).
func (h *HTTP) Register(mux *http.ServeMux, wrap func(endpoint string, h http.Handler) http.Handler) {
	for path, f := range map[string]http.HandlerFunc{"/slack/commands": h.Commands, "/slack/interactions": h.Interactions, "/slack/events": h.Events} {
		var handler http.Handler = f
		if wrap != nil {
			handler = wrap(path, handler)
		}
		mux.Handle("POST "+path, handler)
	}
}

// verified reads the body and checks its signature, and that it is not a replay,
// answering the failure itself.
func (h *HTTP) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	return h.verifiedOnce(w, r, true)
}

// verifiedOnce is verified with the replay check optional: the Events API's retries are
// deduplicated by event_id, so a retry that Slack might send with the first attempt's
// signature must not be refused before that (an attacker adding the retry header gains
// nothing: the event is still handled once).
func (h *HTTP) verifiedOnce(w http.ResponseWriter, r *http.Request, replayCheck bool) ([]byte, bool) {
	return h.verifiedOr(w, r, replayCheck, h.fail)
}

// verifiedOr is verifiedOnce answering a failed replay check (the database) with failReplay.
func (h *HTTP) verifiedOr(w http.ResponseWriter, r *http.Request, replayCheck bool, failReplay func(http.ResponseWriter, *http.Request, error)) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if mb := (*http.MaxBytesError)(nil); !errors.As(err, &mb) {
			err = incident.Errorf(incident.EINVALID, "The request body could not be read.")
		}
		h.fail(w, r, err)
		return nil, false
	}
	if err := h.Verifier.Verify(r.Header, body); err != nil {
		h.Bot.Log.Warn("rejected unsigned or badly signed request", "path", r.URL.Path, "reason", err, "remote", r.RemoteAddr)
		h.fail(w, r, incident.Errorf(incident.EUNAUTHORIZED, "invalid signature"))
		return nil, false
	}
	if !replayCheck {
		return body, true
	}
	// A signature covers the timestamp and the body: the same one twice is the same request
	// sent again (within the 5-minute window the verifier allows). Remembered in the
	// database, so a restart or another replica refuses it too.
	fresh, err := h.Bot.markSeen(r.Context(), "slack-signature:"+strings.ToLower(r.Header.Get("X-Slack-Signature")))
	if err != nil {
		failReplay(w, r, fmt.Errorf("replay check: %w", err))
		return nil, false
	}
	if !fresh {
		h.refuse(w, r, incident.Errorf(incident.ECONFLICT, "replayed request: this signed request was already received"))
		return nil, false
	}
	return body, true
}

// fail answers a request that failed with err: web.WriteError, the HTTP surfaces' one
// error writer (the status from err's code; only an internal error is logged, as a fault).
func (h *HTTP) fail(w http.ResponseWriter, r *http.Request, err error) {
	web.WriteError(w, r, h.Bot.Log, err)
}

// refuse answers a signed request the bot will not serve (a domain error saying why) and
// notes it in the log: not a fault, but a sign of a misconfigured app or a forged request.
func (h *HTTP) refuse(w http.ResponseWriter, r *http.Request, err error) {
	h.Bot.Log.Warn("refused a signed request", "path", r.URL.Path, "status", web.StatusOf(err), "reason", err.Error(), "remote", r.RemoteAddr)
	h.fail(w, r, err)
}

// Commands answers slash commands. The answer is the HTTP response, within Slack's 3 s:
// the work has ackBudget, so a database that is failing over gets a clear refusal in time.
func (h *HTTP) Commands(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), ackBudget)
	defer cancel()
	r = r.WithContext(ctx)
	body, ok := h.verifiedOr(w, r, true, h.failSlash)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		h.refuse(w, r, incident.Errorf(incident.EINVALID, "malformed form body"))
		return
	}
	if form.Get("ssl_check") == "1" {
		w.WriteHeader(http.StatusOK)
		return
	}
	cmd := slack.SlashCommand{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), UserID: form.Get("user_id"),
		Command: form.Get("command"), Text: form.Get("text"), TriggerID: form.Get("trigger_id"),
		ResponseURL: form.Get("response_url"),
	}
	cmd.EnterpriseID = form.Get("enterprise_id")
	if err := h.Bot.checkSlash(cmd); err != nil {
		h.refuse(w, r, err)
		return
	}
	reply := h.Bot.Command(r.Context(), cmd)
	writeReply(w, reply)
	h.Bot.AnswerLater(r.Context(), cmd, reply)
}

// failSlash answers a slash command whose replay check failed: when the database is
// unavailable, with an ephemeral answer that says so (Slack shows the person nothing useful
// for an error status); otherwise as fail does.
func (h *HTTP) failSlash(w http.ResponseWriter, r *http.Request, err error) {
	if incident.ErrorCode(err) != incident.EUNAVAILABLE {
		h.fail(w, r, err)
		return
	}
	// Nothing ran yet, whatever became of the replay mark.
	text := incident.Report(r.Context(), h.Bot.Log, incident.Unavailable(err), "slash command refused", "path", r.URL.Path)
	writeReply(w, commands.Reply{Error: true, Err: err, Text: text})
}

// SlashResponse is the JSON body that answers a slash command.
type SlashResponse struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

func slashResponse(reply commands.Reply) SlashResponse {
	kind := "ephemeral"
	if reply.InChannel {
		kind = "in_channel"
	}
	return SlashResponse{ResponseType: kind, Text: reply.Text}
}

func writeReply(w http.ResponseWriter, reply commands.Reply) {
	if reply.Text == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, slashResponse(reply))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// Interactions answers button clicks and form submissions.
func (h *HTTP) Interactions(w http.ResponseWriter, r *http.Request) {
	body, ok := h.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		h.refuse(w, r, incident.Errorf(incident.EINVALID, "missing payload"))
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		h.refuse(w, r, incident.Errorf(incident.EINVALID, "malformed payload"))
		return
	}
	if err := h.Bot.checkInteraction(cb); err != nil {
		h.refuse(w, r, err)
		return
	}
	// The click is committed before it is answered; only the reply waits for after the ack.
	resp, reply := h.Bot.Interaction(r.Context(), cb)
	if resp != nil {
		writeJSON(w, resp)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	if reply != nil {
		h.Bot.Go(reply)
	}
}

// Events answers the Events API: the URL verification challenge, and callbacks, acked at
// once and handled after (deduplicated by event_id, since Slack retries).
func (h *HTTP) Events(w http.ResponseWriter, r *http.Request) {
	body, ok := h.verifiedOnce(w, r, r.Header.Get("X-Slack-Retry-Num") == "")
	if !ok {
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		h.refuse(w, r, incident.Errorf(incident.EINVALID, "malformed event"))
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok || uv.Challenge == "" {
			h.refuse(w, r, incident.Errorf(incident.EINVALID, "missing challenge"))
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, uv.Challenge)
	case slackevents.CallbackEvent:
		cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
		if !ok {
			h.refuse(w, r, incident.Errorf(incident.EINVALID, "malformed callback"))
			return
		}
		if err := h.Bot.checkEvent(cb, ev.InnerEvent); err != nil {
			h.refuse(w, r, err)
			return
		}
		w.WriteHeader(http.StatusOK)
		h.Bot.Go(func() { h.Bot.Event(context.WithoutCancel(r.Context()), cb, ev.InnerEvent) })
	default:
		w.WriteHeader(http.StatusOK)
	}
}
