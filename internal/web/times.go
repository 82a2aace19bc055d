package web

import (
	"html/template"
	"time"
)

// clockHTML is a time as the pages show it: the hour and minute in UTC, which the page's
// script turns into the reader's time zone, the full UTC time on hover; "" for the zero time.
func clockHTML(t time.Time) template.HTML { return timeHTML(t, false) }

// dayHTML is clockHTML with the day: "2 Dec 15:04".
func dayHTML(t time.Time) template.HTML { return timeHTML(t, true) }

func timeHTML(t time.Time, day bool) template.HTML {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	shown, attr := t.Format("15:04"), ""
	if day {
		shown, attr = t.Format("2 Jan 15:04"), ` data-day="1"`
	}
	return template.HTML(`<time datetime="` + t.Format("2006-01-02T15:04:05Z") + `" title="` + t.Format("2006-01-02 15:04:05") + ` UTC"` + attr + `>` + shown + `</time>`) //nolint:gosec // digits and letters of a layout
}
