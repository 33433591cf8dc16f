package user

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/token"
)

// GetUser returns the signed-in user, with the attributes the token's app
// client may read.
func (s *Service) GetUser(ctx context.Context, in *model.GetUserRequest) (*model.GetUserResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	list, pref := mfaSettings(sess.rec)
	return &model.GetUserResponse{
		Username:           ptr(sess.user.Username),
		UserAttributes:     apiAttributes(sess.rec.Attributes, sess.client.readable),
		UserMFASettingList: list, PreferredMfaSetting: pref,
	}, nil
}

// DeleteUser deletes the signed-in user.
func (s *Service) DeleteUser(ctx context.Context, in *model.DeleteUserRequest) (struct{}, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, notFound(s.Store.DeleteUser(ctx, sess.user.PoolID, sess.user.Key))
}

// GlobalSignOut revokes every token of the signed-in user.
func (s *Service) GlobalSignOut(ctx context.Context, in *model.GlobalSignOutRequest) (*model.GlobalSignOutResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if _, err := s.update(ctx, sess.client.pool, sess.user.Key, signOut(s.now())); err != nil {
		return nil, err
	}
	return &model.GlobalSignOutResponse{}, nil
}

// ChangePassword changes the signed-in user's password after checking the
// current one.
func (s *Service) ChangePassword(ctx context.Context, in *model.ChangePasswordRequest) (*model.ChangePasswordResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	p := sess.client.pool
	a, _, _, ok, err := s.guess(ctx, p, sess.user.Key, nil, func(_ store.User, r *Record) (bool, error) {
		return s.Passwords.Verify(ctx, r.PasswordHash, deref(in.PreviousPassword))
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notAuthorized("Incorrect username or password.")
	}
	hash, srpSealed, err := s.newCredentials(ctx, p, sess.user.Username, *in.ProposedPassword)
	if err != nil {
		// The previous password was right: it counts as no failure.
		if serr := s.settleAttempt(ctx, p, sess.user.Key, a); serr != nil {
			return nil, serr
		}
		return nil, err
	}
	_, err = s.update(ctx, p, sess.user.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		now := s.now()
		r.PasswordHash, r.SRP, r.PasswordSetAt = hash, srpSealed, now.UnixMilli()
		r.settle(a)
		u.UpdatedAt = now
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, err
	}
	return &model.ChangePasswordResponse{}, nil
}

// RevokeToken revokes a refresh token and every access token issued from it
// (its origin_jti family). Texts for its failures are not recorded from AWS
// and are inferred.
func (s *Service) RevokeToken(ctx context.Context, in *model.RevokeTokenRequest) (*model.RevokeTokenResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if secret := deref(c.Config.ClientSecret); secret != "" && deref(in.ClientSecret) != secret {
		return nil, model.Errorf(model.UnauthorizedException, "Client authentication failed.")
	}
	if !deref(c.Config.EnableTokenRevocation) {
		return nil, model.Errorf(model.UnsupportedOperationException, "Token revocation is not enabled for the client %s.", c.Record.ID)
	}
	if strings.Count(*in.Token, ".") == 2 {
		return nil, model.Errorf(model.UnsupportedTokenTypeException, "Only refresh tokens can be revoked.")
	}
	rt, err := s.Store.GetRefreshToken(ctx, c.Record.PoolID, token.HashRefreshToken(*in.Token))
	if errors.Is(err, store.ErrNotFound) {
		// RFC 7009: revoking an unknown token is not an error.
		return &model.RevokeTokenResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	if rt.ClientID != c.Record.ID {
		return nil, model.Errorf(model.UnauthorizedException, "The token was not issued to this client.")
	}
	_, err = s.update(ctx, c.pool, rt.UserKey, func(u *store.User, r *Record) (store.UserChange, error) {
		now := s.now()
		if r.RevokedFamilies == nil {
			r.RevokedFamilies = map[string]int64{}
		}
		for fam, until := range r.RevokedFamilies {
			if until < now.UnixMilli() {
				delete(r.RevokedFamilies, fam) // its tokens have all expired
			}
		}
		// Access tokens of the family can outlive its refresh token by up
		// to a day (the longest access-token lifetime).
		r.RevokedFamilies[rt.OriginJTI] = rt.ExpiresAt.Add(24 * time.Hour).UnixMilli()
		return store.UserChange{RevokeFamilies: []string{rt.OriginJTI}, RevokedAt: now}, nil
	})
	if errors.Is(err, store.ErrNotFound) || isUserNotFound(err) {
		return &model.RevokeTokenResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &model.RevokeTokenResponse{}, nil
}

func isUserNotFound(err error) bool {
	var me *model.Error
	return errors.As(err, &me) && me.Type == model.UserNotFoundException
}
