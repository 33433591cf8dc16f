package model

import "fmt"

// Error is an API error as it goes on the wire: Type is the exception name
// sent in __type and x-amzn-ErrorType, Message the body's message.
type Error struct {
	Type    string
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Errorf returns an *Error of type typ with a formatted message.
func Errorf(typ, format string, args ...any) *Error {
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// IsFault reports whether errors of type typ are server faults (HTTP 5xx)
// rather than client errors.
func IsFault(typ string) bool { return Faults[typ] }
