package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/nephoran/incidentbot/internal/app"
)

// heapProfileEnv names the file serve writes a heap profile to once it is ready, for
// measuring what the bot holds at start (go tool pprof -sample_index=inuse_space FILE).
const heapProfileEnv = "INCIDENTBOT_HEAP_PROFILE"

// profileAtReady writes the heap profile of heapProfileEnv, if set, when a is ready.
func profileAtReady(ctx context.Context, a *app.App, log *slog.Logger) {
	path := os.Getenv(heapProfileEnv)
	if path == "" {
		return
	}
	go func() {
		select {
		case <-ctx.Done():
			return
		case <-a.Ready():
		}
		if err := writeHeapProfile(path); err != nil {
			log.Error("heap profile", "env", heapProfileEnv, "err", err)
			return
		}
		log.Info("heap profile written", "path", path)
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
