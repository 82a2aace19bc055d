package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// logRecord finds the first JSON log line of p with msg.
func logRecord(p *proc, msg string) (map[string]any, bool) {
	for _, line := range strings.Split(p.log(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			return rec, true
		}
	}
	return nil, false
}

// Once ready, serve writes the heap profile INCIDENTBOT_HEAP_PROFILE names.
func TestServeWritesAHeapProfileOnceReady(t *testing.T) {
	emu := testenv.NewSlack()
	defer emu.Close()
	dir := t.TempDir()
	profile := filepath.Join(dir, "heap.pb.gz")
	p := startServe(t, serveEnv(emu, filepath.Join(dir, "bot.db"), heapProfileEnv+"="+profile))
	waitFor(t, "the heap profile", func() bool { _, ok := logRecord(p, "heap profile written"); return ok })
	b, err := os.ReadFile(profile)
	if err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) { // pprof's protobuf is gzipped
		t.Errorf("heap profile: %v, %d bytes", err, len(b))
	}
}
