package user

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/group"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/trigger"
)

// signIn issues tokens for a user who has proved who they are (see
// signInSettling). Its callers (challenges answered, a new password) hold a
// row older than their own write or than the PostAuthentication trigger,
// either of which may have changed the user: the row is read again here.
func (s *Service) signIn(ctx context.Context, c appClient, key, source string, meta map[string]string) (*authResult, error) {
	cur, r, err := s.readUser(ctx, c.pool, key)
	if err != nil {
		return nil, err
	}
	return s.signInSettling(ctx, c, cur, r, source, meta, attempt{})
}

// signInSettling issues tokens for the user of row cur (decoded: r), as it
// is now: a new token family, its refresh token written with the user's
// sign-in bookkeeping in one transaction, which also settles the attempt a
// that proved the password. The PreTokenGeneration trigger (source, with
// the call's ClientMetadata meta) runs before that transaction, so that a
// failing trigger leaves no refresh token behind.
func (s *Service) signInSettling(ctx context.Context, c appClient, cur store.User, r *Record, source string, meta map[string]string, a attempt) (*authResult, error) {
	refresh, refreshHash, err := token.NewRefreshToken()
	if err != nil {
		return nil, err
	}
	family := ""
	if deref(c.Config.EnableTokenRevocation) {
		family = uuid.NewString()
	}
	now := s.now()
	validity := c.Validity()
	sub, err := s.subject(ctx, c, cur, r, now, family)
	if err != nil {
		return nil, err
	}
	if err := s.preTokenGeneration(ctx, c, cur, r, source, meta, &sub); err != nil {
		return nil, err
	}
	// The write reads the row again: it must settle a on the current one.
	_, err = s.update(ctx, c.pool, cur.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		r.settle(a)
		return store.UserChange{RefreshTokens: []store.RefreshToken{{
			Hash: refreshHash, PoolID: c.pool.id(), UserKey: u.Key, ClientID: c.Record.ID,
			OriginJTI: family, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(validity.Refresh),
		}}}, nil
	})
	if err != nil {
		return nil, err
	}
	toks, err := s.Tokens.Issue(ctx, sub)
	if err != nil {
		return nil, err
	}
	return &authResult{
		ChallengeParameters: map[string]string{},
		AuthenticationResult: &model.AuthenticationResultType{
			AccessToken: ptr(toks.AccessToken), ExpiresIn: ptr(toks.ExpiresIn), TokenType: ptr("Bearer"),
			RefreshToken: ptr(refresh), IdToken: ptr(toks.IDToken),
		},
	}, nil
}

// subject is what the tokens of a user say before any trigger changes
// them: the attributes the client may read and the groups the user is in
// now.
func (s *Service) subject(ctx context.Context, c appClient, u store.User, r *Record, authTime time.Time, family string) (token.Subject, error) {
	validity := c.Validity()
	var claims []token.Claim
	for _, a := range r.Attributes {
		if a.Name == "sub" || !c.readable(a.Name) {
			continue
		}
		claims = append(claims, token.Claim{Name: a.Name, Value: a.Value})
	}
	groups, roles, preferred, err := s.groupClaims(ctx, c.pool.id(), u.Key)
	if err != nil {
		return token.Subject{}, err
	}
	return token.Subject{
		PoolID: c.pool.id(), Region: regionOf(c.pool.id()), ClientID: c.Record.ID,
		Username: u.Username, Sub: u.Sub, IDClaims: claims, AuthTime: authTime, OriginJTI: family,
		AccessValidity: validity.Access, IDValidity: validity.ID,
		Groups: groups, Roles: roles, PreferredRole: preferred,
	}, nil
}

// refreshSubject is the tokens of a refresh, after the PreTokenGeneration
// trigger (TokenGeneration_RefreshTokens) has had its say.
func (s *Service) refreshSubject(ctx context.Context, c appClient, u store.User, r *Record, rt store.RefreshToken, meta map[string]string) (token.Subject, error) {
	sub, err := s.subject(ctx, c, u, r, rt.AuthTime, rt.OriginJTI)
	if err != nil {
		return token.Subject{}, err
	}
	if err := s.preTokenGeneration(ctx, c, u, r, trigger.TokenGenerationRefreshTokens, meta, &sub); err != nil {
		return token.Subject{}, err
	}
	return sub, nil
}

// refresh is REFRESH_TOKEN_AUTH: new access and ID tokens of the same
// family, keeping the original auth_time.
func (s *Service) refresh(ctx context.Context, c appClient, params map[string]string) (*authResult, error) {
	raw, err := param(params, "REFRESH_TOKEN")
	if err != nil {
		return nil, err
	}
	u, r, rt, err := s.liveRefreshToken(ctx, c, raw)
	if err != nil {
		return nil, err
	}
	if c.Config.ClientSecret != nil {
		if err := c.checkSecretHash(u.Username, secretHashParam(params)); err != nil {
			// Clients compute it with the username they signed in with,
			// which for alias sign-ins is not the stored username.
			if err2 := c.checkSecretHash(params["USERNAME"], secretHashParam(params)); err2 != nil || params["USERNAME"] == "" {
				return nil, err
			}
		}
	}
	sub, err := s.refreshSubject(ctx, c, u, r, rt, nil)
	if err != nil {
		return nil, err
	}
	toks, err := s.Tokens.Issue(ctx, sub)
	if err != nil {
		return nil, err
	}
	return &authResult{
		ChallengeParameters: map[string]string{},
		AuthenticationResult: &model.AuthenticationResultType{
			AccessToken: ptr(toks.AccessToken), ExpiresIn: ptr(toks.ExpiresIn), TokenType: ptr("Bearer"), IdToken: ptr(toks.IDToken),
		},
	}, nil
}

// invalidRefreshToken is the answer for a refresh token Cognito does not
// know, with its full stop (aws/aws-sdk-cpp#1789, aws/aws-sdk-java-v2#1687).
func invalidRefreshToken() *model.Error { return notAuthorized("Invalid Refresh Token.") }

// liveRefreshToken finds a refresh token of the client and checks that it
// and its user can still be used.
func (s *Service) liveRefreshToken(ctx context.Context, c appClient, raw string) (store.User, *Record, store.RefreshToken, error) {
	fail := func(err error) (store.User, *Record, store.RefreshToken, error) {
		return store.User{}, nil, store.RefreshToken{}, err
	}
	rt, err := s.Store.GetRefreshToken(ctx, c.pool.id(), token.HashRefreshToken(raw))
	if errors.Is(err, store.ErrNotFound) {
		return fail(invalidRefreshToken())
	}
	if err != nil {
		return fail(err)
	}
	if rt.ClientID != c.Record.ID {
		return fail(invalidRefreshToken())
	}
	now := s.now()
	// A rotated token carries a revocation time in the future: the end of
	// its grace period.
	if !rt.RevokedAt.IsZero() && !now.Before(rt.RevokedAt) {
		return fail(notAuthorized("Refresh Token has been revoked"))
	}
	if !now.Before(rt.ExpiresAt) {
		return fail(notAuthorized("Refresh Token has expired"))
	}
	u, err := s.Store.GetUser(ctx, c.pool.id(), rt.UserKey)
	if errors.Is(err, store.ErrNotFound) {
		return fail(notAuthorized("Refresh Token has been revoked"))
	}
	if err != nil {
		return fail(err)
	}
	r, err := decodeRecord(u)
	if err != nil {
		return fail(err)
	}
	if err := stillLive(u, r, rt); err != nil {
		return fail(err)
	}
	return u, r, rt, nil
}

// stillLive checks what the user's record says about one of its refresh
// tokens: the user is enabled, and has neither signed out since the token
// was issued nor revoked its family.
func stillLive(u store.User, r *Record, rt store.RefreshToken) error {
	if !u.Enabled {
		return notAuthorized("User is disabled.")
	}
	if r.SignedOutAt != 0 && rt.CreatedAt.UnixMilli() < r.SignedOutAt {
		return notAuthorized("Refresh Token has been revoked")
	}
	// RevokeToken revokes the whole family, including a rotated-out token
	// still inside its grace period.
	if _, gone := r.RevokedFamilies[rt.OriginJTI]; gone && rt.OriginJTI != "" {
		return notAuthorized("Refresh Token has been revoked")
	}
	return nil
}

// GetTokensFromRefreshToken exchanges a refresh token for new tokens; with
// refresh-token rotation on, the refresh token is replaced too.
func (s *Service) GetTokensFromRefreshToken(ctx context.Context, in *model.GetTokensFromRefreshTokenRequest) (*model.GetTokensFromRefreshTokenResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if secret := deref(c.Config.ClientSecret); secret != "" && deref(in.ClientSecret) != secret {
		return nil, notAuthorized("Unable to verify secret hash for client %s", c.Record.ID)
	}
	if !c.flowAllowed(model.AuthFlowTypeRefreshTokenAuth) && !c.rotates() {
		return nil, flowNotEnabled(model.AuthFlowTypeRefreshTokenAuth, false)
	}
	u, r, rt, err := s.liveRefreshToken(ctx, c, *in.RefreshToken)
	if err != nil {
		return nil, err
	}
	sub, err := s.refreshSubject(ctx, c, u, r, rt, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	out := &model.AuthenticationResultType{TokenType: ptr("Bearer")}
	if rot := c.Config.RefreshTokenRotation; c.rotates() {
		next, nextHash, err := token.NewRefreshToken()
		if err != nil {
			return nil, err
		}
		now := s.now()
		// The old token stays usable for the grace period, so that a
		// client retrying after a lost response is not locked out.
		grace := time.Duration(deref(rot.RetryGracePeriodSeconds)) * time.Second
		// The old token is rotated out in the write's transaction, which
		// fails once another rotation took it past its grace period: of
		// parallel refreshes with one token only those inside the grace
		// period win (one, with a grace of 0). A sign-out or a revocation
		// since the token was read is checked there too.
		_, err = s.update(ctx, c.pool, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
			if err := stillLive(*u, r, rt); err != nil {
				return store.UserChange{}, err
			}
			return store.UserChange{
				RefreshTokens: []store.RefreshToken{{
					Hash: nextHash, PoolID: c.pool.id(), UserKey: u.Key, ClientID: c.Record.ID, OriginJTI: rt.OriginJTI,
					AuthTime: rt.AuthTime, CreatedAt: now, ExpiresAt: now.Add(c.Validity().Refresh),
				}},
				RotateToken: rt.Hash, RotatedAt: now, RevokedAt: now.Add(grace),
			}, nil
		})
		if errors.Is(err, store.ErrRevoked) {
			return nil, notAuthorized("Refresh Token has been revoked")
		}
		if err != nil {
			return nil, err
		}
		out.RefreshToken = ptr(next)
	}
	toks, err := s.Tokens.Issue(ctx, sub)
	if err != nil {
		return nil, err
	}
	out.AccessToken, out.IdToken, out.ExpiresIn = ptr(toks.AccessToken), ptr(toks.IDToken), ptr(toks.ExpiresIn)
	return &model.GetTokensFromRefreshTokenResponse{AuthenticationResult: out}, nil
}

// rotates reports whether the client rotates refresh tokens.
func (c appClient) rotates() bool {
	rot := c.Config.RefreshTokenRotation
	return rot != nil && deref(rot.Feature) == model.FeatureTypeEnabled
}

// groupClaims reads a user's groups as they are now, so that every sign-in
// and every refresh carries the current memberships.
func (s *Service) groupClaims(ctx context.Context, poolID, key string) (groups, roles []string, preferred string, err error) {
	gs, err := s.Store.UserGroups(ctx, poolID, key)
	if err != nil {
		return nil, nil, "", err
	}
	groups, roles, preferred = group.TokenClaims(gs)
	return groups, roles, preferred, nil
}
