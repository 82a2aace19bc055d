package storerow

import (
	"encoding/json"

	"github.com/nephoran/incidentbot/internal/incident"
)

// FormatPrior stores a step's Prior as JSON, and nil as "".
func FormatPrior(p *incident.Prior) string {
	if p == nil {
		return ""
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "" // a Prior holds JSON values only: decoded objects, strings, numbers
	}
	return string(b)
}

// ParsePrior reads a Prior FormatPrior stored.
func ParsePrior(s string) (*incident.Prior, error) {
	if s == "" {
		return nil, nil
	}
	var p incident.Prior
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, err
	}
	return &p, nil
}
