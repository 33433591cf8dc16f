package main

import (
	"runtime/debug"
)

// defaultGCPercent is the garbage collector's target when GOGC is not set.
// Requests allocate short-lived garbage and the live heap is small (about
// 40 MiB with a million users), so collecting at 4× the live heap instead
// of 2× trades some memory for less CPU: +6% UpdateUserAttributes and +14%
// GetUser at concurrency 64 on two cores, RSS 39 → 53 MiB (BENCHMARKS.md).
const defaultGCPercent = 400

// tuneGC applies defaultGCPercent unless the operator chose with GOGC.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
