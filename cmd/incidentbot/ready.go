package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/nephoran/incidentbot/internal/app"
)

// heapProfileEnv names the file serve writes a heap profile to once it is ready, for
// measuring what the bot holds at start (go tool pprof -sample_index=inuse_space FILE).
const heapProfileEnv = "INCIDENTBOT_HEAP_PROFILE"

// afterReady runs once a is ready, in the background: it writes the heap profile of
// heapProfileEnv, if set, and logs the resident set at readiness.
func afterReady(ctx context.Context, a *app.App, log *slog.Logger) {
	go func() {
		select {
		case <-ctx.Done():
			return
		case <-a.Ready():
		}
		if path := os.Getenv(heapProfileEnv); path != "" {
			if err := writeHeapProfile(path); err != nil {
				log.Error("heap profile", "env", heapProfileEnv, "err", err)
			} else {
				log.Info("heap profile written", "path", path)
			}
		}
		log.Debug("ready", "rss_mb", residentMB())
	}()
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC() // the profile shows the heap as of the last collection
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// residentMB is the process's resident set size (VmRSS) in MB, or -1 where /proc has none.
func residentMB() int {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			if kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))); err == nil {
				return kb >> 10
			}
		}
	}
	return -1
}
