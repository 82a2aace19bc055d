// Command slackemu runs the Slack Web API and Socket Mode emulator from internal/testenv as a
// server, with the PagerDuty and GitHub fakes beside it, for trying incidentbot by hand and for load tests
// without a Slack workspace, a PagerDuty account or a GitHub repository. It prints the environment to give
// incidentbot and the ID of a #general channel, then a line of counts every 10 seconds.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
)

func main() {
	latency := flag.Duration("latency", 0, "delay every Web API answer by this much")
	flag.Parse()
	emu := testenv.NewSlack()
	defer emu.Close()
	emu.SetLatency(*latency)
	general := emu.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)
	pd := testenv.NewPagerDuty()
	defer pd.Close()
	gh := testenv.NewGitHub("nephoran/incidents")
	defer gh.Close()
	fmt.Printf("SLACK_API_URL=%s\nSLACK_BOT_TOKEN=%s\nSLACK_SIGNING_SECRET=%s\nGENERAL=%s\n",
		emu.APIURL(), testenv.SlackBotToken, testenv.SlackSigningSecret, general)
	fmt.Printf("PAGERDUTY_API_URL=%s\nPAGERDUTY_EVENTS_URL=%s\nPAGERDUTY_TOKEN=%s\nPAGERDUTY_FROM=%s\nPAGERDUTY_WEBHOOK_SECRET=%s\n",
		pd.URL(), pd.EventsURL(), testenv.PagerDutyToken, testenv.PagerDutyFrom, testenv.PagerDutyWebhookSecret)
	fmt.Printf("GITHUB_API_URL=%s\nGITHUB_TOKEN=%s\nGITHUB_REPO=nephoran/incidents\n", gh.URL(), testenv.GitHubToken)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	tick := time.NewTicker(10 * time.Second)
	for {
		select {
		case <-sig:
			return
		case <-tick.C:
			fmt.Fprintf(os.Stderr, "slackemu: %d Slack calls, %d bot channels; PagerDuty: %d calls, %d incidents, %d events; GitHub: %d issues\n",
				len(emu.Calls("")), len(emu.Channels()), len(pd.Calls("")), len(pd.Incidents()), len(pd.Events()), len(gh.Issues()))
			for _, is := range gh.Issues() {
				fmt.Fprintf(os.Stderr, "--- GitHub issue #%d %s\n%s\n", is.Number, is.Title, is.Body)
			}
		}
	}
}
