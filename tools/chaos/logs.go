package main

import (
	"sort"
	"sync"
	"time"
)

// logLine is the part of a replica's JSON log line the tool reads.
type logLine struct {
	Time   time.Time `json:"time"`
	Level  string    `json:"level"`
	Msg    string    `json:"msg"`
	Effect string    `json:"effect"`
	Kind   string    `json:"kind"`
	Claim  int64     `json:"claim"`
	Err    string    `json:"err"`
}

// The outbox's log messages for a claim and a takeover (internal/incident outbox.go).
const (
	msgClaimed  = "outbox: claimed"
	msgTakeover = "outbox: took over an effect whose claim lapsed"
)

// claimRef is one claim token of one effect.
type claimRef struct {
	effect string
	claim  int64
}

// claimAt is who claimed an effect with a token, and when.
type claimAt struct {
	instance string
	at       time.Time
	takeover bool
	kind     string
}

// logBook collects what the replicas logged about claims, and their errors.
type logBook struct {
	mu     sync.Mutex
	claims map[claimRef]claimAt
	errors map[string]int // message -> count, of level ERROR
	kills  map[string]time.Time
}

func newLogBook() *logBook {
	return &logBook{claims: map[claimRef]claimAt{}, errors: map[string]int{}, kills: map[string]time.Time{}}
}

func (b *logBook) add(instance string, l logLine) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case l.Msg == msgClaimed || l.Msg == msgTakeover:
		b.claims[claimRef{l.Effect, l.Claim}] = claimAt{instance: instance, at: l.Time, takeover: l.Msg == msgTakeover, kind: l.Kind}
	case l.Level == "ERROR":
		b.errors[l.Msg]++
	}
}

func (b *logBook) killed(instance string, at time.Time) {
	b.mu.Lock()
	b.kills[instance] = at
	b.mu.Unlock()
}

// takeovers is what the logs say about takeovers: for each one whose previous claim was
// held by an instance that was killed before it, the time from the kill to the takeover.
type takeovers struct {
	afterKill []time.Duration // sorted
	byTime    int             // of them, attributed by time: the holder's claim line died with it
	other     int             // takeovers of a claim held by an instance that was not killed (hung or slow)
	unmatched int             // takeovers whose previous claim no log shows
	byKind    map[string]int
}

// A claim logged by no instance was made by one killed between committing it and logging
// it: such a takeover is timed from the last kill within lease before it, if any.
func (b *logBook) takeovers(lease time.Duration) takeovers {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := takeovers{byKind: map[string]int{}}
	for ref, c := range b.claims {
		if !c.takeover {
			continue
		}
		t.byKind[c.kind]++
		prev, ok := b.claims[claimRef{ref.effect, ref.claim - 1}]
		if !ok {
			var last time.Time
			for _, k := range b.kills {
				if k.Before(c.at) && k.After(c.at.Add(-lease-time.Second)) && k.After(last) {
					last = k
				}
			}
			if last.IsZero() {
				t.unmatched++
			} else {
				t.afterKill = append(t.afterKill, c.at.Sub(last))
				t.byTime++
			}
			continue
		}
		kill, killed := b.kills[prev.instance]
		if !killed || kill.Before(prev.at) || kill.After(c.at) {
			t.other++
			continue
		}
		t.afterKill = append(t.afterKill, c.at.Sub(kill))
	}
	sort.Slice(t.afterKill, func(i, j int) bool { return t.afterKill[i] < t.afterKill[j] })
	return t
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(p*float64(len(ds))))]
}
