package pgtest

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL server of its own, for tools that need one outside a test (such as
// tools/chaos): Start initializes and starts it as New does for tests, and Stop shuts it
// down and removes its files. It listens on a unix socket only; URL gives a connection URL.
type Server struct{ s *server }

// Start starts a new server in a temporary directory. Without the binaries its error says
// what to install. The server gets SIGQUIT from the kernel if the calling process dies
// without calling Stop.
func Start() (*Server, error) {
	s, err := start()
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	return &Server{s: s}, nil
}

// URL is a connection URL to database name over the server's socket.
func (s *Server) URL(name string) string { return s.s.url(name) }

// dbNameRe is what CreateDatabase accepts: a plain identifier, never anything to quote.
var dbNameRe = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CreateDatabase creates an empty database name and returns its URL.
func (s *Server) CreateDatabase(name string) (string, error) {
	if !dbNameRe.MatchString(name) {
		return "", fmt.Errorf("pgtest: %q is not a database name (lowercase letters, digits, _)", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, s.s.url("postgres"))
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return s.s.url(name), nil
}

// Stop shuts the server down and removes its directory.
func (s *Server) Stop() error { return s.s.stop() }
