package user

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/userpool"
)

// appClient is the app client an unsigned call names, with its pool.
type appClient struct {
	*userpool.Client
	pool pool
}

// client resolves a ClientId to its client and pool: the one global
// lookup that unsigned operations need.
func (s *Service) client(ctx context.Context, clientID string) (appClient, error) {
	c, err := s.Pools.LookupClient(ctx, clientID)
	if err != nil {
		return appClient{}, err
	}
	p, err := s.pool(ctx, c.Record.PoolID)
	if err != nil {
		return appClient{}, err
	}
	info := caller.From(ctx)
	info.PoolID = p.id()
	return appClient{Client: c, pool: p}, nil
}

// checkSecretHash verifies SECRET_HASH for clients with a secret:
// Base64(HMAC-SHA256(secret, username + clientId)), over the username as the
// caller sent it.
func (c appClient) checkSecretHash(username string, hash *string) error {
	secret := deref(c.Config.ClientSecret)
	if secret == "" {
		return nil
	}
	if hash == nil || *hash == "" {
		return notAuthorized("Client %s is configured for secret but secret was not received", c.Record.ID)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + c.Record.ID))
	want := mac.Sum(nil)
	got, err := base64.StdEncoding.DecodeString(*hash)
	if err != nil || !hmac.Equal(got, want) {
		return notAuthorized("Unable to verify secret hash for client %s", c.Record.ID)
	}
	return nil
}

// preventExistenceErrors reports whether the client hides whether a user
// exists (PreventUserExistenceErrors ENABLED).
func (c appClient) preventExistenceErrors() bool {
	return deref(c.Config.PreventUserExistenceErrors) == model.PreventUserExistenceErrorTypesEnabled
}

// writable reports whether the client may write an attribute: with
// WriteAttributes unset, every standard attribute; custom attributes need
// an explicit grant (cognito-behaviour.md §7.11).
func (c appClient) writable(name string) bool {
	if c.Config.WriteAttributes == nil {
		return !userpool.IsCustomName(name) && name != "email_verified" && name != "phone_number_verified"
	}
	return slices.Contains(c.Config.WriteAttributes, name)
}

// readable reports whether the client may read an attribute: with
// ReadAttributes unset, the standard attributes and the verified flags;
// sub is always readable; developer-only attributes never are.
func (c appClient) readable(name string) bool {
	if name == "sub" {
		return true
	}
	if c.Config.ReadAttributes == nil {
		return !userpool.IsCustomName(name)
	}
	return slices.Contains(c.Config.ReadAttributes, name)
}

// clientUser is the start of the unsigned calls that name a user: the app
// client and its pool, the client's secret hash, then the user by username,
// alias or sub. A missing user is Cognito's "Username/client id combination
// not found.", unless the client hides user existence: then found is false
// and the caller answers as for a real user (core_shadow.go).
func (s *Service) clientUser(ctx context.Context, clientID, username string, secretHash *string) (c appClient, u store.User, found bool, err error) {
	c, err = s.client(ctx, clientID)
	if err != nil {
		return appClient{}, store.User{}, false, err
	}
	if err := c.checkSecretHash(username, secretHash); err != nil {
		return appClient{}, store.User{}, false, err
	}
	u, err = s.lookup(ctx, c.pool, username)
	if errors.Is(err, store.ErrNotFound) {
		if c.preventExistenceErrors() {
			// The caller simulates a real user's answer (core_shadow.go).
			return c, store.User{}, false, nil
		}
		return appClient{}, store.User{}, false, model.Errorf(model.UserNotFoundException, "Username/client id combination not found.")
	}
	if err != nil {
		return appClient{}, store.User{}, false, err
	}
	return c, u, true, nil
}
