package user

import (
	"context"

	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/store"
)

// customMessage runs the pool's CustomMessage trigger, if any, for a message
// about to be sent, and returns the texts it chose (nil: the pool's
// templates). It runs before the transaction that writes the message, so
// that a failing trigger leaves nothing written.
func (s *Service) customMessage(ctx context.Context, p pool, c *appClient, u store.User, r *Record, kind message.Kind, attr string, meta map[string]string) (*message.Override, error) {
	// Not wired yet: the trigger package is being written; until then the
	// pool's templates are used whatever LambdaConfig says.
	return nil, nil
}
