package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/loadgen"
)

// run builds the history and times the reads, saying each phase's throughput on out.
func run(cfg config, out io.Writer) (*report, error) {
	client := loadgen.Client()
	rep := &report{BotEvents: cfg.BotEvents, Seconds: map[string]float64{}, Reads: map[string]readTimes{}}
	var seq atomic.Int64
	phase := func(name string, n int, fn func(i int) bool) int {
		start := time.Now()
		ok := parallel(cfg.Concurrency, n, fn)
		took := time.Since(start)
		rep.Seconds[name] = took.Seconds()
		fmt.Fprintf(out, "%s: %d of %d acknowledged in %s (%.0f/s)\n", name, ok, n, took.Round(time.Millisecond), float64(n)/took.Seconds())
		return ok
	}
	stamp := time.Now().UnixNano()
	rep.Declared = phase("declare", cfg.Incidents, func(i int) bool {
		if i%2 == 0 {
			inc := testenv.PDIncident{ID: fmt.Sprintf("QSEED%d%06d", stamp%100000, i), Number: i + 1, Title: fmt.Sprintf("Seeded outage %d", i),
				Status: "triggered", IncidentKey: fmt.Sprintf("seed-%d-%d", stamp, i), Urgency: "high", Service: cfg.Service, EscalationPolicy: "PIC0001"}
			body := testenv.WebhookBodyAt(fmt.Sprintf("EVSEED%d%06d", stamp, i), "incident.triggered", testenv.PDUser{ID: "PUALICE", Name: "Alice"}, inc, "", time.Now())
			status, err := testenv.SendWebhook(client, cfg.Bot+"/pagerduty/webhook", cfg.PagerDutySecret, fmt.Sprintf("seed-%d-%d", stamp, i), body)
			return err == nil && status/100 == 2
		}
		status, _ := loadgen.SlashCommand(client, cfg.Bot, cfg.SlackSecret, cfg.Channel, cfg.User, fmt.Sprintf("declare P2 seeded slash outage %d %d", stamp%100000, i), int(seq.Add(1)))
		return status == "200"
	})
	rep.ByWebhook, rep.BySlash = (cfg.Incidents+1)/2, cfg.Incidents/2

	start := time.Now()
	channels, err := waitForChannels(client, cfg, rep.Declared, 30*time.Minute)
	if err != nil {
		return nil, err
	}
	rep.Seconds["channels"] = time.Since(start).Seconds()
	fmt.Fprintf(out, "channels: %d incident channels created by the bot in %s\n", len(channels), time.Since(start).Round(time.Millisecond))

	resolve := len(channels) - cfg.Open
	notes := max(0, cfg.Events-len(channels)*cfg.BotEvents-resolve)
	rep.Notes = phase("note", notes, func(i int) bool {
		status, _ := loadgen.SlashCommand(client, cfg.Bot, cfg.SlackSecret, channels[i%len(channels)], cfg.User,
			fmt.Sprintf("note seeded note %d: p99 is back under 300ms", i), int(seq.Add(1)))
		return status == "200"
	})
	rep.Resolved = phase("resolve", max(0, resolve), func(i int) bool {
		status, _ := loadgen.SlashCommand(client, cfg.Bot, cfg.SlackSecret, channels[i], cfg.User, "resolve seeded and done", int(seq.Add(1)))
		return status == "200"
	})
	rep.Refused = cfg.Incidents - rep.Declared + notes - rep.Notes + max(0, resolve) - rep.Resolved

	for _, r := range []struct {
		name string
		send func() (string, time.Duration)
	}{
		{"GET /", func() (string, time.Duration) { return get(client, cfg.Bot+"/") }},
		{"GET /status", func() (string, time.Duration) { return get(client, cfg.Bot+"/status") }},
		{"GET /incidents/1", func() (string, time.Duration) { return get(client, cfg.Bot+"/incidents/1") }},
		{"stats all (ack)", func() (string, time.Duration) {
			return loadgen.SlashCommand(client, cfg.Bot, cfg.SlackSecret, cfg.Channel, cfg.User, "stats all", int(seq.Add(1)))
		}},
	} {
		t, err := bestOf(5, cfg.Reads, r.send)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		rep.Reads[r.name] = t
		fmt.Fprintf(out, "%s: p50 %.1f ms, p99 %.1f ms (best of 5 rounds of %d)\n", r.name, t.P50, t.P99, cfg.Reads)
	}
	return rep, nil
}

// parallel runs fn(0..n-1) on c workers and counts the true answers.
func parallel(c, n int, fn func(i int) bool) int {
	var next, ok atomic.Int64
	var wg sync.WaitGroup
	for range max(1, c) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if fn(i) {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(ok.Load())
}

// incidentChannel matches the name of an incident's channel, inc-<number>-<slug>.
var incidentChannel = regexp.MustCompile(`^[a-z0-9_]+-(\d+)-`)

// waitForChannels lists the channels of the Slack the bot talks to until n incident
// channels exist, and returns their IDs by incident number.
func waitForChannels(client *http.Client, cfg config, n int, limit time.Duration) ([]string, error) {
	deadline := time.Now().Add(limit)
	for {
		byNumber := map[int]string{}
		cursor := ""
		for {
			form := url.Values{"token": {cfg.SlackToken}, "limit": {"1000"}, "types": {"public_channel,private_channel"}, "cursor": {cursor}}
			resp, err := client.PostForm(cfg.SlackAPI+"conversations.list", form)
			if err != nil {
				return nil, err
			}
			var page struct {
				OK       bool
				Error    string
				Channels []struct{ ID, Name string }
				Meta     struct {
					NextCursor string `json:"next_cursor"`
				} `json:"response_metadata"`
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil || !page.OK {
				return nil, fmt.Errorf("conversations.list: %v %s", err, page.Error)
			}
			for _, ch := range page.Channels {
				if m := incidentChannel.FindStringSubmatch(ch.Name); m != nil {
					num, _ := strconv.Atoi(m[1])
					byNumber[num] = ch.ID
				}
			}
			if cursor = page.Meta.NextCursor; cursor == "" {
				break
			}
		}
		if len(byNumber) >= n || time.Now().After(deadline) {
			nums := make([]int, 0, len(byNumber))
			for num := range byNumber {
				nums = append(nums, num)
			}
			slices.Sort(nums)
			ids := make([]string, len(nums))
			for i, num := range nums {
				ids[i] = byNumber[num]
			}
			if len(ids) < n {
				return ids, fmt.Errorf("%d of %d incident channels after %s", len(ids), n, limit)
			}
			return ids, nil
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// get fetches u and returns the status and latency.
func get(client *http.Client, u string) (string, time.Duration) {
	start := time.Now()
	resp, err := client.Get(u)
	if err != nil {
		return "error", time.Since(start)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return strconv.Itoa(resp.StatusCode), time.Since(start)
}

// bestOf runs rounds rounds of n requests one after the other and returns the p50 and p99
// of the round with the lowest p99. A request that is not answered 200 is an error.
func bestOf(rounds, n int, send func() (string, time.Duration)) (readTimes, error) {
	var best readTimes
	for r := range rounds {
		took := make([]time.Duration, 0, n)
		for range n {
			status, d := send()
			if status != "200" {
				return best, fmt.Errorf("answered %s", status)
			}
			took = append(took, d)
		}
		slices.Sort(took)
		t := readTimes{P50: ms(took[len(took)/2]), P99: ms(took[min(len(took)-1, len(took)*99/100)])}
		if r == 0 || t.P99 < best.P99 {
			best = t
		}
	}
	return best, nil
}
