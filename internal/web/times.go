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
	b := make([]byte, 0, 112)
	b = append(b, `<time datetime="`...)
	b = t.AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `" title="`...)
	b = t.AppendFormat(b, "2006-01-02 15:04:05")
	b = append(b, ` UTC"`...)
	if day {
		b = append(b, ` data-day="1">`...)
		b = t.AppendFormat(b, "2 Jan 15:04")
	} else {
		b = append(b, '>')
		b = t.AppendFormat(b, "15:04")
	}
	b = append(b, "</time>"...)
	return template.HTML(b) //nolint:gosec // digits and letters of a layout
}
