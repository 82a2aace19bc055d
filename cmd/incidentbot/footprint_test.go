package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// The footprint benchmarks run the built binary as a process, the way it is deployed, and
// report what issue 14 budgets: the time from starting `serve` until GET /readyz answers 200,
// and its resident set size then and after idling. `incidentbot version` beside them is the
// floor of starting this binary at all (the runtime, the linked packages' init). Run:
//
//	go test -run '^$' -bench 'Serve|Version' -benchtime 10x ./cmd/incidentbot
//
// ms-ready is the median, ms-ready-max the slowest; RSS figures are the median in MB. The
// binary measured is the release build (`make build`: CGO_ENABLED=0, -trimpath, -s -w);
// with INCIDENTBOT_BENCH_BASELINE set to another build (an older commit's `make build`) it
// is measured in the same run, as the "baseline" sub-benchmarks.
//
// serve starts on a new SQLite file ("new-db": the first start, migrations included) or on
// one an earlier run of the same binary created ("existing-db": a restart).

// releaseBinary builds the binary as `make build` does, once per test process.
var releaseBinary = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(filepath.Dir(binary), "incidentbot-release")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// benchBin is a binary to measure and the environment it runs with.
type benchBin struct {
	name, path string
	env        []string
}

// benchBinaries returns the binaries to measure: "current" (this tree's release build)
// and, with INCIDENTBOT_BENCH_BASELINE, "baseline".
func benchBinaries(b *testing.B) []benchBin {
	b.Helper()
	bin, err := releaseBinary()
	if err != nil {
		b.Fatal(err)
	}
	bins := []benchBin{{"current", bin, nil}}
	if base := os.Getenv("INCIDENTBOT_BENCH_BASELINE"); base != "" {
		bins = append(bins, benchBin{"baseline", base, nil})
	}
	return bins
}

// BenchmarkVersionStartToExit starts `incidentbot version` and waits for it to exit.
func BenchmarkVersionStartToExit(b *testing.B) {
	for _, bin := range benchBinaries(b) {
		b.Run(bin.name, func(b *testing.B) {
			var ms []float64
			for b.Loop() {
				start := time.Now()
				if out, err := exec.Command(bin.path, "version").CombinedOutput(); err != nil {
					b.Fatalf("version: %v\n%s", err, out)
				}
				ms = append(ms, float64(time.Since(start).Microseconds())/1000)
			}
			b.ReportMetric(median(ms), "ms-exit")
		})
	}
}

// BenchmarkServeStartToReady starts `serve` against the Slack emulator, waits until /readyz
// answers 200, reads VmRSS then and 250 ms later, and VmHWM (the peak), and stops it.
func BenchmarkServeStartToReady(b *testing.B) {
	emu := testenv.NewSlack()
	defer emu.Close()
	for _, bin := range benchBinaries(b) {
		for _, existing := range []bool{false, true} {
			b.Run(bin.name+map[bool]string{false: "/new-db", true: "/existing-db"}[existing], func(b *testing.B) {
				db := benchDB(b, bin.path, emu, existing)
				var ms, rss, settled, hwm []float64
				for b.Loop() {
					p := startMeasured(b, bin.path, serveEnv(emu, db(), bin.env...))
					ms = append(ms, p.ready)
					r, _, _ := p.memory(b)
					time.Sleep(250 * time.Millisecond) // what the first moments after readiness add
					s, h, _ := p.memory(b)
					rss, settled, hwm = append(rss, r), append(settled, s), append(hwm, h)
					p.stop()
				}
				b.ReportMetric(median(ms), "ms-ready")
				b.ReportMetric(slices.Max(ms), "ms-ready-max")
				b.ReportMetric(median(rss), "MB-rss-ready")
				b.ReportMetric(median(settled), "MB-rss-ready+250ms")
				b.ReportMetric(median(hwm), "MB-hwm")
			})
		}
	}
}

// BenchmarkServeIdleRSS starts `serve` on an existing database, lets it idle for
// INCIDENTBOT_BENCH_IDLE (10s by default) once ready, and reads VmRSS: what a deployed bot
// holds between incidents.
func BenchmarkServeIdleRSS(b *testing.B) {
	idle := 10 * time.Second
	if s := os.Getenv("INCIDENTBOT_BENCH_IDLE"); s != "" {
		var err error
		if idle, err = time.ParseDuration(s); err != nil {
			b.Fatal(err)
		}
	}
	emu := testenv.NewSlack()
	defer emu.Close()
	for _, bin := range benchBinaries(b) {
		b.Run(bin.name, func(b *testing.B) {
			db := benchDB(b, bin.path, emu, true)
			var rss, hwm, anon []float64
			for b.Loop() {
				p := startMeasured(b, bin.path, serveEnv(emu, db(), bin.env...))
				time.Sleep(idle)
				r, h, a := p.memory(b)
				rss, hwm, anon = append(rss, r), append(hwm, h), append(anon, a)
				p.stop()
			}
			b.ReportMetric(median(rss), "MB-rss-idle")
			b.ReportMetric(median(hwm), "MB-hwm-idle")
			b.ReportMetric(median(anon), "MB-anon-idle")
		})
	}
}

// benchDB returns the database file of each start: a new one each time, or (existing) one
// file that a first, unmeasured start of bin created and migrated.
func benchDB(b *testing.B, bin string, emu *testenv.Slack, existing bool) func() string {
	b.Helper()
	dir := b.TempDir()
	if existing {
		db := filepath.Join(dir, "bot.db")
		startMeasured(b, bin, serveEnv(emu, db)).stop()
		return func() string { return db }
	}
	n := 0
	return func() string {
		n++
		return filepath.Join(dir, fmt.Sprintf("bot%d.db", n))
	}
}

// serveRun is a `serve` process started by startMeasured.
type serveRun struct {
	cmd    *exec.Cmd
	ready  float64 // ms from Start until /readyz answered 200
	exited chan struct{}
}

// startMeasured starts serve and polls /readyz every 0.5 ms from the moment the process
// logs its address.
func startMeasured(b *testing.B, bin string, env []string) *serveRun {
	b.Helper()
	p := &serveRun{cmd: exec.Command(bin, "serve"), exited: make(chan struct{})}
	p.cmd.Env = env
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	addrc := make(chan string, 1)
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" {
				addrc <- rec.Addr
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { p.cmd.Wait(); close(p.exited) }()
	var addr string
	select {
	case addr = <-addrc:
	case <-p.exited:
		b.Fatal("serve exited before it listened")
	case <-time.After(20 * time.Second):
		p.stop()
		b.Fatal("serve did not listen in 20 s")
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for deadline := start.Add(20 * time.Second); ; time.Sleep(500 * time.Microsecond) {
		if resp, err := client.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			b.Fatal("serve was not ready in 20 s")
		}
	}
	p.ready = float64(time.Since(start).Microseconds()) / 1000
	return p
}

// memory reads the process's VmRSS, VmHWM and RssAnon (the resident set less the pages
// of files, the binary's above all) in MB.
func (p *serveRun) memory(b *testing.B) (rss, hwm, anon float64) {
	b.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		key, value, _ := strings.Cut(line, ":")
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		switch {
		case err != nil:
		case key == "VmRSS":
			rss = kb / 1024
		case key == "VmHWM":
			hwm = kb / 1024
		case key == "RssAnon":
			anon = kb / 1024
		}
	}
	if rss == 0 || hwm == 0 {
		b.Fatalf("no VmRSS or VmHWM in /proc/%d/status", p.cmd.Process.Pid)
	}
	return rss, hwm, anon
}

// stop ends serve as a deployment does (SIGTERM), killing it if it has not exited in 10 s.
func (p *serveRun) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
