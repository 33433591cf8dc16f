package userpool

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
	"github.com/cognate/cognate/internal/store"
)

// CreateUserPool creates a pool in the caller's region with Cognito's
// defaults for everything the request leaves out.
func (s *Service) CreateUserPool(ctx context.Context, in *model.CreateUserPoolRequest) (*model.CreateUserPoolResponse, error) {
	region := caller.From(ctx).Region
	if region == "" {
		return nil, errors.New("userpool: no region for CreateUserPool")
	}
	schema, err := buildSchema(in.Schema)
	if err != nil {
		return nil, err
	}
	var u updatable
	if err := sameMembers(in, &u); err != nil {
		return nil, err
	}
	settings := settingsFrom(u)
	settings.SchemaAttributes = schema
	settings.AliasAttributes = in.AliasAttributes
	settings.UsernameAttributes = in.UsernameAttributes
	settings.UsernameConfiguration = in.UsernameConfiguration
	if err := checkSettings(&settings); err != nil {
		return nil, err
	}

	now := s.now()
	for attempt := 0; ; attempt++ {
		suffix, err := s.randomString(9, alnum)
		if err != nil {
			return nil, err
		}
		id := region + "_" + suffix
		settings.Arn = ptr(fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", region, s.AccountID, id))
		doc, err := encodeSettings(settings)
		if err != nil {
			return nil, err
		}
		var keys []store.SigningKey
		if s.NewKeys != nil {
			if keys, err = s.NewKeys(ctx, id); err != nil {
				return nil, err
			}
		}
		rec := store.UserPool{ID: id, Name: *in.PoolName, CreatedAt: now, UpdatedAt: now, Settings: doc}
		err = s.Store.CreateUserPool(ctx, rec)
		if errors.Is(err, store.ErrAlreadyExists) && attempt < 5 {
			continue // an id collision: 62^9 makes this all but impossible
		}
		if err != nil {
			return nil, err
		}
		if len(keys) > 0 {
			if err := s.Store.AddSigningKeys(ctx, keys...); err != nil {
				// A pool without keys could never issue a token: undo it.
				_ = s.Store.DeleteUserPool(context.WithoutCancel(ctx), id)
				return nil, err
			}
		}
		caller.From(ctx).PoolID = id
		p, err := decodePool(rec)
		if err != nil {
			return nil, err
		}
		desc, err := s.describe(ctx, p)
		if err != nil {
			return nil, err
		}
		return &model.CreateUserPoolResponse{UserPool: desc}, nil
	}
}

// describe is the UserPoolType a client sees, with the computed members.
func (s *Service) describe(ctx context.Context, p *Pool) (*model.UserPoolType, error) {
	out := p.Config
	n, err := s.Store.CountUsers(ctx, p.Record.ID)
	if err != nil {
		return nil, err
	}
	out.EstimatedNumberOfUsers = ptr(int32(n))
	if err := s.poolDomains(ctx, p.Record.ID, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DescribeUserPool returns a pool's configuration.
func (s *Service) DescribeUserPool(ctx context.Context, in *model.DescribeUserPoolRequest) (*model.DescribeUserPoolResponse, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	desc, err := s.describe(ctx, p)
	if err != nil {
		return nil, err
	}
	return &model.DescribeUserPoolResponse{UserPool: desc}, nil
}

// UpdateUserPool replaces the pool's updatable settings. As on AWS, a member
// the request leaves out returns to its default (Terraform and CDK rely on
// this); the name and tier are kept when omitted, and the schema, username
// and alias settings cannot change after creation.
func (s *Service) UpdateUserPool(ctx context.Context, in *model.UpdateUserPoolRequest) (*model.UpdateUserPoolResponse, error) {
	id := *in.UserPoolId
	defer s.forgetPool(id)
	_, err := s.Store.UpdateUserPool(ctx, id, func(rec store.UserPool) (store.UserPool, error) {
		p, err := decodePool(rec)
		if err != nil {
			return rec, err
		}
		next, err := updatedSettings(p, in, in.UserPoolTier)
		if err != nil {
			return rec, err
		}
		doc, err := encodeSettings(next)
		if err != nil {
			return rec, err
		}
		rec.Settings = keepMFA(rec.Settings, doc)
		if in.PoolName != nil {
			rec.Name = *in.PoolName
		}
		rec.UpdatedAt = s.now()
		return rec, nil
	})
	if err != nil {
		return nil, poolError(err, id)
	}
	return &model.UpdateUserPoolResponse{}, nil
}

// DeleteUserPool deletes a pool and everything in it, unless deletion
// protection is on.
func (s *Service) DeleteUserPool(ctx context.Context, in *model.DeleteUserPoolRequest) (struct{}, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return struct{}{}, err
	}
	if deref(p.Config.DeletionProtection) == model.DeletionProtectionTypeActive {
		return struct{}{}, invalidParameter("The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	if ds, err := s.Store.PoolDomains(ctx, p.Record.ID); err != nil {
		return struct{}{}, err
	} else if len(ds) > 0 {
		// Recorded: terraform-provider-aws#16479, aws-nuke#330.
		return struct{}{}, invalidParameter("User pool cannot be deleted. It has a domain configured that should be deleted first.")
	}
	defer s.forgetPool(p.Record.ID)
	if err := s.Store.DeleteUserPool(ctx, p.Record.ID); err != nil {
		return struct{}{}, poolError(err, p.Record.ID)
	}
	if s.Deleted != nil {
		s.Deleted(p.Record.ID)
	}
	return struct{}{}, nil
}

// ListUserPools lists the pools of the caller's region: one server serves
// every region, and a region's pools share the id prefix "<region>_", so
// they are one contiguous range of the store's id order.
func (s *Service) ListUserPools(ctx context.Context, in *model.ListUserPoolsRequest) (*model.ListUserPoolsResponse, error) {
	prefix := caller.From(ctx).Region + "_"
	after := prefix
	if in.NextToken != nil {
		last, err := decodeToken(*in.NextToken)
		if err != nil || !strings.HasPrefix(last, prefix) {
			return nil, invalidParameter("Invalid pagination token.")
		}
		after = last
	}
	limit := int(*in.MaxResults)
	recs, err := s.Store.ListUserPools(ctx, limit+1, after)
	if err != nil {
		return nil, err
	}
	out := &model.ListUserPoolsResponse{UserPools: []model.UserPoolDescriptionType{}}
	for i, rec := range recs {
		if !strings.HasPrefix(rec.ID, prefix) {
			break
		}
		if i == limit {
			out.NextToken = ptr(encodeToken(out.UserPools[limit-1].Id))
			break
		}
		p, err := decodePool(rec)
		if err != nil {
			return nil, err
		}
		lambda := p.Config.LambdaConfig
		if lambda == nil {
			lambda = &model.LambdaConfigType{}
		}
		out.UserPools = append(out.UserPools, model.UserPoolDescriptionType{
			Id:               p.Config.Id,
			Name:             p.Config.Name,
			LambdaConfig:     lambda,
			CreationDate:     p.Config.CreationDate,
			LastModifiedDate: p.Config.LastModifiedDate,
		})
	}
	return out, nil
}

// Pagination tokens are opaque to clients; they carry the last id returned.
func encodeToken(lastID *string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(deref(lastID)))
}

func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 {
		return "", errors.New("bad token")
	}
	return string(b), nil
}

// AddCustomAttributes appends custom attributes to a pool's schema.
func (s *Service) AddCustomAttributes(ctx context.Context, in *model.AddCustomAttributesRequest) (*model.AddCustomAttributesResponse, error) {
	id := *in.UserPoolId
	defer s.forgetPool(id)
	_, err := s.Store.UpdateUserPool(ctx, id, func(rec store.UserPool) (store.UserPool, error) {
		p, err := decodePool(rec)
		if err != nil {
			return rec, err
		}
		schema := slices.Clone(p.Config.SchemaAttributes)
		for _, attr := range in.CustomAttributes {
			added, err := customAttribute(attr)
			if err != nil {
				return rec, err
			}
			base := strings.TrimPrefix(strings.TrimPrefix(deref(added.Name), "dev:"), "custom:")
			for _, have := range schema {
				n := deref(have.Name)
				if n == "custom:"+base || n == "dev:custom:"+base {
					return rec, invalidParameter("custom:%s: Existing attribute already has name %s.", base, n)
				}
			}
			schema = append(schema, added)
		}
		if customCount(schema) > maxCustomAttributes {
			return rec, invalidParameter("The user pool cannot have more than %d custom attributes.", maxCustomAttributes)
		}
		p.Config.SchemaAttributes = schema
		doc, err := encodeSettings(p.Config)
		if err != nil {
			return rec, err
		}
		rec.Settings = keepMFA(rec.Settings, doc)
		rec.UpdatedAt = s.now()
		return rec, nil
	})
	if err != nil {
		return nil, poolError(err, id)
	}
	return &model.AddCustomAttributesResponse{}, nil
}

// csvHeaderStandard is the fixed start of the user import CSV header.
var csvHeaderStandard = []string{
	"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
	"zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at",
	"cognito:mfa_enabled", "cognito:username",
}

// GetCSVHeader returns the header of a user import CSV for the pool: the
// standard columns, then the pool's custom attributes.
func (s *Service) GetCSVHeader(ctx context.Context, in *model.GetCSVHeaderRequest) (*model.GetCSVHeaderResponse, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	header := slices.Clone(csvHeaderStandard)
	for _, a := range p.Config.SchemaAttributes {
		if n := deref(a.Name); strings.HasPrefix(n, "custom:") {
			header = append(header, n)
		}
	}
	return &model.GetCSVHeaderResponse{UserPoolId: p.Config.Id, CSVHeader: header}, nil
}

// updatedSettings is what an update makes of a pool's settings: the
// request's updatable members with their defaults (from any request shape
// that carries them by name), the tier kept when omitted, and what is fixed
// at creation kept as it is.
func updatedSettings(p *Pool, in any, tier *string) (model.UserPoolType, error) {
	var u updatable
	if err := sameMembers(in, &u); err != nil {
		return model.UserPoolType{}, err
	}
	next := settingsFrom(u)
	if tier == nil {
		next.UserPoolTier = p.Config.UserPoolTier
	}
	next.SchemaAttributes = p.Config.SchemaAttributes
	next.AliasAttributes = p.Config.AliasAttributes
	next.UsernameAttributes = p.Config.UsernameAttributes
	next.UsernameConfiguration = p.Config.UsernameConfiguration
	next.Arn = p.Config.Arn
	next.Domain = p.Config.Domain
	next.CustomDomain = p.Config.CustomDomain
	if err := checkSettings(&next); err != nil {
		return model.UserPoolType{}, err
	}
	return next, nil
}
