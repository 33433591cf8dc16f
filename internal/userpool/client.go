package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
	"github.com/cognate/cognate/internal/store"
)

// Client is an app client with its settings decoded.
type Client struct {
	Record store.AppClient
	Config model.UserPoolClientType
}

// GetClient returns a client of the pool or Cognito's ResourceNotFoundException.
func (s *Service) GetClient(ctx context.Context, poolID, clientID string) (*Client, error) {
	rec, err := s.Store.GetAppClient(ctx, poolID, clientID)
	if err != nil {
		return nil, clientError(err, clientID)
	}
	return decodeClient(rec)
}

// LookupClient finds a client by id alone, for operations that carry only
// a client id (SignUp, InitiateAuth, …).
// The result is shared: callers must not modify it.
func (s *Service) LookupClient(ctx context.Context, clientID string) (*Client, error) {
	if c, ok := s.clients.get(clientID, wallClock()); ok {
		return c, nil
	}
	rec, err := s.Store.LookupAppClient(ctx, clientID)
	if err != nil {
		return nil, clientError(err, clientID)
	}
	c, err := decodeClient(rec)
	if err != nil {
		return nil, err
	}
	s.clients.put(clientID, rec.PoolID, c, wallClock())
	return c, nil
}

func decodeClient(rec store.AppClient) (*Client, error) {
	c := &Client{Record: rec}
	if err := json.Unmarshal(rec.Settings, &c.Config); err != nil {
		return nil, fmt.Errorf("app client %s: corrupt settings: %w", rec.ID, err)
	}
	c.Config.UserPoolId = ptr(rec.PoolID)
	c.Config.ClientId = ptr(rec.ID)
	c.Config.ClientName = ptr(rec.Name)
	c.Config.CreationDate = model.NewTime(rec.CreatedAt)
	c.Config.LastModifiedDate = model.NewTime(rec.UpdatedAt)
	return c, nil
}

func encodeClientSettings(cfg model.UserPoolClientType) ([]byte, error) {
	cfg.UserPoolId, cfg.ClientId, cfg.ClientName, cfg.CreationDate, cfg.LastModifiedDate = nil, nil, nil, nil, nil
	return json.Marshal(cfg)
}

func clientError(err error, clientID string) error {
	if errors.Is(err, store.ErrNotFound) {
		return model.Errorf(model.ResourceNotFoundException, "User pool client %s does not exist.", clientID)
	}
	return err
}

// clientSettings holds the members CreateUserPoolClient and
// UpdateUserPoolClient share.
type clientSettings struct {
	RefreshTokenValidity                     *int32
	AccessTokenValidity                      *int32
	IdTokenValidity                          *int32
	TokenValidityUnits                       *model.TokenValidityUnitsType
	ReadAttributes                           []string
	WriteAttributes                          []string
	ExplicitAuthFlows                        []string
	SupportedIdentityProviders               []string
	CallbackURLs                             []string
	LogoutURLs                               []string
	DefaultRedirectURI                       *string
	AllowedOAuthFlows                        []string
	AllowedOAuthScopes                       []string
	AllowedOAuthFlowsUserPoolClient          *bool
	AnalyticsConfiguration                   *model.AnalyticsConfigurationType
	PreventUserExistenceErrors               *string
	EnableTokenRevocation                    *bool
	EnablePropagateAdditionalUserContextData *bool
	AuthSessionValidity                      *int32
	RefreshTokenRotation                     *model.RefreshTokenRotationType
}

// clientConfig validates the shared members against the pool and returns
// the stored form with Cognito's defaults. verb is "creating" or "updating",
// as in Cognito's messages.
func clientConfig(p *Pool, in clientSettings, hasSecret bool, verb string) (model.UserPoolClientType, error) {
	cfg := model.UserPoolClientType{
		RefreshTokenValidity:                     in.RefreshTokenValidity,
		AccessTokenValidity:                      in.AccessTokenValidity,
		IdTokenValidity:                          in.IdTokenValidity,
		TokenValidityUnits:                       in.TokenValidityUnits,
		ReadAttributes:                           in.ReadAttributes,
		WriteAttributes:                          in.WriteAttributes,
		ExplicitAuthFlows:                        in.ExplicitAuthFlows,
		SupportedIdentityProviders:               in.SupportedIdentityProviders,
		CallbackURLs:                             in.CallbackURLs,
		LogoutURLs:                               in.LogoutURLs,
		DefaultRedirectURI:                       in.DefaultRedirectURI,
		AllowedOAuthFlows:                        in.AllowedOAuthFlows,
		AllowedOAuthScopes:                       in.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient:          orDefault(in.AllowedOAuthFlowsUserPoolClient, false),
		AnalyticsConfiguration:                   in.AnalyticsConfiguration,
		PreventUserExistenceErrors:               in.PreventUserExistenceErrors,
		EnableTokenRevocation:                    orDefault(in.EnableTokenRevocation, true),
		EnablePropagateAdditionalUserContextData: orDefault(in.EnablePropagateAdditionalUserContextData, false),
		AuthSessionValidity:                      orDefault(in.AuthSessionValidity, int32(3)),
		RefreshTokenRotation:                     in.RefreshTokenRotation,
	}
	// 0 means the default of 30 days, which DescribeUserPoolClient shows.
	if cfg.RefreshTokenValidity == nil || *cfg.RefreshTokenValidity == 0 {
		cfg.RefreshTokenValidity = ptr(int32(30))
		if u := cfg.TokenValidityUnits; u != nil && u.RefreshToken != nil && *u.RefreshToken != model.TimeUnitsTypeDays {
			// 30 in another unit would be a different lifetime.
			cfg.RefreshTokenValidity = ptr(int32(30 * 24 * time.Hour / unitDuration(*u.RefreshToken)))
		}
	}
	if cfg.TokenValidityUnits == nil {
		cfg.TokenValidityUnits = &model.TokenValidityUnitsType{}
	}
	if err := checkTokenValidity(cfg); err != nil {
		return cfg, err
	}
	if err := checkClientAttributes(p, cfg.ReadAttributes, cfg.WriteAttributes, verb); err != nil {
		return cfg, err
	}
	rotates := cfg.RefreshTokenRotation != nil && deref(cfg.RefreshTokenRotation.Feature) == model.FeatureTypeEnabled
	if err := checkAuthFlows(cfg.ExplicitAuthFlows, rotates); err != nil {
		return cfg, err
	}
	if err := checkIdentityProviders(p, cfg.SupportedIdentityProviders); err != nil {
		return cfg, err
	}
	if err := checkOAuth(cfg, hasSecret); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// TokenValidity is a client's token lifetimes, resolved to durations.
type TokenValidity struct {
	Access, ID, Refresh time.Duration
}

func unitDuration(unit string) time.Duration {
	switch unit {
	case model.TimeUnitsTypeSeconds:
		return time.Second
	case model.TimeUnitsTypeMinutes:
		return time.Minute
	case model.TimeUnitsTypeHours:
		return time.Hour
	default:
		return 24 * time.Hour
	}
}

// Validity resolves the client's token lifetimes: access and ID tokens
// default to 60 minutes (unit hours), refresh tokens to 30 days.
func (c *Client) Validity() TokenValidity {
	units := c.Config.TokenValidityUnits
	if units == nil {
		units = &model.TokenValidityUnitsType{}
	}
	d := func(v *int32, unit *string, defUnit string, def time.Duration) time.Duration {
		if v == nil || *v == 0 {
			return def
		}
		u := defUnit
		if unit != nil {
			u = *unit
		}
		return time.Duration(*v) * unitDuration(u)
	}
	return TokenValidity{
		Access:  d(c.Config.AccessTokenValidity, units.AccessToken, model.TimeUnitsTypeHours, time.Hour),
		ID:      d(c.Config.IdTokenValidity, units.IdToken, model.TimeUnitsTypeHours, time.Hour),
		Refresh: d(c.Config.RefreshTokenValidity, units.RefreshToken, model.TimeUnitsTypeDays, 30*24*time.Hour),
	}
}

// checkTokenValidity enforces Cognito's ranges: access and ID tokens from 5
// minutes to 1 day, refresh tokens from 60 minutes to 10 years.
func checkTokenValidity(cfg model.UserPoolClientType) error {
	c := &Client{Config: cfg}
	v := c.Validity()
	if v.Access < 5*time.Minute || v.Access > 24*time.Hour ||
		v.ID < 5*time.Minute || v.ID > 24*time.Hour ||
		v.Refresh < time.Hour || v.Refresh > 3650*24*time.Hour {
		return invalidParameter("Invalid range for token validity.")
	}
	return nil
}

// verifiedFlags can be read by app clients but never written: only the
// admin API marks an attribute verified.
var verifiedFlags = []string{"email_verified", "phone_number_verified"}

// checkClientAttributes validates ReadAttributes and WriteAttributes against
// the pool schema. Writable attributes must be mutable schema attributes
// (never sub, the verified flags or developer-only ones), and a client that
// sets WriteAttributes must be able to write every required attribute.
func checkClientAttributes(p *Pool, read, write []string, verb string) error {
	schema := map[string]model.SchemaAttributeType{}
	for _, a := range p.Config.SchemaAttributes {
		schema[deref(a.Name)] = a
	}
	for _, name := range read {
		if _, ok := schema[name]; !ok || strings.HasPrefix(name, "dev:") {
			// Text inferred from the write-attribute message.
			return invalidParameter("Invalid read attributes specified while %s a client", verb)
		}
	}
	if write == nil {
		return nil
	}
	bad := invalidParameter("Invalid write attributes specified while %s a client", verb)
	for _, name := range write {
		if _, ok := schema[name]; !ok || name == "sub" || slices.Contains(verifiedFlags, name) || strings.HasPrefix(name, "dev:") {
			return bad
		}
	}
	for name, a := range schema {
		if deref(a.Required) && name != "sub" && !slices.Contains(write, name) {
			return bad
		}
	}
	return nil
}

var legacyFlows = []string{
	model.ExplicitAuthFlowsTypeAdminNoSrpAuth,
	model.ExplicitAuthFlowsTypeCustomAuthFlowOnly,
	model.ExplicitAuthFlowsTypeUserPasswordAuth,
}

// checkAuthFlows applies Cognito's rules to ExplicitAuthFlows: the legacy
// values and the ALLOW_ ones do not mix (documented; text inferred), and a
// list of ALLOW_ values must allow refresh (recorded: aws/aws-cdk#7625)
// unless the client rotates refresh tokens, which refresh only through
// GetTokensFromRefreshToken.
func checkAuthFlows(flows []string, rotates bool) error {
	legacy, allow := false, false
	for _, f := range flows {
		if slices.Contains(legacyFlows, f) {
			legacy = true
		} else {
			allow = true
		}
	}
	if legacy && allow {
		return invalidParameter("ExplicitAuthFlows cannot mix the legacy values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with ALLOW_ values.")
	}
	if allow && !rotates && !slices.Contains(flows, model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth) {
		return invalidParameter("REFRESH_TOKEN_AUTH should always be allowed.")
	}
	return nil
}

// checkIdentityProviders accepts COGNITO; external identity providers do
// not exist in Cognate yet, so any other name is unknown to the pool.
func checkIdentityProviders(p *Pool, providers []string) error {
	for _, name := range providers {
		if name != "COGNITO" {
			return invalidParameter("The provider %s does not exist for User Pool %s", name, p.Record.ID)
		}
	}
	return nil
}

// checkOAuth enforces the OAuth settings' rules: HTTPS redirect URLs (plain
// HTTP only for loopback hosts), a default redirect among the callbacks,
// flows and scopes only together on an OAuth client, and client_credentials
// alone, only with a secret and without openid. The recorded texts are cited;
// the others are inferred.
func checkOAuth(cfg model.UserPoolClientType, hasSecret bool) error {
	for _, u := range cfg.CallbackURLs {
		if err := checkRedirect(u, "CallbackURLs"); err != nil {
			return err
		}
	}
	for _, u := range cfg.LogoutURLs {
		if err := checkRedirect(u, "LogoutURLs"); err != nil {
			return err
		}
	}
	if d := cfg.DefaultRedirectURI; d != nil {
		if err := checkRedirect(*d, "DefaultRedirectURI"); err != nil {
			return err
		}
		if !slices.Contains(cfg.CallbackURLs, *d) {
			return invalidParameter("DefaultRedirectURI must be one of the CallbackURLs.")
		}
	}
	flows := cfg.AllowedOAuthFlows
	if slices.Contains(flows, model.OAuthFlowTypeClientCredentials) {
		if len(flows) > 1 {
			// Recorded from update-user-pool-client against a real pool; the
			// exception is that of its sibling below (inferred).
			return model.Errorf(model.InvalidOAuthFlowException, "client_credentials flow can not be selected along with code flow or implicit flow.")
		}
		if !hasSecret {
			// Recorded (Terraform and console messages).
			return model.Errorf(model.InvalidOAuthFlowException, "client_credentials flow can not be selected if client does not have a client secret.")
		}
		if slices.Contains(cfg.AllowedOAuthScopes, "openid") {
			// Recorded: hashicorp/terraform-provider-aws#4984.
			return model.Errorf(model.InvalidOAuthFlowException, "openid is not supported with client_credentials flow")
		}
	}
	if deref(cfg.AllowedOAuthFlowsUserPoolClient) {
		if len(flows) == 0 || len(cfg.AllowedOAuthScopes) == 0 {
			// Recorded: terraform-provider-aws's managed_user_pool_client_test.go.
			return invalidParameter("AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
		}
		if !slices.Contains(flows, model.OAuthFlowTypeClientCredentials) && len(cfg.CallbackURLs) == 0 {
			// Recorded, without a full stop: cisagov/crossfeed#440.
			return model.Errorf(model.InvalidOAuthFlowException, "CallbackUrls can not be empty when code flow or implicit flow is selected")
		}
	}
	return nil
}

// checkRedirect applies Cognito's URL rule to one callback, logout or
// default redirect URL. Plain HTTP to a host other than loopback answers the
// recorded "<url> cannot use the HTTP protocol."; other malformed URLs have
// an inferred text.
func checkRedirect(raw, member string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Fragment != "" {
		return invalidParameter("Invalid %s: %s", member, raw)
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return invalidParameter("%s cannot use the HTTP protocol.", raw)
	}
	return nil
}

func loopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

// CreateUserPoolClient creates an app client, with a generated secret when
// asked.
func (s *Service) CreateUserPoolClient(ctx context.Context, in *model.CreateUserPoolClientRequest) (*model.CreateUserPoolClientResponse, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	secret := deref(in.ClientSecret)
	if in.ClientSecret != nil && !deref(in.GenerateSecret) {
		// Text inferred.
		return nil, invalidParameter("ClientSecret can only be set when GenerateSecret is true.")
	}
	if secret == "" && deref(in.GenerateSecret) {
		if secret, err = s.randomString(51, lowerAlnum); err != nil {
			return nil, err
		}
	}
	var cs clientSettings
	if err := sameMembers(in, &cs); err != nil {
		return nil, err
	}
	cfg, err := clientConfig(p, cs, secret != "", "creating")
	if err != nil {
		return nil, err
	}
	if secret != "" {
		cfg.ClientSecret = ptr(secret)
	}
	doc, err := encodeClientSettings(cfg)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for attempt := 0; ; attempt++ {
		id, err := s.randomString(26, lowerAlnum)
		if err != nil {
			return nil, err
		}
		rec := store.AppClient{PoolID: p.Record.ID, ID: id, Name: *in.ClientName, CreatedAt: now, UpdatedAt: now, Settings: doc}
		err = s.Store.CreateAppClient(ctx, rec)
		if errors.Is(err, store.ErrAlreadyExists) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, poolError(err, p.Record.ID)
		}
		c, err := decodeClient(rec)
		if err != nil {
			return nil, err
		}
		return &model.CreateUserPoolClientResponse{UserPoolClient: &c.Config}, nil
	}
}

// DescribeUserPoolClient returns a client's configuration, secret included.
func (s *Service) DescribeUserPoolClient(ctx context.Context, in *model.DescribeUserPoolClientRequest) (*model.DescribeUserPoolClientResponse, error) {
	if _, err := s.GetPool(ctx, *in.UserPoolId); err != nil {
		return nil, err
	}
	c, err := s.GetClient(ctx, *in.UserPoolId, *in.ClientId)
	if err != nil {
		return nil, err
	}
	return &model.DescribeUserPoolClientResponse{UserPoolClient: &c.Config}, nil
}

// UpdateUserPoolClient replaces the client's settings. As on AWS, omitted
// members return to their defaults; the name and the secret are kept.
func (s *Service) UpdateUserPoolClient(ctx context.Context, in *model.UpdateUserPoolClientRequest) (*model.UpdateUserPoolClientResponse, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	defer s.clients.drop(*in.ClientId)
	rec, err := s.Store.UpdateAppClient(ctx, p.Record.ID, *in.ClientId, func(rec store.AppClient) (store.AppClient, error) {
		old, err := decodeClient(rec)
		if err != nil {
			return rec, err
		}
		var cs clientSettings
		if err := sameMembers(in, &cs); err != nil {
			return rec, err
		}
		cfg, err := clientConfig(p, cs, old.Config.ClientSecret != nil, "updating")
		if err != nil {
			return rec, err
		}
		cfg.ClientSecret = old.Config.ClientSecret
		doc, err := encodeClientSettings(cfg)
		if err != nil {
			return rec, err
		}
		rec.Settings = doc
		if in.ClientName != nil {
			rec.Name = *in.ClientName
		}
		rec.UpdatedAt = s.now()
		return rec, nil
	})
	if err != nil {
		return nil, clientError(err, *in.ClientId)
	}
	c, err := decodeClient(rec)
	if err != nil {
		return nil, err
	}
	return &model.UpdateUserPoolClientResponse{UserPoolClient: &c.Config}, nil
}

// DeleteUserPoolClient deletes a client.
func (s *Service) DeleteUserPoolClient(ctx context.Context, in *model.DeleteUserPoolClientRequest) (struct{}, error) {
	if _, err := s.GetPool(ctx, *in.UserPoolId); err != nil {
		return struct{}{}, err
	}
	defer s.clients.drop(*in.ClientId)
	if err := s.Store.DeleteAppClient(ctx, *in.UserPoolId, *in.ClientId); err != nil {
		return struct{}{}, clientError(err, *in.ClientId)
	}
	return struct{}{}, nil
}

// ListUserPoolClients lists a pool's clients, 60 per page unless asked.
func (s *Service) ListUserPoolClients(ctx context.Context, in *model.ListUserPoolClientsRequest) (*model.ListUserPoolClientsResponse, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != nil {
		if after, err = decodeToken(*in.NextToken); err != nil {
			return nil, invalidParameter("Invalid pagination token.")
		}
	}
	limit := 60
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	recs, err := s.Store.ListAppClients(ctx, p.Record.ID, limit+1, after)
	if err != nil {
		return nil, err
	}
	out := &model.ListUserPoolClientsResponse{UserPoolClients: []model.UserPoolClientDescription{}}
	for i, rec := range recs {
		if i == limit {
			out.NextToken = ptr(encodeToken(&recs[limit-1].ID))
			break
		}
		out.UserPoolClients = append(out.UserPoolClients, model.UserPoolClientDescription{
			ClientId: ptr(rec.ID), UserPoolId: ptr(rec.PoolID), ClientName: ptr(rec.Name),
		})
	}
	caller.From(ctx).PoolID = p.Record.ID
	return out, nil
}
