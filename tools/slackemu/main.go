// Command slackemu runs the Slack Web API and Socket Mode emulator from internal/testenv as a
// server, for trying incidentbot by hand and for load tests without a Slack workspace. It
// prints the environment to give incidentbot and the ID of a #general channel.
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
	fmt.Printf("SLACK_API_URL=%s\nSLACK_BOT_TOKEN=%s\nSLACK_SIGNING_SECRET=%s\nGENERAL=%s\n",
		emu.APIURL(), testenv.SlackBotToken, testenv.SlackSigningSecret, general)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	tick := time.NewTicker(10 * time.Second)
	for {
		select {
		case <-sig:
			return
		case <-tick.C:
			fmt.Fprintf(os.Stderr, "slackemu: %d calls, %d bot channels\n", len(emu.Calls("")), len(emu.Channels()))
		}
	}
}
