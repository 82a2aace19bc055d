package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/nephoran/incidentbot/internal/incident"
)

// statusOfCode is the HTTP status of each domain error code; any other is 500.
var statusOfCode = map[string]int{
	incident.EINVALID:      http.StatusBadRequest,
	incident.EUNAUTHORIZED: http.StatusUnauthorized,
	incident.EFORBIDDEN:    http.StatusForbidden,
	incident.ENOTFOUND:     http.StatusNotFound,
	incident.ECONFLICT:     http.StatusConflict,
	incident.ENOTREADY:     http.StatusServiceUnavailable, // try again: what it needs does not exist yet
	incident.EUNAVAILABLE:  http.StatusServiceUnavailable, // try again: the database is failing over
}

// StatusOf returns the HTTP status that answers a request failed with err: 413 for a body
// over its limit (http.MaxBytesReader), else the status of its domain error code
// (EINVALID 400, EUNAUTHORIZED 401, EFORBIDDEN 403, ENOTFOUND 404, ECONFLICT 409,
// ENOTREADY and EUNAVAILABLE 503), and 500 for an internal error.
func StatusOf(err error) int {
	if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
		return http.StatusRequestEntityTooLarge
	}
	if status, ok := statusOfCode[incident.ErrorCode(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// WriteError is the HTTP surfaces' error writer (the pages, the console, Slack's endpoints):
// it answers a request that failed with err with StatusOf(err) and a plain-text body, the
// domain error's message or, for an internal error, the fault ID it is logged under on log
// (incident.Report: only internal errors are logged, at Error level, with the method and
// path). Headers the answer needs (WWW-Authenticate) are set by the caller before.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status := StatusOf(err)
	var text string
	if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
		text = fmt.Sprintf("The request body is over its limit of %d bytes.", mb.Limit)
	} else {
		text = incident.Report(r.Context(), log, err, "request failed", "method", r.Method, "path", r.URL.Path, "status", status)
	}
	http.Error(w, text, status)
}
