package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/words"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Report prints what the drill left behind: the channel as people saw it, the timeline,
// the review on GitHub, and the state of PagerDuty and the drill cluster.
func (w *World) Report(ctx context.Context, out io.Writer, svc *incident.Service, inc *incident.Incident) error {
	ch := w.Slack.Channel(inc.ChannelID)
	if ch == nil {
		return fmt.Errorf("the channel %s is gone", inc.ChannelID)
	}
	heading(out, fmt.Sprintf("Channel #%s, as Slack shows it (%d messages; cards as they ended)", ch.Name, len(ch.Messages)))
	for _, m := range ch.Messages {
		who := w.userName(m.User)
		if ch.Pins[m.TS] {
			who += " (pinned)"
		}
		fmt.Fprintf(out, "%s:\n", who)
		for _, l := range w.messageLines(m.Text, m.Blocks) {
			fmt.Fprintf(out, "    %s\n", l)
		}
	}

	evs, err := svc.Timeline(ctx, inc.ID)
	if err != nil {
		return err
	}
	chain := "the hash chain verifies"
	if b := incident.VerifyChain(evs); b != nil {
		chain = fmt.Sprintf("BROKEN at event #%d: %s", b.Event.Seq, b.Reason)
	}
	hidden := 0
	for _, e := range evs {
		if e.Kind.Housekeeping() {
			hidden++
		}
	}
	heading(out, fmt.Sprintf("Timeline of %s (UTC; %d events, %d of them the bot's housekeeping not shown; %s)", inc.Key(), len(evs), hidden, chain))
	for _, e := range evs {
		if !e.Kind.Housekeeping() {
			fmt.Fprintf(out, "  %3d  %s  %-16s %s\n", e.Seq, e.At.UTC().Format("15:04:05.000"), e.Kind, firstLine(words.PlainText(words.Event(e), w)))
		}
	}

	heading(out, "Post-incident review, filed on GitHub")
	for _, is := range w.GitHub.Issues() {
		fmt.Fprintf(out, "%s#%d %-6s %q [%s]\n", Repo, is.Number, is.State, is.Title, strings.Join(is.Labels, ", "))
	}
	for _, is := range w.GitHub.Issues() {
		if is.Number == inc.ReviewNumber {
			fmt.Fprintf(out, "\n%s\n", strings.TrimSpace(w.plain(hideMarkers(is.Body))))
		}
	}

	heading(out, "Outside the bot")
	for _, b := range w.Slack.Channel(inc.ChannelID).Bookmarks {
		fmt.Fprintf(out, "Slack bookmark  %-20s %s\n", b.Title, b.Link)
	}
	for _, p := range w.PD.Incidents() {
		fmt.Fprintf(out, "PagerDuty %s  %-12s via %s  %s\n", p.ID, p.Status, p.EscalationPolicy, p.Title)
	}
	return w.clusterState(ctx, out)
}

// clusterState prints the drill cluster's workloads and its database leader.
func (w *World) clusterState(ctx context.Context, out io.Writer) error {
	kc := w.Cluster.Clientset()
	deps, err := kc.AppsV1().Deployments(Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	sort.Slice(deps.Items, func(i, j int) bool { return deps.Items[i].Name < deps.Items[j].Name })
	for _, d := range deps.Items {
		fmt.Fprintf(out, "Kubernetes %s  deployment %s/%s: %d/%d available\n", DrillCluster, d.Namespace, d.Name, d.Status.AvailableReplicas, *d.Spec.Replicas)
	}
	fmt.Fprintf(out, "Kubernetes %s  Patroni leader: %s\n", DrillCluster, w.Cluster.Leader())
	return nil
}

func heading(out io.Writer, title string) {
	fmt.Fprintf(out, "\n=== %s %s\n", title, strings.Repeat("=", max(3, 100-len(title))))
}

// messageLines renders a message as text: its blocks when it has them, else its text.
func (w *World) messageLines(text string, blocks json.RawMessage) []string {
	var bs []struct {
		Type string `json:"type"`
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
		Fields []struct {
			Text string `json:"text"`
		} `json:"fields"`
		Elements []struct {
			Type string `json:"type"`
			Text json.RawMessage
		} `json:"elements"`
	}
	if len(blocks) == 0 || json.Unmarshal(blocks, &bs) != nil || len(bs) == 0 {
		return strings.Split(w.plain(text), "\n")
	}
	var lines []string
	add := func(s string) { lines = append(lines, strings.Split(w.plain(s), "\n")...) }
	for _, b := range bs {
		switch b.Type {
		case "header", "section":
			if b.Text != nil {
				add(b.Text.Text)
			}
			for _, f := range b.Fields {
				add(f.Text)
			}
		case "context":
			var parts []string
			for _, e := range b.Elements {
				parts = append(parts, elementText(e.Text))
			}
			add(strings.Join(parts, " · "))
		case "actions":
			var parts []string
			for _, e := range b.Elements {
				if t := elementText(e.Text); t != "" {
					parts = append(parts, "["+t+"]")
				}
			}
			add(strings.Join(parts, " "))
		case "divider":
			lines = append(lines, "----")
		}
	}
	return lines
}

// elementText is the text of a block element: a string (context) or a text object (button).
func elementText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Text string `json:"text"`
	}
	json.Unmarshal(raw, &obj)
	return obj.Text
}

var markerRef = regexp.MustCompile(`(?s)<!--.*?-->\n?`)

// plain turns Slack text (mentions, links, date tokens, escapes) into what a reader sees.
func (w *World) plain(s string) string {
	return words.PlainText(words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: s}}}, w)
}

// Person names a Slack user of the world (words.Names).
func (w *World) Person(id string) string { return w.userName(id) }

// Channel names a channel of the world's Slack (words.Names), or "" when it has none.
func (w *World) Channel(id string) string {
	if ch := w.Slack.Channel(id); ch != nil {
		return ch.Name
	}
	return ""
}

func hideMarkers(s string) string { return markerRef.ReplaceAllString(s, "") }

// userName names a Slack user ID of the world.
func (w *World) userName(id string) string {
	if id == testenv.SlackBotUser {
		return "incidentbot"
	}
	for _, p := range Team {
		if p.SlackID == id {
			return p.Name
		}
	}
	return id
}
