package message

import (
	"testing"

	"github.com/cognate/cognate/internal/seal"
)

// newSealer returns the real keyring with a fresh secret: each call is a
// different key.
func newSealer(t testing.TB) Sealer {
	t.Helper()
	secret, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	k, err := seal.New([]string{secret})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The keyring is what production passes as the Sealer.
var _ Sealer = (*seal.Keyring)(nil)
