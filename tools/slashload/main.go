// Command slashload sends signed /incident slash commands to a running incidentbot at a fixed
// rate (open loop: a slow answer does not slow the sender) and reports the ack latency.
//
//	go run ./tools/slashload -url http://127.0.0.1:8080 -secret $SLACK_SIGNING_SECRET \
//	    -channel C0000002 -text "note load test" -rate 200 -duration 30s
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv/loadgen"
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
	client := loadgen.Client()
	res := loadgen.OpenLoop(*rate, *duration, func(i int) (string, time.Duration) {
		return loadgen.SlashCommand(client, *base, *secret, *channel, *user, *text, i)
	})
	fmt.Printf("sent %d in %s (%.1f req/s), statuses %v\n", res.Sent, res.Elapsed.Round(time.Millisecond), float64(res.Sent)/res.Elapsed.Seconds(), res.Statuses)
	fmt.Printf("ack latency: p50 %s  p90 %s  p99 %s  max %s\n", res.Percentile(0.50), res.Percentile(0.90), res.Percentile(0.99), res.Percentile(1))
}
