package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
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

// Once ready, serve writes the heap profile INCIDENTBOT_HEAP_PROFILE names and gives back
// the pages of its binary that start-up touched: its resident set shrinks.
func TestServeAfterReadyProfilesAndReleasesStartupPages(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the start-up pages are released on Linux only")
	}
	emu := testenv.NewSlack()
	defer emu.Close()
	dir := t.TempDir()
	profile := filepath.Join(dir, "heap.pb.gz")
	p := startServe(t, serveEnv(emu, filepath.Join(dir, "bot.db"), heapProfileEnv+"="+profile))
	waitFor(t, "the start-up pages to be released", func() bool { _, ok := logRecord(p, "start-up pages released"); return ok })
	rec, _ := logRecord(p, "start-up pages released")
	before, after := rec["rss_before_mb"].(float64), rec["rss_after_mb"].(float64)
	if !(after > 0 && after < before) {
		t.Errorf("resident set %v MB before, %v MB after releasing the start-up pages: %v", before, after, rec)
	}
	b, err := os.ReadFile(profile)
	if err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) { // pprof's protobuf is gzipped
		t.Errorf("heap profile: %v, %d bytes", err, len(b))
	}
	if _, ok := logRecord(p, "heap profile written"); !ok {
		t.Error("no log of the heap profile")
	}
}

// INCIDENTBOT_KEEP_STARTUP_PAGES keeps them.
func TestServeKeepsStartupPagesWhenAsked(t *testing.T) {
	emu := testenv.NewSlack()
	defer emu.Close()
	dir := t.TempDir()
	p := startServe(t, serveEnv(emu, filepath.Join(dir, "bot.db"), keepStartupPagesEnv+"=1",
		heapProfileEnv+"="+filepath.Join(dir, "heap.pb.gz")))
	// The profile is written just before the pages would be released.
	waitFor(t, "the heap profile", func() bool { _, ok := logRecord(p, "heap profile written"); return ok })
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
	if rec, ok := logRecord(p, "start-up pages released"); ok {
		t.Errorf("released the start-up pages: %v", rec)
	}
}
