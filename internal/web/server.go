// Package web is incidentbot's HTTP server: health and readiness, and the endpoints of the
// surfaces registered on it (Slack today).
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Check is one readiness condition.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Server serves the bot's HTTP endpoints.
type Server struct {
	Mux    *http.ServeMux
	Checks []Check
	Log    *slog.Logger

	ln         net.Listener
	srv        *http.Server
	onShutdown []func()
}

// OnShutdown registers fn to run when Close begins, before it waits for the requests in
// progress: fn ends those that would not end on their own (the pages' streams of changes).
func (s *Server) OnShutdown(fn func()) { s.onShutdown = append(s.onShutdown, fn) }

// NewServer returns a server with /healthz and /readyz registered.
func NewServer(log *slog.Logger, checks ...Check) *Server {
	s := &Server{Mux: http.NewServeMux(), Checks: checks, Log: log}
	s.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, "ok")
	})
	s.Mux.HandleFunc("GET /readyz", s.readyz)
	return s
}

// readyz answers 200 when every check passes, else 503 naming the failures.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain")
	var failed []string
	for _, c := range s.Checks {
		if err := c.Fn(ctx); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", c.Name, err))
		}
	}
	if len(failed) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		for _, f := range failed {
			fmt.Fprintln(w, f)
		}
		return
	}
	fmt.Fprintln(w, "ready")
}

// Open listens on addr (":0" picks a free port).
func (s *Server) Open(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.Mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Log.Error("http server stopped", "err", err)
		}
	}()
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting requests and waits for those in progress, until ctx ends.
func (s *Server) Close(ctx context.Context) error {
	for _, fn := range s.onShutdown {
		fn()
	}
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}
