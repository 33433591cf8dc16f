package model

import "slices"

// Input is implemented by every operation's request struct.
type Input interface {
	// Validate returns nil or a *ValidationError listing every violation of
	// the model's constraints.
	Validate() error
}

// Operation describes one API operation.
type Operation struct {
	Name string
	// NoAuth is true for operations the model marks authtype "none": SDKs send
	// them unsigned, and the caller is identified by a token or client id in
	// the body.
	NoAuth bool
	// Errors are the exception types the model declares, in model order.
	Errors []string
	// NewInput returns a pointer to a zero request struct to decode into.
	NewInput func() Input
	// NewOutput returns a pointer to a zero response struct. Operations without
	// an output shape return a pointer to an empty struct, which encodes as {}.
	NewOutput func() any
}

// OperationNames returns the names of all operations, sorted.
func OperationNames() []string { return slices.Clone(operationNames) }
