package main

import (
	"os"
	"syscall"
)

// maxRSSKiB is a finished process's peak resident set size (Linux reports
// KiB).
func maxRSSKiB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
