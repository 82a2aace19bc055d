// Package child starts the servers that tests run (PostgreSQL, PgBouncer, etcd, Patroni) so
// that none outlives the test process, however it ends.
package child

import (
	"os/exec"
	"runtime"
)

// Start starts cmd, whose SysProcAttr sets a parent-death signal (Pdeathsig), from a
// goroutine locked to its OS thread for as long as the child runs: the kernel sends the
// signal when that thread ends, and a locked thread ends only with the process (or after
// the child has exited). The channel is closed once the child has exited and been waited
// for.
func Start(cmd *exec.Cmd) (exited <-chan struct{}, err error) {
	done := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer close(done)
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return done, nil
}
