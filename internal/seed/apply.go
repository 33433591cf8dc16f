package seed

import (
	"context"
	"errors"
	"log/slog"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/group"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/user"
	"github.com/cognate/cognate/internal/userpool"
)

// Services are what applying a seed file uses.
type Services struct {
	Store  store.Store
	Pools  *userpool.Service
	Users  *user.Service
	Groups *group.Service
	Logger *slog.Logger
}

// Apply brings the store to what f declares. Errors name the item's place
// in the file.
func Apply(ctx context.Context, s Services, f *File) error {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	written := 0
	count := func(changed bool) {
		if changed {
			written++
		}
	}
	for i := range f.Pools {
		p := &f.Pools[i]
		settings := p.Settings
		if p.MfaConfig != nil {
			// The mode is the MfaConfig block's, so the two steps agree.
			mode := model.UserPoolMfaTypeOff
			if p.MfaConfig.MfaConfiguration != nil {
				mode = *p.MfaConfig.MfaConfiguration
			}
			settings.MfaConfiguration = &mode
		}
		changed, err := s.Pools.SeedUserPool(ctx, p.ID, &settings)
		if err != nil {
			return p.at.error("", err)
		}
		count(changed)
		if p.MfaConfig != nil {
			changed, err := s.Pools.SeedMfaConfig(ctx, p.MfaConfig)
			if err != nil {
				return p.at.error("MfaConfig", err)
			}
			count(changed)
		}
		for _, c := range p.Clients {
			changed, err := s.Pools.SeedClient(ctx, c.ID, &c.Settings)
			if err != nil {
				return c.at.error("", err)
			}
			count(changed)
		}
		for _, g := range p.Groups {
			changed, err := seedGroup(ctx, s, g.Settings)
			if err != nil {
				return g.at.error("", err)
			}
			count(changed)
		}
		for _, u := range p.Users {
			in := &user.SeedUser{
				Username: u.Username, Attributes: u.Attributes,
				Password: u.Password, TemporaryPassword: u.TemporaryPassword,
				Unconfirmed: u.Confirmed != nil && !*u.Confirmed,
			}
			changed, err := s.Users.Seed(ctx, p.ID, in)
			if err != nil {
				var fe *user.SeedFieldError
				if errors.As(err, &fe) {
					return u.at.error(fe.Field, fe.Err)
				}
				return u.at.error("", err)
			}
			count(changed)
			if u.MFA != nil {
				changed, err := s.Users.SeedMFA(ctx, p.ID, u.Username, u.MFA)
				if err != nil {
					var fe *user.SeedFieldError
					if errors.As(err, &fe) {
						return u.at.mfaError(fe.Field, fe.Err)
					}
					return u.at.error("MFA", err)
				}
				count(changed)
			}
			if len(u.Groups) == 0 {
				continue
			}
			key, err := s.Users.SeedUserKey(ctx, p.ID, u.Username)
			if err != nil {
				return u.at.error("", err)
			}
			for _, g := range u.Groups {
				if err := s.Store.AddUserToGroup(ctx, p.ID, g, key, group.MaxGroupsPerUser); err != nil {
					return u.at.error("Groups", err)
				}
			}
		}
	}
	s.Logger.Info("seed file applied", "file", f.Name, "pools", len(f.Pools), "written", written)
	return nil
}

// seedGroup creates a group or updates the members the file declares.
func seedGroup(ctx context.Context, s Services, in model.CreateGroupRequest) (bool, error) {
	g, err := s.Store.GetGroup(ctx, *in.UserPoolId, *in.GroupName)
	if errors.Is(err, store.ErrNotFound) {
		_, err := s.Groups.CreateGroup(ctx, &in)
		return err == nil, err
	}
	if err != nil {
		return false, err
	}
	same := (in.Description == nil || *in.Description == g.Description) &&
		(in.RoleArn == nil || *in.RoleArn == g.RoleArn) &&
		(in.Precedence == nil || (g.Precedence != nil && *g.Precedence == *in.Precedence))
	if same {
		return false, nil
	}
	_, err = s.Groups.UpdateGroup(ctx, &model.UpdateGroupRequest{
		UserPoolId: in.UserPoolId, GroupName: in.GroupName,
		Description: in.Description, RoleArn: in.RoleArn, Precedence: in.Precedence,
	})
	return err == nil, err
}

// mfaError places an error about a member of a user's MFA block.
func (l loc) mfaError(field string, err error) *Error {
	_, n := member(l.node, "MFA")
	if n == nil {
		return l.error("MFA", err)
	}
	return loc{l.file, n, l.path + ".MFA"}.error(field, err)
}
