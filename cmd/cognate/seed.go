package main

import (
	"github.com/cognate/cognate/internal/seed"
)

// loadSeed parses --seed before anything starts: a bad file stops the
// start with the file, line and field.
func loadSeed(cfg *config) (*seed.File, error) {
	if cfg.Seed == "" {
		return nil, nil
	}
	return seed.Load(cfg.Seed)
}
