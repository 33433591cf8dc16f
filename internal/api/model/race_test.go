//go:build race

package model

// raceEnabled: the race detector instruments memory accesses and allocates,
// so allocation counts mean nothing under -race.
const raceEnabled = true
