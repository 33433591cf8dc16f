package user

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/trigger"
	"github.com/cognate/cognate/internal/userpool"
)

// Sealer seals secrets at rest (SRP verifiers) and in flight (sessions).
type Sealer interface {
	Seal(plaintext, aad []byte) []byte
	Open(sealed, aad []byte) ([]byte, error)
	// MAC is a keyed, deterministic digest (simulated answers, shadow keys).
	MAC(data []byte) []byte
}

// Service implements the user operations. Dependencies are explicit fields,
// wired in internal/server.
type Service struct {
	Store     store.Store
	Pools     *userpool.Service
	Tokens    *token.Service
	Passwords *password.Hasher
	Sealer    Sealer
	Now       func() time.Time
	Rand      io.Reader // nil: crypto/rand
	Logger    *slog.Logger
	// Triggers invokes the pool's Lambda triggers; nil runs none.
	Triggers *trigger.Invoker
	// CanDeliver reports whether a medium (EMAIL, SMS) can reach users;
	// nil means always.
	CanDeliver func(medium string) bool
	// Kick wakes the message dispatcher after a commit that wrote messages.
	Kick      func()
	PublicURL string

	// pace times the simulated answers of PreventUserExistenceErrors
	// (core_shadow.go).
	pace pacer
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

func (s *Service) kick() {
	if s.Kick != nil {
		s.Kick()
	}
}

// isAnswer reports whether err is one of Cognito's answers (a
// *model.Error) rather than a failure of the store or of Cognate itself,
// which must reach the caller as InternalErrorException.
func isAnswer(err error) bool {
	var me *model.Error
	return errors.As(err, &me)
}

// userNotFound is Cognito's answer for a missing user on the admin API.
func userNotFound() *model.Error {
	return model.Errorf(model.UserNotFoundException, "User does not exist.")
}

// notFound maps a store miss to UserNotFoundException.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return userNotFound()
	}
	return err
}

func invalidParameter(format string, args ...any) *model.Error {
	return model.Errorf(model.InvalidParameterException, format, args...)
}

func notAuthorized(format string, args ...any) *model.Error {
	return model.Errorf(model.NotAuthorizedException, format, args...)
}
