package user

import (
	"context"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// FindUser finds a user of a pool as the admin operations do: by username,
// alias or sub, answering ResourceNotFoundException for a missing pool and
// UserNotFoundException "User does not exist." for a missing user. It is
// exported for the group package, whose membership operations name users
// the same way; the lookup rules stay here, next to the aliases they follow.
func (s *Service) FindUser(ctx context.Context, poolID, login string) (store.User, error) {
	_, u, err := s.adminUser(ctx, poolID, login)
	return u, err
}

// UserType is a user as the list operations return it (ListUsers without
// AttributesToGet, ListUsersInGroup), for the group package: the Record
// that holds the attributes is this package's.
func (s *Service) UserType(u store.User) (model.UserType, error) {
	r, err := decodeRecord(u)
	if err != nil {
		return model.UserType{}, err
	}
	return userType(u, r, nil), nil
}
