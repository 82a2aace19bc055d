//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// dropStartupPages gives back the pages of the binary's read-only mappings (its code, and
// its read-only data: type information, the function table) that the process has touched,
// with madvise(MADV_DONTNEED), and returns how many bytes those mappings span. Most of what
// a start touches there is package initialisation (client-go registering every Kubernetes
// API type, for one) that never runs again, yet stays in the resident set: dropped, the
// resident set is what the bot goes on using, which faults back in from the page cache as it
// runs. The mappings are never written, so nothing is lost; a mapping that cannot be advised
// is left as it is.
func dropStartupPages() (int64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var spanned int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 00400000-02168000 r-xp 00000000 fe:00 10519359   /path/to/incidentbot
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[5] != exe || strings.Contains(fields[1], "w") {
			continue
		}
		from, to, ok := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(from, 16, 64)
		end, err2 := strconv.ParseUint(to, 16, 64)
		if !ok || err1 != nil || err2 != nil || end <= start {
			return spanned, fmt.Errorf("/proc/self/maps: %q", sc.Text())
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED); errno != 0 {
			return spanned, fmt.Errorf("madvise %s: %w", fields[0], errno)
		}
		spanned += int64(end - start)
	}
	return spanned, sc.Err()
}
