package storecopy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// fromSQLite turns a value read from SQLite into what PostgreSQL stores for column c,
// refusing what would not round-trip: a NULL (every column is NOT NULL), a value of
// another type than the column's, text PostgreSQL cannot hold (a NUL byte, bytes that are
// not UTF-8) and a boolean that is not 0 or 1.
func fromSQLite(c column, v any) (any, error) {
	switch c.kind {
	case integer, boolean:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("%s, want an integer", describe(v))
		}
		if c.kind == integer {
			return n, nil
		}
		if n != 0 && n != 1 {
			return nil, fmt.Errorf("%d, want 0 or 1", n)
		}
		return n == 1, nil
	case text:
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		default:
			return nil, fmt.Errorf("%s, want text", describe(v))
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("text that is not UTF-8, which PostgreSQL cannot store")
		}
		if strings.IndexByte(s, 0) >= 0 {
			return nil, fmt.Errorf("text with a NUL byte, which PostgreSQL cannot store")
		}
		return s, nil
	}
	return nil, fmt.Errorf("column %s: unknown kind %d", c.name, c.kind)
}

// fromPostgres turns a value read back from PostgreSQL into the form fromSQLite returns,
// so the two compare with ==.
func fromPostgres(c column, v any) (any, error) {
	switch v := v.(type) {
	case int16:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case int64, string, bool:
		return v, nil
	}
	return nil, fmt.Errorf("column %s: %s read back", c.name, describe(v))
}

// describe names a value's type for an error, and the value when it is short.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return fmt.Sprintf("a blob of %d bytes", len(v))
	case string:
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return fmt.Sprintf("the text %q", v)
	}
	return fmt.Sprintf("%T %v", v, v)
}
