// Command seeddata builds a history in a running `incidentbot serve` (HTTP mode) from
// outside, as a load tool does: it declares incidents by signed PagerDuty webhooks (v3,
// X-PagerDuty-Signature) and signed slash commands, adds notes by signed slash commands in
// their channels until the timelines hold about -events events, resolves all but -open of
// them, and prints the throughput of each phase. Then it times the reads a person makes,
// with plain HTTP requests: GET /, /status, /incidents/{id} and the ack of `/incident stats
// all`, each the best of 5 rounds, p50 and p99. The last line is a JSON summary.
//
// The channels are found in the Slack the bot talks to (tools/slackemu, or any emulator
// that answers conversations.list). Secrets and URLs come from flags or the environment:
//
//	seeddata -bot http://127.0.0.1:8080 -incidents 10000 -events 1000000 -open 100
//
// The bot it builds in wants `pagerduty: {join_window: 0s}` (else the webhooks' incidents,
// all on one PagerDuty service, join one incident) and `slack: {rate_budget: false}` (else
// the bot creates about 20 channels a minute, as Slack's tier allows).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	cfg := config{}
	flag.StringVar(&cfg.Bot, "bot", env("SEEDDATA_BOT", "http://127.0.0.1:8080"), "the bot's base URL (SEEDDATA_BOT)")
	flag.StringVar(&cfg.SlackSecret, "slack-secret", os.Getenv("SLACK_SIGNING_SECRET"), "Slack signing secret (SLACK_SIGNING_SECRET)")
	flag.StringVar(&cfg.PagerDutySecret, "pagerduty-secret", os.Getenv("PAGERDUTY_WEBHOOK_SECRET"), "PagerDuty webhook secret (PAGERDUTY_WEBHOOK_SECRET)")
	flag.StringVar(&cfg.SlackAPI, "slack-api", os.Getenv("SLACK_API_URL"), "the Slack Web API the bot talks to, to find the channels (SLACK_API_URL)")
	flag.StringVar(&cfg.SlackToken, "slack-token", os.Getenv("SLACK_BOT_TOKEN"), "a token for that API (SLACK_BOT_TOKEN)")
	flag.StringVar(&cfg.Service, "pagerduty-service", "PSVC001", "the PagerDuty service the webhooks' incidents are on (mapped to a service in the bot's config)")
	flag.StringVar(&cfg.Channel, "channel", env("GENERAL", ""), "the channel slash declarations and stats are sent from (GENERAL)")
	flag.StringVar(&cfg.User, "user", "U0ALICE", "the Slack user who sends the commands")
	flag.IntVar(&cfg.Incidents, "incidents", 20, "incidents to declare, half by webhook and half by slash command")
	flag.IntVar(&cfg.Events, "events", 500, "timeline events to reach in total")
	flag.IntVar(&cfg.BotEvents, "bot-events", 19, "events the bot records itself per incident (declaration, channel, pages, cadence, resolution: about 19), counted against -events")
	flag.IntVar(&cfg.Open, "open", 5, "incidents left open")
	flag.IntVar(&cfg.Concurrency, "concurrency", 8, "requests in flight")
	flag.IntVar(&cfg.Reads, "reads", 50, "requests per round of each timed read")
	flag.Parse()
	if cfg.SlackSecret == "" || cfg.PagerDutySecret == "" || cfg.SlackAPI == "" || cfg.SlackToken == "" || cfg.Channel == "" {
		fmt.Fprintln(os.Stderr, "seeddata: give -slack-secret, -pagerduty-secret, -slack-api, -slack-token and -channel (or their environment variables)")
		os.Exit(2)
	}
	rep, err := run(cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "seeddata:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(rep)
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// config is what to build and where.
type config struct {
	Bot, SlackSecret, PagerDutySecret, SlackAPI, SlackToken, Service, Channel, User string
	Incidents, Events, BotEvents, Open, Concurrency, Reads                          int
}

// report is what was built, as the bot acknowledged it, and the timed reads.
type report struct {
	Declared, ByWebhook, BySlash, Notes, Resolved, Refused int
	BotEvents                                              int
	Seconds                                                map[string]float64 // per phase
	Reads                                                  map[string]readTimes
}

// readTimes are the best round's p50 and p99 of one read, in milliseconds.
type readTimes struct {
	P50, P99 float64
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
