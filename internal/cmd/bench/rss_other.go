//go:build !linux

package main

import "os"

// maxRSSKiB is not measured outside Linux.
func maxRSSKiB(*os.ProcessState) int64 { return 0 }
