package incident

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// ComputeHash returns the hash that chains e to its predecessor: the SHA-256 of an
// unambiguous encoding of every field but ID and Hash, in e's format. The encoding is the
// JSON array json.Marshal makes of the fields (the format first, except for FormatText),
// written here without reflection: a verify hashes every event of the database.
func (e *TimelineEvent) ComputeHash() string {
	b := make([]byte, 0, 256+len(e.DataJSON)+len(e.Text))
	b = append(b, '[')
	if e.Format != FormatText {
		b = strconv.AppendInt(b, int64(e.Format), 10)
		b = append(b, ',')
	}
	b = strconv.AppendInt(b, e.IncidentID, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(e.Seq), 10)
	b = append(appendTime(append(b, ',', '"'), e.At), '"')
	b = appendJSONString(append(b, ','), e.Actor)
	b = appendJSONString(append(b, ','), string(e.Kind))
	if e.Format == FormatText {
		b = appendJSONString(append(b, ','), e.Text)
	} else {
		data := e.DataJSON
		if data == "" {
			data = e.marshalData()
		}
		b = appendJSONString(append(b, ','), data)
	}
	b = appendJSONString(append(b, ','), e.PrevHash)
	b = append(b, ']')
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// appendJSONString appends s encoded as json.Marshal encodes a string. Printable ASCII is
// written here (quote and backslash escaped, and <, > and & as \u003c, \u003e and \u0026, as
// json.Marshal does); a string with any other byte is left to json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7f {
			j, _ := json.Marshal(s) // a string always encodes
			return append(b, j...)
		}
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '<', '>', '&':
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendTime appends FormatTime(t) without allocating.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return append(b, FormatTime(t)...)
	}
	hour, minute, second := t.Clock()
	b = append(appendDigits(b, year, 4), '-')
	b = append(appendDigits(b, int(month), 2), '-')
	b = append(appendDigits(b, day, 2), 'T')
	b = append(appendDigits(b, hour, 2), ':')
	b = append(appendDigits(b, minute, 2), ':')
	b = append(appendDigits(b, second, 2), '.')
	return append(appendDigits(b, t.Nanosecond()/1e6, 3), 'Z')
}

// appendDigits appends n, at most width digits, zero-padded to width.
func appendDigits(b []byte, n, width int) []byte {
	start := len(b)
	b = append(b, "0000"[:width]...)
	for i := len(b) - 1; i >= start; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}
