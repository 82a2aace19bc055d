package patroni

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

// Outcome is how Patroni answered a switchover it accepted.
type Outcome string

// The outcomes of an accepted switchover.
const (
	SwitchedOver Outcome = "switched_over" // 200: the leader changed
	Scheduled    Outcome = "scheduled"     // 202: it will happen at scheduled_at
)

// SwitchoverResult is Patroni's answer to a switchover it accepted.
type SwitchoverResult struct {
	Outcome Outcome
	Status  int
	Message string // Patroni's text: Successfully switched over to "n2"
	// NewLeader is the leader Patroni names in a 200 answer ("" when it names none).
	NewLeader string
}

// ErrorKind says why Patroni did not switch over.
type ErrorKind string

// The ways a switchover request fails.
const (
	BadRequest     ErrorKind = "bad_request"     // 400: the request is wrong (no leader given, a bad time)
	NotPossible    ErrorKind = "not_possible"    // 412: the leader or candidate does not match, no healthy candidate
	UnknownOutcome ErrorKind = "unknown_outcome" // 503, or no answer once sent: it may or may not have happened
	Unexpected     ErrorKind = "unexpected"      // any other status
)

// Error is a switchover Patroni refused, or whose outcome is not known.
type Error struct {
	Kind    ErrorKind
	Status  int    // the HTTP status; 0 when no answer came
	Message string // Patroni's text, or the transport's error
}

func (e *Error) Error() string {
	what := map[ErrorKind]string{
		BadRequest:     "Patroni refused the switchover request (400)",
		NotPossible:    "Patroni says the switchover is not possible (412)",
		UnknownOutcome: "the switchover's outcome is unknown",
		Unexpected:     fmt.Sprintf("Patroni answered the switchover with HTTP %d", e.Status),
	}[e.Kind]
	if e.Kind == UnknownOutcome && e.Status != 0 {
		what += fmt.Sprintf(" (Patroni answered %d)", e.Status)
	}
	if e.Message == "" {
		return what
	}
	return what + ": " + e.Message
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k ErrorKind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// Switchover asks the cluster (POST /switchover) to hand the leader role from leader to
// candidate ("" lets Patroni choose: the synchronous standby in synchronous mode), now or,
// when at is not zero, at that time. Patroni answers a switchover that is not scheduled
// once the leader changed, failed or it gave up waiting (at least 20 s), so ctx should
// allow half a minute. Errors are *Error: BadRequest (400), NotPossible (412),
// UnknownOutcome (503, or the request was sent and no answer came), Unexpected.
func (c *Client) Switchover(ctx context.Context, leader, candidate string, at time.Time) (SwitchoverResult, error) {
	body := map[string]string{"leader": leader}
	if candidate != "" {
		body["candidate"] = candidate
	}
	if !at.IsZero() {
		body["scheduled_at"] = at.UTC().Format(time.RFC3339)
	}
	status, text, err := c.do(ctx, http.MethodPost, c.base.String()+"/switchover", body)
	if err != nil {
		return SwitchoverResult{}, &Error{Kind: UnknownOutcome, Message: err.Error()}
	}
	msg := firstLine(text)
	switch status {
	case http.StatusOK:
		r := SwitchoverResult{Outcome: SwitchedOver, Status: status, Message: msg}
		if m := namedLeader.FindStringSubmatch(msg); m != nil {
			r.NewLeader = m[1]
		}
		return r, nil
	case http.StatusAccepted:
		return SwitchoverResult{Outcome: Scheduled, Status: status, Message: msg}, nil
	case http.StatusBadRequest:
		return SwitchoverResult{}, &Error{Kind: BadRequest, Status: status, Message: msg}
	case http.StatusPreconditionFailed:
		return SwitchoverResult{}, &Error{Kind: NotPossible, Status: status, Message: msg}
	case http.StatusServiceUnavailable:
		return SwitchoverResult{}, &Error{Kind: UnknownOutcome, Status: status, Message: msg}
	}
	return SwitchoverResult{}, &Error{Kind: Unexpected, Status: status, Message: msg}
}

// namedLeader finds the new leader in a 200 answer: `Successfully switched over to "n2"` or
// `Switched over to "n3" instead of "n2"`.
var namedLeader = regexp.MustCompile(`(?i)switched over to "([^"]+)"`)
