package userpool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// The seed file (internal/seed) declares pools and clients with fixed ids.
// These helpers create them with those ids, or bring an existing one to
// the declared settings with UpdateUserPool's and UpdateUserPoolClient's
// semantics, writing nothing when nothing differs.

// PoolIDPattern is a user pool id: a region, "_", and letters and digits.
var PoolIDPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}_[0-9A-Za-z]{1,46}$`)

// ClientIDPattern is an app client id as the model allows it.
var ClientIDPattern = regexp.MustCompile(`^[\w+]{1,128}$`)

// SeedUserPool creates the pool with the given id, or updates an existing
// one to the settings of in (UpdateUserPool semantics: what in omits
// returns to its default; the schema, alias and username settings are
// fixed at creation). It reports whether anything was written.
func (s *Service) SeedUserPool(ctx context.Context, id string, in *model.CreateUserPoolRequest) (changed bool, err error) {
	if !PoolIDPattern.MatchString(id) {
		return false, fmt.Errorf("user pool id %q: want <region>_<letters and digits>, like us-east-1_example1", id)
	}
	rec, err := s.Store.GetUserPool(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return true, s.createUserPoolWithID(ctx, id, in)
	}
	if err != nil {
		return false, err
	}
	p, err := decodePool(rec)
	if err != nil {
		return false, err
	}
	next, err := updatedSettings(p, in, in.UserPoolTier)
	if err != nil {
		return false, err
	}
	doc, err := encodeSettings(next)
	if err != nil {
		return false, err
	}
	// Compare with the stored document in the same encoding.
	old, err := encodeSettings(p.Config)
	if err != nil {
		return false, err
	}
	if bytes.Equal(doc, old) && rec.Name == *in.PoolName {
		return false, nil
	}
	defer s.forgetPool(id)
	_, err = s.Store.UpdateUserPool(ctx, id, func(rec store.UserPool) (store.UserPool, error) {
		rec.Settings = keepMFA(rec.Settings, doc)
		rec.Name = *in.PoolName
		rec.UpdatedAt = s.now()
		return rec, nil
	})
	return true, poolError(err, id)
}

// createUserPoolWithID is CreateUserPool with a fixed id.
func (s *Service) createUserPoolWithID(ctx context.Context, id string, in *model.CreateUserPoolRequest) error {
	region, _, _ := strings.Cut(id, "_")
	schema, err := buildSchema(in.Schema)
	if err != nil {
		return err
	}
	var u updatable
	if err := sameMembers(in, &u); err != nil {
		return err
	}
	settings := settingsFrom(u)
	settings.SchemaAttributes = schema
	settings.AliasAttributes = in.AliasAttributes
	settings.UsernameAttributes = in.UsernameAttributes
	settings.UsernameConfiguration = in.UsernameConfiguration
	if err := checkSettings(&settings); err != nil {
		return err
	}
	settings.Arn = ptr(fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", region, s.AccountID, id))
	doc, err := encodeSettings(settings)
	if err != nil {
		return err
	}
	var keys []store.SigningKey
	if s.NewKeys != nil {
		if keys, err = s.NewKeys(ctx, id); err != nil {
			return err
		}
	}
	now := s.now()
	rec := store.UserPool{ID: id, Name: *in.PoolName, CreatedAt: now, UpdatedAt: now, Settings: doc}
	if err := s.Store.CreateUserPool(ctx, rec); err != nil {
		return err
	}
	if len(keys) > 0 {
		if err := s.Store.AddSigningKeys(ctx, keys...); err != nil {
			_ = s.Store.DeleteUserPool(context.WithoutCancel(ctx), id)
			return err
		}
	}
	return nil
}

// SeedClient creates the app client with the given id, or updates an
// existing one to the settings of in (UpdateUserPoolClient semantics). A
// ClientSecret in in is the client's fixed secret; GenerateSecret without
// one generates a secret when the client has none. A secret the client
// has is never removed. It reports whether anything was written.
func (s *Service) SeedClient(ctx context.Context, clientID string, in *model.CreateUserPoolClientRequest) (changed bool, err error) {
	if !ClientIDPattern.MatchString(clientID) {
		return false, fmt.Errorf("client id %q: want 1 to 128 letters, digits, _ or +", clientID)
	}
	poolID := *in.UserPoolId
	p, err := s.GetPool(ctx, poolID)
	if err != nil {
		return false, err
	}
	rec, err := s.Store.GetAppClient(ctx, poolID, clientID)
	exists := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	var old *Client
	if exists {
		if old, err = decodeClient(rec); err != nil {
			return false, err
		}
	}
	secret := deref(in.ClientSecret)
	if secret == "" && old != nil {
		secret = deref(old.Config.ClientSecret)
	}
	if secret == "" && deref(in.GenerateSecret) {
		if secret, err = s.randomString(51, lowerAlnum); err != nil {
			return false, err
		}
	}
	var cs clientSettings
	if err := sameMembers(in, &cs); err != nil {
		return false, err
	}
	verb := "creating"
	if exists {
		verb = "updating"
	}
	cfg, err := clientConfig(p, cs, secret != "", verb)
	if err != nil {
		return false, err
	}
	if secret != "" {
		cfg.ClientSecret = ptr(secret)
	}
	doc, err := encodeClientSettings(cfg)
	if err != nil {
		return false, err
	}
	now := s.now()
	if !exists {
		rec := store.AppClient{PoolID: poolID, ID: clientID, Name: *in.ClientName, CreatedAt: now, UpdatedAt: now, Settings: doc}
		if err := s.Store.CreateAppClient(ctx, rec); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				return false, fmt.Errorf("client id %s is taken (by a client of another pool?)", clientID)
			}
			return false, poolError(err, poolID)
		}
		return true, nil
	}
	was, err := encodeClientSettings(old.Config)
	if err != nil {
		return false, err
	}
	if bytes.Equal(doc, was) && rec.Name == *in.ClientName {
		return false, nil
	}
	defer s.clients.drop(clientID)
	_, err = s.Store.UpdateAppClient(ctx, poolID, clientID, func(rec store.AppClient) (store.AppClient, error) {
		rec.Settings = keepMFA(rec.Settings, doc)
		rec.Name = *in.ClientName
		rec.UpdatedAt = now
		return rec, nil
	})
	return true, clientError(err, clientID)
}

// ExportPool returns a stored pool's settings as the CreateUserPool request
// that would recreate them.
func (s *Service) ExportPool(ctx context.Context, id string) (*model.CreateUserPoolRequest, error) {
	rec, err := s.Store.GetUserPool(ctx, id)
	if err != nil {
		return nil, poolError(err, id)
	}
	p, err := decodePool(rec)
	if err != nil {
		return nil, err
	}
	cfg := p.Config
	schema := cfg.SchemaAttributes
	cfg.SchemaAttributes = nil
	out := &model.CreateUserPoolRequest{}
	if err := sameMembers(cfg, out); err != nil {
		return nil, err
	}
	out.PoolName = ptr(rec.Name)
	// The custom attributes and the standard ones that differ from their
	// defaults: the others are always there.
	for _, a := range schema {
		name := deref(a.Name)
		if std, ok := findStandard(name); ok {
			was, _ := json.Marshal(std.schema())
			now, _ := json.Marshal(a)
			if !bytes.Equal(was, now) {
				out.Schema = append(out.Schema, a)
			}
			continue
		}
		if base, ok := strings.CutPrefix(strings.TrimPrefix(name, "dev:"), "custom:"); ok {
			a.Name = ptr(base)
			out.Schema = append(out.Schema, a)
		}
	}
	return out, nil
}

// ExportClient returns a stored client's settings, its secret included, as
// the CreateUserPoolClient request that would recreate them.
func (s *Service) ExportClient(ctx context.Context, rec store.AppClient) (*model.CreateUserPoolClientRequest, error) {
	c, err := decodeClient(rec)
	if err != nil {
		return nil, err
	}
	out := &model.CreateUserPoolClientRequest{}
	if err := sameMembers(c.Config, out); err != nil {
		return nil, err
	}
	out.UserPoolId = nil
	if out.ClientSecret != nil {
		out.GenerateSecret = ptr(true)
	}
	return out, nil
}
