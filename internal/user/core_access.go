package user

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/token"
)

// adminScope is the scope an access token needs for the user's own
// operations (GetUser, UpdateUserAttributes, ChangePassword, …).
const adminScope = "aws.cognito.signin.user.admin"

// session is a caller authenticated by an access token.
type session struct {
	claims *token.AccessClaims
	client appClient
	user   store.User
	rec    *Record
}

// authenticate checks an access token the way Cognito does, in the order of
// cognito-behaviour.md §1.9 and §7.9: the token itself (format, signature
// with the pool's key, token_use, expiry), then the user (deleted, disabled),
// revocation, and the scope.
func (s *Service) authenticate(ctx context.Context, raw string) (*session, error) {
	claims, c, err := s.verifyToken(ctx, raw)
	if err != nil {
		return nil, err
	}
	return s.tokenUser(ctx, claims, c)
}

// verifyToken is authenticate's first half: the token itself and its
// still existing app client.
func (s *Service) verifyToken(ctx context.Context, raw string) (*token.AccessClaims, appClient, error) {
	claims, err := s.Tokens.VerifyAccess(ctx, raw)
	if err != nil {
		return nil, appClient{}, err
	}
	c, err := s.client(ctx, claims.ClientID)
	if err != nil && !isAnswer(err) {
		// The store failed: an outage, not a bad token. SDKs retry an
		// InternalErrorException; a token error would sign the user out.
		return nil, appClient{}, err
	}
	if err != nil || c.Record.PoolID != claims.PoolID {
		// A token of a deleted client no longer authenticates anything.
		return nil, appClient{}, notAuthorized("Invalid Access Token")
	}
	return claims, c, nil
}

// tokenUser is authenticate's second half: the token's user, then the
// scope.
func (s *Service) tokenUser(ctx context.Context, claims *token.AccessClaims, c appClient) (*session, error) {
	u, err := s.Store.GetUserBySub(ctx, claims.PoolID, claims.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	if err := checkTokenUser(u, r, claims); err != nil {
		return nil, err
	}
	if !hasAdminScope(claims) {
		return nil, notAuthorized("Access Token does not have required scopes")
	}
	return &session{claims: claims, client: c, user: u, rec: r}, nil
}

// checkTokenUser refuses a token whose user is disabled or that a sign-out
// or RevokeToken revoked.
func checkTokenUser(u store.User, r *Record, claims *token.AccessClaims) error {
	if !u.Enabled {
		return notAuthorized("User is disabled.")
	}
	if revoked(r, claims) {
		return notAuthorized("Access Token has been revoked")
	}
	return nil
}

func hasAdminScope(claims *token.AccessClaims) bool {
	return slices.Contains(strings.Fields(claims.Scope), adminScope)
}

// revoked reports whether a token was revoked by a sign-out after it was
// issued (exact to the millisecond, cognito-behaviour.md §7.17) or by
// RevokeToken of its family.
func revoked(r *Record, claims *token.AccessClaims) bool {
	if r.SignedOutAt != 0 && claims.IssuedAt.UnixMilli() < r.SignedOutAt {
		return true
	}
	_, gone := r.RevokedFamilies[claims.OriginJTI]
	return claims.OriginJTI != "" && gone
}
