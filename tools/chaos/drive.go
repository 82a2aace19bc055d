package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// jitter is a random duration in [0, d).
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)))
}

// driver sends the workload round robin over the replicas and remembers what was acked.
type driver struct {
	w        *world
	replicas []*replica
	client   *http.Client
	next     atomic.Int64
	noteSeq  atomic.Int64
	pdSeq    atomic.Int64

	mu        sync.Mutex
	counts    map[string]int // "slash declare ok", "click approve error", ...
	notes     map[int64]bool // note number -> acked with success
	incidents []*driven      // declared with an ack
	pdSent    map[string]int // PagerDuty incident id -> webhook deliveries acked
	refusals  map[string]int // unexpected answers, by text
}

// driven is one incident the driver declared and what it did in it.
type driven struct {
	number   int
	channel  string
	started  bool         // the playbook's start was acked
	run      map[int]bool // step seq -> "run" click acked
	approved map[int]bool // step seq -> "approve" click acked
	resolved bool
}

func newDriver(w *world, rs []*replica) *driver {
	return &driver{w: w, replicas: rs, client: &http.Client{Timeout: 8 * time.Second},
		counts: map[string]int{}, notes: map[int64]bool{}, pdSent: map[string]int{}, refusals: map[string]int{}}
}

func (d *driver) count(key string) {
	d.mu.Lock()
	d.counts[key]++
	d.mu.Unlock()
}

// pick is the next replica round robin, skipping any that is down.
func (d *driver) pick() *replica {
	for i := 0; ; i++ {
		r := d.replicas[int(d.next.Add(1))%len(d.replicas)]
		if r.up() || i > 3*len(d.replicas) {
			return r
		}
		if i%len(d.replicas) == len(d.replicas)-1 {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// signed is one signed Slack request, kept so that it can be sent again byte for byte.
type signed struct {
	path, contentType string
	body              []byte
	ts                int64
	sig               string
}

func sign(path, contentType string, body []byte) signed {
	ts := time.Now().Unix()
	return signed{path, contentType, body, ts, testenv.SignSlack(testenv.SlackSigningSecret, ts, body)}
}

func slashRequest(user, channel, text string) signed {
	form := url.Values{"team_id": {testenv.SlackTeam}, "channel_id": {channel}, "user_id": {user}, "user_name": {user},
		"command": {"/incident"}, "text": {text}, "api_app_id": {"A0APP"},
		"response_url": {"https://hooks.slack.com/commands/T0TEAM/1/x"}, "trigger_id": {fmt.Sprintf("%d.chaos.%x", rand.Int64(), time.Now().UnixNano())}}
	return sign("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// send posts s to r and returns the status (0 for no answer) and the reply's text.
func (d *driver) send(r *replica, s signed) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, r.url()+s.path, bytes.NewReader(s.body))
	req.Header.Set("Content-Type", s.contentType)
	req.Header.Set("X-Slack-Request-Timestamp", fmt.Sprint(s.ts))
	req.Header.Set("X-Slack-Signature", s.sig)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var reply struct{ Text string }
	json.Unmarshal(b, &reply)
	if reply.Text == "" {
		reply.Text = string(b)
	}
	return resp.StatusCode, reply.Text
}

// slash sends a slash command, to other replicas again (a new request, as a person would
// type it again) while none answers, and reports whether it was acked with want in the
// answer. Every attempt is counted.
func (d *driver) slash(verb, user, channel, text, want string) (bool, string) {
	for attempt := 0; attempt < 5; attempt++ {
		status, reply := d.send(d.pick(), slashRequest(user, channel, text))
		switch {
		case status == 0 || status >= 500:
			d.count("slash " + verb + " unanswered")
			time.Sleep(200 * time.Millisecond)
			continue
		case status == 200 && strings.Contains(reply, want):
			d.count("slash " + verb + " acked")
			return true, reply
		default:
			d.count("slash " + verb + " refused")
			d.mu.Lock()
			d.refusals[fmt.Sprintf("%d %s: %.120s", status, verb, reply)]++
			d.mu.Unlock()
			return false, reply
		}
	}
	return false, ""
}

// note sends a note with a new number. Sometimes the very same signed request goes to a
// second replica too (a replay, as a retry or an attacker would send it): at most one of
// them may take it. A note that got no answer is not sent again (the person would type a
// new one), so it may or may not be on the timeline; an acked one must be there once.
func (d *driver) note(channel string) {
	n := d.noteSeq.Add(1)
	req := slashRequest("U0BOB", channel, fmt.Sprintf("note chaos-%d", n))
	replay := rand.IntN(5) == 0
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked int
	)
	targets := []*replica{d.pick()}
	if replay {
		targets = append(targets, d.pick())
		d.count("slash note replayed")
	}
	for _, r := range targets {
		wg.Add(1)
		go func(r *replica) {
			defer wg.Done()
			status, reply := d.send(r, req)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case status == 200 && strings.Contains(reply, "Noted"):
				acked++
			case status == 409:
				d.count("slash note replay refused")
			case status == 0 || status >= 500:
				d.count("slash note unanswered")
			default:
				d.refusals[fmt.Sprintf("%d note: %.120s", status, reply)]++
			}
		}(r)
	}
	wg.Wait()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.notes[n] = acked > 0
	if acked > 0 {
		d.counts["slash note acked"]++
	}
	if acked > 1 {
		d.counts["slash note replay ACKED TWICE"]++
	}
}

// click sends a signed block_actions click on a command button, to another replica again
// while none answers (Slack itself does not resend a click; the person clicks again).
func (d *driver) click(verb, user, channel, actionID, value string) bool {
	for attempt := 0; attempt < 5; attempt++ {
		b, _ := json.Marshal(d.w.emu.BlockAction(user, channel, actionID, value))
		s := sign("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(b)}}.Encode()))
		status, reply := d.send(d.pick(), s)
		switch {
		case status == 0 || status >= 500:
			d.count("click " + verb + " unanswered")
			time.Sleep(200 * time.Millisecond)
		case status == 200:
			d.count("click " + verb + " acked")
			return true
		default:
			d.count("click " + verb + " refused")
			d.mu.Lock()
			d.refusals[fmt.Sprintf("%d click %s: %.120s", status, verb, reply)]++
			d.mu.Unlock()
			return false
		}
	}
	return false
}

var declaredRe = regexp.MustCompile(`Declared \*INC-(\d+)\*`)

// channelOf is the ID of INC-number's channel in the emulator once its card is pinned (the
// bot has recorded the channel by then), or "".
func (w *world) channelOf(number int) string {
	prefix := fmt.Sprintf("inc-%d-", number)
	for _, ch := range w.emu.Channels() {
		if strings.HasPrefix(ch.Name, prefix) && len(ch.Pins) > 0 {
			return ch.ID
		}
	}
	return ""
}

var runButtonRe = regexp.MustCompile(`"value":"step (\d+) run"`)

// stepButtons waits for the step cards of a run in channel and returns the step IDs their
// Run buttons carry, in order, or nil after limit.
func (w *world) stepButtons(channel string, limit time.Duration) []int {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ch := w.emu.Channel(channel)
		seen := map[int]bool{}
		var ids []int
		for _, m := range ch.Messages {
			for _, g := range runButtonRe.FindAllStringSubmatch(string(m.Blocks), -1) {
				var id int
				fmt.Sscan(g[1], &id)
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		if len(ids) >= chaosStepCount {
			sort.Ints(ids)
			return ids[:chaosStepCount]
		}
	}
	return nil
}

// scenario is one incident's life: declared in #general, notes and status in its channel,
// the chaos playbook with every step asked for by bob and approved by alice (the commander:
// two people), more notes, and the resolution.
func (d *driver) scenario(worker, iter int, stop <-chan struct{}) {
	ok, reply := d.slash("declare", "U0ALICE", d.w.general, fmt.Sprintf("declare P1 chaos %d-%d", worker, iter), "Declared")
	if !ok {
		return
	}
	m := declaredRe.FindStringSubmatch(reply)
	if m == nil {
		d.mu.Lock()
		d.refusals["declare answer without number or channel: "+reply]++
		d.mu.Unlock()
		return
	}
	inc := &driven{run: map[int]bool{}, approved: map[int]bool{}}
	fmt.Sscan(m[1], &inc.number)
	d.mu.Lock()
	d.incidents = append(d.incidents, inc)
	d.mu.Unlock()
	// The channel comes from the outbox: after a kill, once the dead replica's claim lapses.
	deadline := time.Now().Add(90 * time.Second)
	for {
		if id := d.w.channelOf(inc.number); id != "" {
			inc.channel = id
			break
		}
		if time.Now().After(deadline) {
			d.count("channel not created within 90s")
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := 0; i < 3; i++ {
		d.note(inc.channel)
	}
	d.slash("status", "U0BOB", inc.channel, "status", "INC-")
	if ok, _ := d.slash("playbook", "U0ALICE", inc.channel, "playbook chaos hook="+d.w.target.URL(), "Started"); ok {
		inc.started = true
		ids := d.w.stepButtons(inc.channel, 90*time.Second)
		if ids == nil {
			d.count("step cards not posted within 90s")
		}
		for i, id := range ids {
			seq := i + 1
			if !d.click("run", "U0BOB", inc.channel, fmt.Sprintf("incident:step-run-%d", id), fmt.Sprintf("step %d run", id)) {
				continue
			}
			inc.run[seq] = true
			d.note(inc.channel)
			approve := func() bool {
				return d.click("approve", "U0ALICE", inc.channel, fmt.Sprintf("incident:step-approve-%d", id), fmt.Sprintf("step %d approve", id))
			}
			if rand.IntN(4) == 0 {
				// A double click: two clicks at once, each its own request, on two replicas.
				d.count("click approve doubled")
				second := make(chan bool, 1)
				go func() { second <- approve() }()
				first := approve()
				inc.approved[seq] = <-second || first
			} else {
				inc.approved[seq] = approve()
			}
		}
	}
	for i := 0; i < 2; i++ {
		d.note(inc.channel)
	}
	select {
	case <-stop:
	default:
		time.Sleep(jitter(2 * time.Second)) // let some steps finish before the resolution
	}
	inc.resolved, _ = d.slash("resolve", "U0ALICE", inc.channel, "resolve chaos over", "resolved")
}

// pagerDuty sends a triggered webhook about a new PagerDuty incident, and after a moment
// the same delivery again to another replica (PagerDuty redelivers on a timeout).
func (d *driver) pagerDuty() {
	n := d.pdSeq.Add(1)
	origin := d.w.pd.AddIncident(fmt.Sprintf("Chaos alert %d", n), "PSVC001", "high")
	body := testenv.WebhookBody(fmt.Sprintf("chaos-ev-%d", n), "incident.triggered", "Monitoring", origin, "")
	delivery := fmt.Sprintf("chaos-d-%d", n)
	for i := 0; i < 2; i++ {
		for attempt := 0; attempt < 5; attempt++ {
			status, err := testenv.SendWebhook(d.client, d.pick().url()+"/pagerduty/webhook", testenv.PagerDutyWebhookSecret, delivery, body)
			if err == nil && status/100 == 2 {
				d.count("webhook acked")
				d.mu.Lock()
				d.pdSent[origin.ID]++
				d.mu.Unlock()
				break
			}
			d.count("webhook unanswered")
			time.Sleep(200 * time.Millisecond)
		}
		if i == 0 {
			d.count("webhook redelivered")
			time.Sleep(jitter(time.Second))
		}
	}
}

var digitsRe = regexp.MustCompile(`\d+`)

// clickAnswers counts the ephemeral answers the emulator got, with numbers as N, most first.
func (d *driver) clickAnswers() []string {
	counts := map[string]int{}
	for _, e := range d.w.emu.Ephemerals() {
		counts[digitsRe.ReplaceAllString(strings.SplitN(e.Text, "\n", 2)[0], "N")]++
	}
	var out []string
	for t, n := range counts {
		out = append(out, fmt.Sprintf("%6d %.150s", n, t))
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}
