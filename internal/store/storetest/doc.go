// Package storetest is the conformance suite every store.Store backend
// must pass. It exercises only the public interface, so a backend that
// passes it is interchangeable with the others; each backend's tests call
// Run with a constructor that hands out a fresh, empty store.
package storetest
