// Package server assembles Cognate: it builds the domain services over a
// store, registers every implemented operation in the api dispatcher's table,
// and returns the one http.Handler that cmd/cognate serves and the wire tests
// drive. Adding an operation means adding its line in handlers.go.
package server
