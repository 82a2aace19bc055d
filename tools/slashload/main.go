// Command slashload sends signed /incident slash commands to a running incidentbot at a fixed
// rate (open loop: a slow answer does not slow the sender) and reports the ack latency.
//
//	go run ./tools/slashload -url http://127.0.0.1:8080 -secret $SLACK_SIGNING_SECRET \
//	    -channel C0000002 -text "note load test" -rate 200 -duration 30s
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the bot's base URL")
	secret := flag.String("secret", os.Getenv("SLACK_SIGNING_SECRET"), "Slack signing secret")
	channel := flag.String("channel", "", "channel_id of the commands")
	user := flag.String("user", "U0ALICE", "user_id of the commands")
	text := flag.String("text", "status", "text after /incident")
	rate := flag.Int("rate", 200, "requests per second")
	duration := flag.Duration("duration", 30*time.Second, "how long to send")
	flag.Parse()
	if *channel == "" || *secret == "" {
		fmt.Fprintln(os.Stderr, "slashload: -channel and -secret (or SLACK_SIGNING_SECRET) are required")
		os.Exit(2)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		statuses  = map[string]int{}
		wg        sync.WaitGroup
	)
	interval := time.Second / time.Duration(*rate)
	start := time.Now()
	n := int(duration.Seconds() * float64(*rate))
	for i := 0; i < n; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, d := send(client, *base, *secret, *channel, *user, *text, i)
			mu.Lock()
			statuses[status]++
			if status == "200" {
				latencies = append(latencies, d)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	fmt.Printf("sent %d in %s (%.1f req/s), statuses %v\n", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), statuses)
	fmt.Printf("ack latency: p50 %s  p90 %s  p99 %s  max %s\n", pct(0.50), pct(0.90), pct(0.99), pct(1))
}

// send posts one signed slash command and returns its status and latency. Each has its own
// trigger_id, as Slack's do: the bot refuses a request it has already received.
func send(client *http.Client, base, secret, channel, user, text string, seq int) (string, time.Duration) {
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
