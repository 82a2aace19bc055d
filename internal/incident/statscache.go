package incident

import (
	"sync"
	"time"
)

// statsRefreshAll is how old the cached facts may be before they are all read again
// rather than brought up to date: the stores keep a day of changes.
const statsRefreshAll = 12 * time.Hour

// statsCache is the facts of every incident, kept up to date from the stores' log of
// changes. Each read of the KPIs brings it up to date in the same transaction that reads
// the position, so it is never older than what that transaction sees.
type statsCache struct {
	mu       sync.Mutex
	facts    map[int64]*statsEntry
	position int64
	read     time.Time // when every fact was last read or brought up to date
	gen      uint64    // counts the changes to facts, so what is computed from them can be kept
	monthly  monthlyMemo
}

// statsEntry is one incident's facts with its recovery objectives.
type statsEntry struct {
	StatsFact
	obj Objectives
}

// update brings the cache up to date inside tx and returns the entries declared at or
// after since. now is the Service's clock.
func (c *statsCache) update(tx Tx, cat Catalog, since, now time.Time) ([]*statsEntry, error) {
	if c.facts == nil || c.position == 0 || now.Sub(c.read) > statsRefreshAll || now.Before(c.read) {
		if err := c.reload(tx, cat); err != nil {
			return nil, err
		}
	} else {
		ids, next, err := tx.StatsChanges(c.position)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			facts, err := tx.StatsFactsOf(ids)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				delete(c.facts, id)
			}
			for _, f := range facts {
				c.put(f, cat)
			}
			c.gen++
		}
		c.position = next
	}
	c.read = now
	out := make([]*statsEntry, 0, len(c.facts))
	for _, e := range c.facts {
		if !e.DeclaredAt.Before(since) {
			out = append(out, e)
		}
	}
	return out, nil
}

// reload reads every fact, after the position, in one transaction: a change made after
// the position is read is either in what follows or comes back from the log next time.
func (c *statsCache) reload(tx Tx, cat Catalog) error {
	_, position, err := tx.StatsChanges(0)
	if err != nil {
		return err
	}
	facts, err := tx.StatsFacts(time.Time{})
	if err != nil {
		return err
	}
	c.facts = make(map[int64]*statsEntry, len(facts))
	for _, f := range facts {
		c.put(f, cat)
	}
	c.position = position
	c.gen++
	return nil
}

func (c *statsCache) put(f StatsFact, cat Catalog) {
	inc := Incident{Services: f.Services}
	c.facts[f.ID] = &statsEntry{StatsFact: f, obj: inc.ComputeObjectives(cat)}
}
