package group

import (
	"context"
	"errors"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/userpool"
)

// Users is what the membership operations need from the user package.
type Users interface {
	// FindUser finds a user of a pool by username, alias or sub, answering
	// Cognito's errors for a missing pool or user.
	FindUser(ctx context.Context, poolID, login string) (store.User, error)
	// UserType is a user as the list operations return it.
	UserType(u store.User) (model.UserType, error)
}

// Amazon Cognito's resource quotas for groups (developer guide, "Quotas in
// Amazon Cognito"): groups per user pool, and groups one user belongs to.
const (
	MaxGroupsPerPool = 10000
	MaxGroupsPerUser = 100
)

// Service implements the group operations. Dependencies are explicit
// fields, wired in internal/server.
type Service struct {
	Store store.Store
	Pools *userpool.Service
	Users Users
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

// pool checks that a pool exists (ResourceNotFoundException otherwise) and
// names it in the request's log line.
func (s *Service) pool(ctx context.Context, id string) error {
	if _, err := s.Pools.GetPool(ctx, id); err != nil {
		return err
	}
	caller.From(ctx).PoolID = id
	return nil
}

// Cognito's texts. "Group not found." is what AdminAddUserToGroup answers
// for a missing group (aws-amplify/amplify-cli#2214, a real CloudWatch log);
// the other operations are taken to answer the same.
func groupNotFound() *model.Error {
	return model.Errorf(model.ResourceNotFoundException, "Group not found.")
}

func groupExists(name string) *model.Error {
	return model.Errorf(model.GroupExistsException, "A group with the name %s already exists.", name)
}

func poolNotFound(id string) *model.Error {
	return model.Errorf(model.ResourceNotFoundException, "User pool %s does not exist.", id)
}

// The quota texts are Cognate's: no recorded response was found. CreateGroup
// models LimitExceededException; AdminAddUserToGroup models no quota error,
// and the same type is the one a client can tell apart.
func tooManyGroups(poolID string) *model.Error {
	return model.Errorf(model.LimitExceededException, "User pool %s already has the maximum number of groups (%d).", poolID, MaxGroupsPerPool)
}

func tooManyMemberships() *model.Error {
	return model.Errorf(model.LimitExceededException, "The user is already a member of the maximum number of groups (%d).", MaxGroupsPerUser)
}

func badToken() *model.Error {
	return model.Errorf(model.InvalidParameterException, "Invalid pagination token.")
}

// groupError maps a store error about a group.
func groupError(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return groupNotFound()
	}
	return err
}

// pageSize is a request's Limit: at most 60 (the model's bound); absent or
// 0 means 60, as for ListUsers.
func pageSize(limit *int32) int {
	if limit == nil || *limit <= 0 {
		return 60
	}
	return int(*limit)
}

// groupType is a group as the API returns it; empty members are left out.
func groupType(g store.Group) *model.GroupType {
	out := &model.GroupType{
		GroupName:        ptr(g.Name),
		UserPoolId:       ptr(g.PoolID),
		LastModifiedDate: model.NewTime(g.UpdatedAt),
		CreationDate:     model.NewTime(g.CreatedAt),
	}
	if g.Description != "" {
		out.Description = ptr(g.Description)
	}
	if g.RoleArn != "" {
		out.RoleArn = ptr(g.RoleArn)
	}
	if g.Precedence != nil {
		out.Precedence = ptr(*g.Precedence)
	}
	return out
}

func groupTypes(gs []store.Group) []model.GroupType {
	out := make([]model.GroupType, len(gs))
	for i, g := range gs {
		out[i] = *groupType(g)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
