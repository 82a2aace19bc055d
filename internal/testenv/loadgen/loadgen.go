// Package loadgen sends requests open loop (at a fixed rate, whatever the answers' speed,
// so a slow server does not slow the sender and hide its own latency) and summarizes the
// answers' latencies. tools/slashload and tools/chaos use it.
package loadgen

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Result is what an open-loop run saw.
type Result struct {
	Sent     int
	Elapsed  time.Duration
	Statuses map[string]int  // by HTTP status, or "error" when no answer came
	OK       []time.Duration // latencies of the answers with status 200, sorted
}

// Percentile is the latency under which a share p (0..1) of the 200 answers came; 0 with none.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.OK) == 0 {
		return 0
	}
	return r.OK[min(len(r.OK)-1, int(p*float64(len(r.OK))))]
}

// Errors counts the requests that got no 200.
func (r Result) Errors() int { return r.Sent - len(r.OK) }

// OpenLoop calls send(i) rate times a second for d, each in its own goroutine started on
// schedule, and waits for all of them. send returns the status and latency of request i.
func OpenLoop(rate int, d time.Duration, send func(i int) (status string, latency time.Duration)) Result {
	var (
		mu  sync.Mutex
		res = Result{Statuses: map[string]int{}}
		wg  sync.WaitGroup
	)
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	n := int(d.Seconds() * float64(rate))
	for i := 0; i < n; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, lat := send(i)
			mu.Lock()
			res.Statuses[status]++
			if status == "200" {
				res.OK = append(res.OK, lat)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Sent, res.Elapsed = n, time.Since(start)
	slices.Sort(res.OK)
	return res
}

// Client is an HTTP client for open-loop sending: many idle connections per host, a 10 s
// timeout.
func Client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
}

// SlashCommand posts one signed /incident command with text as user in channel to the bot
// at base and returns the status and latency. Each has its own trigger_id, as Slack's do:
// the bot refuses a request it has already received.
func SlashCommand(client *http.Client, base, secret, channel, user, text string, seq int) (string, time.Duration) {
	body := []byte(url.Values{"team_id": {"T0TEAM"}, "channel_id": {channel}, "user_id": {user},
		"command": {"/incident"}, "text": {text}, "trigger_id": {fmt.Sprintf("%d.%d.load", seq, time.Now().UnixNano())}}.Encode())
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return "error", time.Since(t0)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return strconv.Itoa(resp.StatusCode), time.Since(t0)
}
