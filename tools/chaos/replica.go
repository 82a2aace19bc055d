package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// replica is one slot of `incidentbot serve` on a fixed port; each start of it is a new
// instance (its generation), so claims and kills can be told apart across restarts.
type replica struct {
	index int
	port  int
	bin   string
	env   []string
	logs  *logBook
	dir   string // where its logs go

	mu      sync.Mutex
	gen     int
	cmd     *exec.Cmd
	exited  chan struct{}
	running bool
}

// freePort asks the kernel for a loopback port that is free now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (r *replica) url() string { return fmt.Sprintf("http://127.0.0.1:%d", r.port) }

// instance names the current start of r.
func (r *replica) instance() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprintf("r%d.%d", r.index, r.gen)
}

// start runs a new instance and waits until it listens.
func (r *replica) start() error {
	r.mu.Lock()
	r.gen++
	inst := fmt.Sprintf("r%d.%d", r.index, r.gen)
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(append([]string{}, r.env...), fmt.Sprintf("INCIDENTBOT_LISTEN=127.0.0.1:%d", r.port))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		r.mu.Unlock()
		return err
	}
	logFile, err := os.Create(fmt.Sprintf("%s/%s.log", r.dir, inst))
	if err != nil {
		r.mu.Unlock()
		return err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		r.mu.Unlock()
		return err
	}
	exited := make(chan struct{})
	r.cmd, r.exited, r.running = cmd, exited, true
	r.mu.Unlock()

	ready := make(chan struct{})
	var once sync.Once
	go func() {
		defer logFile.Close()
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			logFile.Write(line)
			logFile.Write([]byte{'\n'})
			var rec logLine
			if json.Unmarshal(line, &rec) != nil {
				continue
			}
			if rec.Msg == "listening" {
				once.Do(func() { close(ready) })
			}
			r.logs.add(inst, rec)
		}
	}()
	go func() {
		cmd.Wait()
		close(exited)
	}()
	select {
	case <-ready:
		return nil
	case <-exited:
		return fmt.Errorf("replica %s exited before listening; see %s/%s.log", inst, r.dir, inst)
	case <-time.After(60 * time.Second):
		return fmt.Errorf("replica %s not listening after 60s; see %s/%s.log", inst, r.dir, inst)
	}
}

// kill ends the instance with SIGKILL, as a crash would, and returns when it is gone and
// the instance's name.
func (r *replica) kill() (string, time.Time) {
	r.mu.Lock()
	inst := fmt.Sprintf("r%d.%d", r.index, r.gen)
	cmd, exited := r.cmd, r.exited
	r.running = false
	r.mu.Unlock()
	at := time.Now()
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	return inst, at
}

// stop ends the instance with SIGTERM (a graceful shutdown), SIGKILL after 20 s.
func (r *replica) stop() {
	r.mu.Lock()
	cmd, exited, running := r.cmd, r.exited, r.running
	r.running = false
	r.mu.Unlock()
	if !running {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
}

// up reports whether the instance runs.
func (r *replica) up() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running
}
