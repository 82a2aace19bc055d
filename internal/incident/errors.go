package incident

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Error codes. Users see the message of an Error; only EINTERNAL is logged as a fault.
const (
	ECONFLICT  = "conflict"  // the state does not allow the action (already resolved, name taken)
	EFORBIDDEN = "forbidden" // the actor may not do this
	EINTERNAL  = "internal"  // a fault of ours or of a dependency
	EINVALID   = "invalid"   // bad input
	ENOTFOUND  = "not_found" // no such incident, channel, user
	ENOTREADY  = "not_ready" // a prerequisite (the channel, the card) does not exist yet
	// EUNAVAILABLE: the bot's own database cannot be reached or takes no writes (no primary,
	// as while it fails over to a standby). Try again in a few seconds. Logged as a warning.
	EUNAVAILABLE = "unavailable"
	// EUNAUTHORIZED: the request does not prove who sent it (a signature, a password). The
	// domain never returns it; the surfaces that check credentials do.
	EUNAUTHORIZED = "unauthorized"
)

// Error is a domain error: a machine code and a message meant for the person who asked,
// and the input it is about when it is about one (a form shows it under that field).
type Error struct {
	Code    string
	Message string
	Field   string // one of the Field* names, or ""

	lostClaim bool  // LostClaim
	midCommit bool  // UnavailableMidCommit
	cause     error // what went wrong below, for the log (Unavailable)
}

// The inputs of a declaration, as errors name them.
const (
	FieldTitle       = "title"
	FieldDescription = "description"
	FieldService     = "service"
	FieldSeverity    = "severity"
)

// in sets the input e is about and returns e.
func (e *Error) in(field string) *Error {
	e.Field = field
	return e
}

// about marks a domain error as about field; other errors pass unchanged.
func about(err error, field string) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		return c.in(field)
	}
	return err
}

// About marks a domain error as about field (one of the Field* names); other errors pass
// unchanged. For the layers above the domain that check a declaration's inputs themselves.
func About(err error, field string) error { return about(err, field) }

// ErrorField returns the input err is about ("" when none, or not a domain error).
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func (e *Error) Error() string { return e.Message }

// maybeCommitted reports whether err is UnavailableMidCommit: the transaction may have
// committed.
func maybeCommitted(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.midCommit
}

// Unwrap is the failure below a domain error made from one (Unavailable), or nil.
func (e *Error) Unwrap() error { return e.cause }

// Unavailable wraps a failure to reach the bot's own database, or to write to it (no
// primary: it is failing over, or down), met before anything was committed.
func Unavailable(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, cause: cause, Message: "The bot's database is unavailable right now " +
		"(it may be failing over to a standby), so nothing was done. Try again in a few seconds."}
}

// UnavailableMidCommit wraps a connection to the bot's database that broke while a
// transaction committed: whether it took effect is unknown.
func UnavailableMidCommit(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, cause: cause, midCommit: true, Message: "The bot's database is unavailable: the connection " +
		"broke while this was being saved, so it may or may not have been. Check the incident's timeline " +
		"in a few seconds before you try again."}
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of its *Error, or a
// generic text for internal errors, whose details belong in the log only.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error; the details are in the bot's log."
}

// Report returns what to tell the person whose request failed with err, and logs err when
// it is a fault. A domain error is theirs to act on: they are told its message, and it is
// not logged. Any other error, or one coded EINTERNAL, is ours: it is logged on log at Error
// level with msg and args under a new fault ID, and the person is told that ID (and an
// EINTERNAL error's message), never the details. An EUNAVAILABLE error (the database is
// failing over) is logged as a warning with its cause, and its message told. Every
// surface's error writer ends here.
func Report(ctx context.Context, log *slog.Logger, err error, msg string, args ...any) string {
	var e *Error
	if errors.As(err, &e) && e.Code == EUNAVAILABLE {
		log.WarnContext(ctx, msg, append(args, "err", e.cause)...) // an outage, not a fault
		return e.Message
	}
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	id := newFaultID()
	log.ErrorContext(ctx, msg, append(args, "err", err, "fault", id)...)
	if e != nil {
		return e.Message + " (logged as fault " + id + ")"
	}
	return "Something went wrong on my side; it is logged as fault " + id + "."
}

// newFaultID returns a short random ID that ties what a person was told to a log line.
func newFaultID() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// TemporaryError marks a failure that may succeed later: a rate limit (RetryAfter set),
// a 5xx answer or a network error. Adapters return it; the outbox retries it.
type TemporaryError struct {
	RetryAfter time.Duration // zero: back off exponentially
	Err        error
	// Local says the bot's own database failed, not the outside service the effect calls
	// (so it is no sign of an outage there).
	Local bool
}

func (e *TemporaryError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%v (retry after %s)", e.Err, e.RetryAfter)
	}
	return e.Err.Error()
}

func (e *TemporaryError) Unwrap() error { return e.Err }

// Temporary wraps err as a failure worth retrying after backoff.
func Temporary(err error) error { return &TemporaryError{Err: err} }

// StoreFailed wraps a failure of the bot's own database met while delivering an effect:
// worth retrying, and no sign that the outside service is down.
func StoreFailed(err error) error { return &TemporaryError{Err: err, Local: true} }

// RateLimited wraps err as a failure to retry after d.
func RateLimited(d time.Duration, err error) error { return &TemporaryError{RetryAfter: d, Err: err} }
