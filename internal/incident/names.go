package incident

import (
	"context"
	"sync"
	"time"
)

// Names reads people's display names from chat once and keeps them, for the surfaces that
// show people by name (the review, the web pages, the terminal). A lookup that fails is
// tried again after a minute; a name is read again after a day.
type Names struct {
	chat  Chat
	clock Clock

	mu       sync.Mutex
	people   map[string]knownName
	channels map[string]knownName
}

type knownName struct {
	name string
	at   time.Time
	ok   bool
}

const (
	nameKeep      = 24 * time.Hour
	nameFailAgain = time.Minute
)

// NewNames returns a cache of chat's names (clock nil: the system clock).
func NewNames(chat Chat, clock Clock) *Names {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Names{chat: chat, clock: clock, people: map[string]knownName{}, channels: map[string]knownName{}}
}

// Person returns the user's display name, or "" when chat does not say (the caller shows
// the ID). The bot's own actor has no chat name.
func (n *Names) Person(ctx context.Context, id string) string {
	if n == nil || id == "" || id == BotActor {
		return ""
	}
	return n.lookup(n.people, id, func() (string, error) { return n.chat.UserName(ctx, id) })
}

// Channel returns the channel's name without the #, or "" when chat does not say.
func (n *Names) Channel(ctx context.Context, id string) string {
	if n == nil || id == "" {
		return ""
	}
	return n.lookup(n.channels, id, func() (string, error) { return n.chat.ChannelName(ctx, id) })
}

func (n *Names) lookup(known map[string]knownName, id string, read func() (string, error)) string {
	now := n.clock.Now()
	n.mu.Lock()
	k, seen := known[id]
	n.mu.Unlock()
	if seen && ((k.ok && now.Sub(k.at) < nameKeep) || (!k.ok && now.Sub(k.at) < nameFailAgain)) {
		return k.name
	}
	name, err := read()
	fresh := knownName{name: name, at: now, ok: err == nil}
	if err != nil {
		fresh.name = k.name // keep what was known while chat does not answer
	}
	n.mu.Lock()
	known[id] = fresh
	n.mu.Unlock()
	return fresh.name
}

// Known returns the names chat knows of the people and channels named, each read once.
func (n *Names) Known(ctx context.Context, named Named) (people, channels map[string]string) {
	people, channels = map[string]string{}, map[string]string{}
	for _, id := range named.People {
		if name := n.Person(ctx, id); name != "" {
			people[id] = name
		}
	}
	for _, id := range named.Channels {
		if name := n.Channel(ctx, id); name != "" {
			channels[id] = name
		}
	}
	return people, channels
}

// Named are the chat users and channels a text names, by ID.
type Named struct {
	People, Channels []string
}
