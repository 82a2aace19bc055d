package kube

import (
	"context"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The annotations a step writes on the metadata of every object it changes, so people can
// see what changed it: ChangedByAnnotation is the step's incident.ChangeMark
// ("INC-42 step 1.3 promote-db, claim 7"), ChangedAtAnnotation when (RFC 3339, UTC).
//
// rollout-restart, scale, patch, apply, cordon and drain's cordon write them, in the same
// request as the change where the API allows it; wait, check and exec change no object and
// write nothing. Without a mark in the context (a call outside a step's execution) nothing
// extra is written. The plan's diff leaves them out: they are not a change people approve.
const (
	ChangedByAnnotation = "incidentbot.nephoran.io/changed-by"
	ChangedAtAnnotation = "incidentbot.nephoran.io/changed-at"
)

// maxMarkLen caps the changed-by value; a longer mark is cut, ending in "...".
const maxMarkLen = 256

// changeAnnotations returns the annotations to write for ctx's change mark at time at, or
// nil when ctx carries none.
func changeAnnotations(ctx context.Context, at time.Time) map[string]string {
	m, ok := incident.ChangeMarkFrom(ctx)
	if !ok {
		return nil
	}
	return map[string]string{ChangedByAnnotation: markText(m), ChangedAtAnnotation: at.UTC().Format(time.RFC3339)}
}

// markText is the mark as plain printable ASCII (anything else becomes '?'), at most
// maxMarkLen bytes.
func markText(m incident.ChangeMark) string {
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, m.String())
	if len(s) > maxMarkLen {
		s = s[:maxMarkLen-3] + "..."
	}
	return s
}

// metadataPatch is a merge patch that sets only the annotations: for the changes whose own
// request cannot carry them (a JSON patch).
func metadataPatch(ann map[string]string) map[string]any {
	return map[string]any{"metadata": map[string]any{"annotations": ann}}
}

// withAnnotations adds ann to a merge or strategic merge patch's metadata.annotations. It
// reports false, leaving p alone, when p's metadata or annotations are not objects (null
// deletes them): then the mark goes in a metadataPatch of its own.
func withAnnotations(p map[string]any, ann map[string]string) bool {
	md, ok := p["metadata"]
	if !ok {
		md = map[string]any{}
	}
	mdm, ok := md.(map[string]any)
	if !ok {
		return false
	}
	as, ok := mdm["annotations"]
	if !ok {
		as = map[string]any{}
	}
	asm, ok := as.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range ann {
		asm[k] = v
	}
	mdm["annotations"] = asm
	p["metadata"] = mdm
	return true
}

// markedField reports whether a flattened path is one of the change mark's annotations.
func markedField(path string) bool {
	return path == "metadata.annotations."+ChangedByAnnotation || path == "metadata.annotations."+ChangedAtAnnotation
}
