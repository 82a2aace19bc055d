//go:build !linux

package main

// dropStartupPages does nothing where the binary's mappings cannot be listed (/proc/self/maps).
func dropStartupPages() (int64, error) { return 0, nil }
