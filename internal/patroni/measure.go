package patroni

import (
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Measure turns the replication read right before a switchover into the RPO achieved by
// switching over to candidate. Patroni reports lag in bytes of WAL (as each member last
// wrote it to the DCS, at most loop_wait old); a byte count is not a time, so the rule is:
//
//   - The candidate is the synchronous standby (synchronous mode): every commit the leader
//     acknowledged was already on it, so no acknowledged data can be lost: 0 s, whatever
//     its byte lag (WAL it has but has not replayed yet is not lost).
//   - Otherwise, the candidate was 0 bytes behind: 0 s.
//   - Otherwise, it was behind: the window is the age, when the lag was read (now, the
//     bot's clock), of the last transaction it had replayed (pg_last_xact_replay_timestamp,
//     which GET /patroni of the candidate reports; a commit time on the leader's clock).
//     Every transaction committed before that is on the candidate, so at most that window
//     of commits is missing from it: an upper bound, never an underestimate (a leader idle
//     for a while makes it large). Patroni's switchover shuts the leader down cleanly,
//     which sends its remaining WAL to connected standbys, so the real loss is usually less.
//   - It was behind and its replay time cannot be read (its REST API is not on an allowed
//     host, or it has replayed nothing): no measurement; ok is false and why says so.
//
// status is the candidate's GET /patroni read with the lag (nil when it could not be read).
func Measure(before *Replication, candidate string, status *NodeStatus, now time.Time) (m incident.MeasuredRPO, ok bool, why string) {
	rep := before.Replica(candidate)
	if rep == nil {
		return m, false, fmt.Sprintf("%s was not a replica when the lag was read", candidate)
	}
	m.LagBytes = rep.Lag.Bytes
	switch {
	case rep.Sync:
		m.Basis = fmt.Sprintf("%s was the synchronous standby, so every acknowledged commit was on it; lag %s", rep.Name, rep.Lag)
		return m, true, ""
	case rep.Lag.Known && rep.Lag.Bytes == 0:
		m.Basis = fmt.Sprintf("%s was 0 bytes behind the leader", rep.Name)
		return m, true, ""
	}
	if status == nil {
		return m, false, fmt.Sprintf("%s was %s behind and its replay time could not be read (is its REST API on an allowed host?)", rep.Name, rep.Lag)
	}
	at, has := status.ReplayedAt()
	if !has {
		return m, false, fmt.Sprintf("%s was %s behind and has replayed no transaction to date it by", rep.Name, rep.Lag)
	}
	m.Window = max(now.Sub(at), 0).Truncate(time.Millisecond)
	m.Basis = fmt.Sprintf("%s was %s behind; its last replayed transaction was %s old when the switchover started",
		rep.Name, rep.Lag, m.Window)
	return m, true, ""
}
