package group

import (
	"context"
	"errors"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// CreateGroup creates a group; its name is case sensitive and unique in the
// pool.
func (s *Service) CreateGroup(ctx context.Context, in *model.CreateGroupRequest) (*model.CreateGroupResponse, error) {
	poolID := *in.UserPoolId
	if err := s.pool(ctx, poolID); err != nil {
		return nil, err
	}
	now := s.now()
	g := store.Group{
		PoolID: poolID, Name: *in.GroupName, Description: deref(in.Description), RoleArn: deref(in.RoleArn),
		CreatedAt: now, UpdatedAt: now,
	}
	if in.Precedence != nil {
		g.Precedence = ptr(*in.Precedence)
	}
	switch err := s.Store.CreateGroup(ctx, g, MaxGroupsPerPool); {
	case errors.Is(err, store.ErrLimitExceeded):
		return nil, tooManyGroups(poolID)
	case errors.Is(err, store.ErrAlreadyExists):
		return nil, groupExists(g.Name)
	case errors.Is(err, store.ErrNotFound):
		return nil, poolNotFound(poolID) // deleted since we looked
	case err != nil:
		return nil, err
	}
	return &model.CreateGroupResponse{Group: groupType(g)}, nil
}

// GetGroup returns a group.
func (s *Service) GetGroup(ctx context.Context, in *model.GetGroupRequest) (*model.GetGroupResponse, error) {
	if err := s.pool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	g, err := s.Store.GetGroup(ctx, *in.UserPoolId, *in.GroupName)
	if err != nil {
		return nil, groupError(err)
	}
	return &model.GetGroupResponse{Group: groupType(g)}, nil
}

// UpdateGroup changes the members the request carries and keeps the others:
// AWS's own example (aws-cli, examples/cognito-idp/update-group.rst) updates
// the description and precedence only and gets the group back with its role
// ARN unchanged. This is unlike UpdateUserPool and UpdateUserPoolClient,
// which reset what is omitted.
func (s *Service) UpdateGroup(ctx context.Context, in *model.UpdateGroupRequest) (*model.UpdateGroupResponse, error) {
	if err := s.pool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	now := s.now()
	g, err := s.Store.UpdateGroup(ctx, *in.UserPoolId, *in.GroupName, func(g store.Group) (store.Group, error) {
		if in.Description != nil {
			g.Description = *in.Description
		}
		if in.RoleArn != nil {
			g.RoleArn = *in.RoleArn
		}
		if in.Precedence != nil {
			g.Precedence = ptr(*in.Precedence)
		}
		g.UpdatedAt = now
		return g, nil
	})
	if err != nil {
		return nil, groupError(err)
	}
	return &model.UpdateGroupResponse{Group: groupType(g)}, nil
}

// DeleteGroup deletes a group and its memberships; its members' next tokens
// no longer name it.
func (s *Service) DeleteGroup(ctx context.Context, in *model.DeleteGroupRequest) (struct{}, error) {
	if err := s.pool(ctx, *in.UserPoolId); err != nil {
		return struct{}{}, err
	}
	if err := s.Store.DeleteGroup(ctx, *in.UserPoolId, *in.GroupName); err != nil {
		return struct{}{}, groupError(err)
	}
	return struct{}{}, nil
}

// ListGroups lists a pool's groups by name, a page at a time.
func (s *Service) ListGroups(ctx context.Context, in *model.ListGroupsRequest) (*model.ListGroupsResponse, error) {
	if err := s.pool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	page, err := s.Store.ListGroups(ctx, *in.UserPoolId, pageSize(in.Limit), deref(in.NextToken))
	if errors.Is(err, store.ErrBadCursor) {
		return nil, badToken()
	}
	if err != nil {
		return nil, err
	}
	out := &model.ListGroupsResponse{Groups: groupTypes(page.Groups)}
	if page.Next != "" {
		out.NextToken = ptr(page.Next)
	}
	return out, nil
}

// member finds the user and checks the group of a membership operation:
// the pool, then the user, then the group.
func (s *Service) member(ctx context.Context, poolID, login, groupName string) (store.User, error) {
	if err := s.pool(ctx, poolID); err != nil {
		return store.User{}, err
	}
	u, err := s.Users.FindUser(ctx, poolID, login)
	if err != nil {
		return store.User{}, err
	}
	if _, err := s.Store.GetGroup(ctx, poolID, groupName); err != nil {
		return store.User{}, groupError(err)
	}
	return u, nil
}

// AdminAddUserToGroup adds a user to a group; adding a member again is no
// error.
func (s *Service) AdminAddUserToGroup(ctx context.Context, in *model.AdminAddUserToGroupRequest) (struct{}, error) {
	u, err := s.member(ctx, *in.UserPoolId, *in.Username, *in.GroupName)
	if err != nil {
		return struct{}{}, err
	}
	if err := s.Store.AddUserToGroup(ctx, *in.UserPoolId, *in.GroupName, u.Key, MaxGroupsPerUser); err != nil {
		if errors.Is(err, store.ErrLimitExceeded) {
			return struct{}{}, tooManyMemberships()
		}
		if errors.Is(err, store.ErrNotFound) {
			// The group or the user went away since we looked.
			_, err = s.member(ctx, *in.UserPoolId, *in.Username, *in.GroupName)
			if err == nil {
				err = groupNotFound()
			}
		}
		return struct{}{}, err
	}
	return struct{}{}, nil
}

// AdminRemoveUserFromGroup removes a user from a group; removing a user who
// is not a member is no error.
func (s *Service) AdminRemoveUserFromGroup(ctx context.Context, in *model.AdminRemoveUserFromGroupRequest) (struct{}, error) {
	u, err := s.member(ctx, *in.UserPoolId, *in.Username, *in.GroupName)
	if err != nil {
		return struct{}{}, err
	}
	if err := s.Store.RemoveUserFromGroup(ctx, *in.UserPoolId, *in.GroupName, u.Key); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, nil
}

// AdminListGroupsForUser lists a user's groups by name, a page at a time.
func (s *Service) AdminListGroupsForUser(ctx context.Context, in *model.AdminListGroupsForUserRequest) (*model.AdminListGroupsForUserResponse, error) {
	if err := s.pool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	u, err := s.Users.FindUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	page, err := s.Store.ListGroupsForUser(ctx, *in.UserPoolId, u.Key, pageSize(in.Limit), deref(in.NextToken))
	if errors.Is(err, store.ErrBadCursor) {
		return nil, badToken()
	}
	if err != nil {
		return nil, err
	}
	out := &model.AdminListGroupsForUserResponse{Groups: groupTypes(page.Groups)}
	if page.Next != "" {
		out.NextToken = ptr(page.Next)
	}
	return out, nil
}

// ListUsersInGroup lists a group's members, a page at a time, as ListUsers
// shows users.
func (s *Service) ListUsersInGroup(ctx context.Context, in *model.ListUsersInGroupRequest) (*model.ListUsersInGroupResponse, error) {
	if err := s.pool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	if _, err := s.Store.GetGroup(ctx, *in.UserPoolId, *in.GroupName); err != nil {
		return nil, groupError(err)
	}
	page, err := s.Store.ListUsersInGroup(ctx, *in.UserPoolId, *in.GroupName, pageSize(in.Limit), deref(in.NextToken))
	if errors.Is(err, store.ErrBadCursor) {
		return nil, badToken()
	}
	if err != nil {
		return nil, err
	}
	out := &model.ListUsersInGroupResponse{Users: make([]model.UserType, 0, len(page.Users))}
	for _, u := range page.Users {
		ut, err := s.Users.UserType(u)
		if err != nil {
			return nil, err
		}
		out.Users = append(out.Users, ut)
	}
	if page.Next != "" {
		out.NextToken = ptr(page.Next)
	}
	return out, nil
}
