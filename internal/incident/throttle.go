package incident

import (
	"errors"
	"fmt"
	"time"
)

// ThrottledError says an adapter held a call back to keep within the outside service's
// rate limits (slackapi's budget of each method's tier) instead of making it and meeting a
// 429. The call was not made: the outbox puts the effect back, due after Wait, without
// counting an attempt or reporting a failure.
type ThrottledError struct {
	Wait time.Duration // until the budget has room again
	What string        // the method held back, such as conversations.create
}

// Error says what was held back and for how long.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%s: held back %s to stay within its rate limit", e.What, e.Wait.Round(time.Millisecond))
}

// Throttled returns a *ThrottledError for a call of what held back for wait.
func Throttled(what string, wait time.Duration) error { return &ThrottledError{Wait: wait, What: what} }

// throttled returns the ThrottledError in err, or nil.
func throttled(err error) *ThrottledError {
	var t *ThrottledError
	if errors.As(err, &t) {
		return t
	}
	return nil
}
