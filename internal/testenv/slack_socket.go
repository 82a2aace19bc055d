package testenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// socketHub serves Socket Mode connections: it says hello, sends envelopes and collects acks.
type socketHub struct {
	s        *Slack
	upgrader websocket.Upgrader
	mu       sync.Mutex
	conns    []*websocket.Conn
	writeMu  sync.Mutex
	acks     map[string]chan json.RawMessage
	nextEnv  int
	ready    chan struct{}
}

func newSocketHub(s *Slack) *socketHub {
	return &socketHub{s: s, acks: map[string]chan json.RawMessage{}, ready: make(chan struct{}),
		// Slack's socket endpoint takes connections from anywhere the URL was given to.
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}}
}

func (h *socketHub) serve(w http.ResponseWriter, r *http.Request) {
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	h.writeMu.Lock()
	err = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A0APP"}, "debug_info": map[string]any{"approximate_connection_time": 3600}})
	h.writeMu.Unlock()
	if err != nil {
		conn.Close()
		return
	}
	h.mu.Lock()
	h.conns = append(h.conns, conn)
	if len(h.conns) == 1 {
		close(h.ready)
	}
	h.mu.Unlock()
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			h.drop(conn) // a closed connection gets no more envelopes, as on Slack
			return
		}
		h.mu.Lock()
		ch := h.acks[ack.EnvelopeID]
		delete(h.acks, ack.EnvelopeID)
		h.mu.Unlock()
		if ch != nil {
			ch <- ack.Payload
		}
	}
}

// drop forgets a connection that closed.
func (h *socketHub) drop(conn *websocket.Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, c := range h.conns {
		if c == conn {
			h.conns = append(h.conns[:i], h.conns[i+1:]...)
			return
		}
	}
}

func (h *socketHub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.Close()
	}
}

// WaitSocket waits until a Socket Mode client has connected.
func (s *Slack) WaitSocket(timeout time.Duration) error {
	select {
	case <-s.socket.ready:
		return nil
	case <-time.After(timeout):
		return errors.New("no Socket Mode client connected")
	}
}

// SocketConnections is how many Socket Mode connections are open: one per replica of the
// app (Slack allows up to 10, and hands each envelope to one of them).
func (s *Slack) SocketConnections() int {
	s.socket.mu.Lock()
	defer s.socket.mu.Unlock()
	return len(s.socket.conns)
}

// SendSocket sends an envelope of type envType (slash_commands, interactive, events_api) to
// the latest Socket Mode connection and returns the payload of its ack.
func (s *Slack) SendSocket(envType string, payload any, timeout time.Duration) (json.RawMessage, error) {
	return s.SendSocketTo(-1, envType, payload, timeout)
}

// SendSocketTo is SendSocket to the i-th open connection, in the order they connected (-1:
// the latest), as Slack spreads envelopes over an app's connections.
func (s *Slack) SendSocketTo(i int, envType string, payload any, timeout time.Duration) (json.RawMessage, error) {
	h := s.socket
	h.mu.Lock()
	if i < 0 {
		i = len(h.conns) - 1
	}
	if i < 0 || i >= len(h.conns) {
		h.mu.Unlock()
		return nil, fmt.Errorf("no Socket Mode connection %d (%d open)", i, len(h.conns))
	}
	conn := h.conns[i]
	h.nextEnv++
	id := fmt.Sprintf("env-%d", h.nextEnv)
	ack := make(chan json.RawMessage, 1)
	h.acks[id] = ack
	h.mu.Unlock()
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	h.writeMu.Lock()
	err = conn.WriteJSON(map[string]any{"envelope_id": id, "type": envType, "payload": json.RawMessage(body),
		"accepts_response_payload": envType != "events_api", "retry_attempt": 0, "retry_reason": ""})
	h.writeMu.Unlock()
	if err != nil {
		return nil, err
	}
	select {
	case p := <-ack:
		return p, nil
	case <-time.After(timeout):
		return nil, fmt.Errorf("envelope %s was not acknowledged within %s", id, timeout)
	}
}
