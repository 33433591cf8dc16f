package userpool

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// A user pool's domains: the prefix domain (<prefix>.auth.<region>.
// amazoncognito.com on AWS) and the custom domain where the OAuth 2.0
// endpoints and login pages are served. Names are unique across the whole
// server, as they are across a Region on AWS. Texts marked "recorded" were
// seen from AWS (the sources are named); the others are inferred.

// domainLabel is Cognito's prefix rule, and each label of a custom domain.
var domainLabel = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)

// reservedDomainWords may not appear anywhere in a prefix (recorded:
// "newcognito" is refused, amplify-cli#3854; the list from AWS's guide).
var reservedDomainWords = []string{"aws", "amazon", "cognito"}

// domainSettings is store.Domain's Settings document.
type domainSettings struct {
	ManagedLoginVersion int32
	CertificateArn      string `json:",omitempty"`
	Version             string
}

// Recorded: terraform output quoted in
// mineiros-io/terraform-aws-cognito-user-pool#69.
func invalidDomainName() *model.Error {
	return invalidParameter(`The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
}

// noSuchDomain answers an update or delete of a domain that is not the
// pool's. Terraform matches AWS's answer on "No such domain"; the rest of
// the sentence is inferred.
func noSuchDomain() *model.Error {
	return invalidParameter("No such domain or user pool exists.")
}

func checkDomainName(name string, custom bool) error {
	if !custom {
		if !domainLabel.MatchString(name) {
			return invalidDomainName()
		}
		for _, w := range reservedDomainWords {
			if strings.Contains(name, w) {
				// Recorded: CloudTrail in content-analysis-on-aws#8 (no full stop).
				return invalidParameter("Domain cannot contain reserved word: %s", w)
			}
		}
		return nil
	}
	labels := strings.Split(name, ".")
	if len(name) > 253 || len(labels) < 2 {
		return invalidDomainName()
	}
	for _, l := range labels {
		if !domainLabel.MatchString(l) {
			return invalidDomainName()
		}
	}
	return nil
}

// managedLoginVersion checks a requested version against the pool's tier:
// 1 is the classic hosted UI, 2 managed login, which AWS's API reference
// says needs a tier other than Lite (the texts are inferred).
func managedLoginVersion(p *Pool, v *int32, current int32) (int32, error) {
	if v == nil {
		if current != 0 {
			return current, nil
		}
		return 1, nil // AWS's default, the classic hosted UI (CDK's UserPoolDomainOptions)
	}
	switch *v {
	case 1:
	case 2:
		if deref(p.Config.UserPoolTier) == model.UserPoolTierTypeLite {
			return 0, model.Errorf(model.FeatureUnavailableInTierException, "Managed login is not available for user pools in the Lite feature plan.")
		}
	default:
		return 0, invalidParameter("ManagedLoginVersion must be 1 or 2.")
	}
	return *v, nil
}

// cloudFrontDomain is the distribution name a custom domain's DNS points
// at on AWS; Cognate serves the domain itself, so it is a stable stand-in.
func cloudFrontDomain(name string) string {
	sum := sha256.Sum256([]byte("cognate-domain:" + name))
	return "d" + hex.EncodeToString(sum[:7]) + ".cloudfront.net"
}

// CreateUserPoolDomain gives a pool its prefix domain, or with
// CustomDomainConfig its custom domain.
func (s *Service) CreateUserPoolDomain(ctx context.Context, in *model.CreateUserPoolDomainRequest) (*model.CreateUserPoolDomainResponse, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	name, custom := *in.Domain, in.CustomDomainConfig != nil
	if err := checkDomainName(name, custom); err != nil {
		return nil, err
	}
	version, err := managedLoginVersion(p, in.ManagedLoginVersion, 0)
	if err != nil {
		return nil, err
	}
	now := s.now()
	set := domainSettings{ManagedLoginVersion: version, Version: strconv.FormatInt(now.UnixMilli(), 10)}
	if custom {
		set.CertificateArn = deref(in.CustomDomainConfig.CertificateArn)
	}
	data, err := json.Marshal(set)
	if err != nil {
		return nil, err
	}
	err = s.Store.CreateDomain(ctx, store.Domain{Name: name, PoolID: p.Record.ID, Custom: custom, Settings: data, CreatedAt: now, UpdatedAt: now})
	switch {
	case errors.Is(err, store.ErrAlreadyExists):
		// Recorded: CloudFormation and Terraform traces (aws-cdk-examples#402).
		return nil, invalidParameter("Domain already associated with another user pool.")
	case errors.Is(err, store.ErrLimitExceeded):
		kind := "domain"
		if custom {
			kind = "custom domain"
		}
		return nil, invalidParameter("The user pool already has a %s configured.", kind) // inferred
	case errors.Is(err, store.ErrNotFound):
		return nil, poolNotFound(p.Record.ID)
	case err != nil:
		return nil, err
	}
	out := &model.CreateUserPoolDomainResponse{ManagedLoginVersion: ptr(version)}
	if custom {
		// AWS returns the distribution for a custom domain only (null for a
		// prefix: aws-sdk-net#1591).
		out.CloudFrontDomain = ptr(cloudFrontDomain(name))
	}
	return out, nil
}

// DescribeUserPoolDomain describes a domain by name; a name no pool holds
// answers an empty description, as AWS does (Terraform relies on it).
func (s *Service) DescribeUserPoolDomain(ctx context.Context, in *model.DescribeUserPoolDomainRequest) (*model.DescribeUserPoolDomainResponse, error) {
	d, err := s.Store.GetDomain(ctx, *in.Domain)
	if errors.Is(err, store.ErrNotFound) {
		return &model.DescribeUserPoolDomainResponse{DomainDescription: &model.DomainDescriptionType{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var set domainSettings
	if err := json.Unmarshal(d.Settings, &set); err != nil {
		return nil, err
	}
	region, _, _ := strings.Cut(d.PoolID, "_")
	desc := &model.DomainDescriptionType{
		UserPoolId:             ptr(d.PoolID),
		AWSAccountId:           ptr(s.AccountID),
		Domain:                 ptr(d.Name),
		S3Bucket:               ptr("aws-cognito-prod-" + region + "-assets"), // AWS's value not recorded
		CloudFrontDistribution: ptr(cloudFrontDomain(d.Name)),
		Version:                ptr(set.Version),
		Status:                 ptr(model.DomainStatusTypeActive), // ready at once: nothing to provision
		ManagedLoginVersion:    ptr(set.ManagedLoginVersion),
	}
	if d.Custom {
		desc.CustomDomainConfig = &model.CustomDomainConfigType{CertificateArn: ptr(set.CertificateArn)}
	}
	return &model.DescribeUserPoolDomainResponse{DomainDescription: desc}, nil
}

// UpdateUserPoolDomain changes a domain's managed login version or its
// custom domain's certificate; the name stays.
func (s *Service) UpdateUserPoolDomain(ctx context.Context, in *model.UpdateUserPoolDomainRequest) (*model.UpdateUserPoolDomainResponse, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	var out model.UpdateUserPoolDomainResponse
	_, err = s.Store.UpdateDomain(ctx, *in.Domain, func(d store.Domain) (store.Domain, error) {
		if d.PoolID != p.Record.ID {
			return d, noSuchDomain()
		}
		switch {
		case d.Custom && in.CustomDomainConfig == nil:
			// Recorded: terraform-provider-aws#43248.
			return d, invalidParameter("Cannot convert custom domain to prefix domain.")
		case !d.Custom && in.CustomDomainConfig != nil:
			return d, invalidParameter("Cannot convert prefix domain to custom domain.") // inferred, by symmetry
		}
		var set domainSettings
		if err := json.Unmarshal(d.Settings, &set); err != nil {
			return d, err
		}
		v, err := managedLoginVersion(p, in.ManagedLoginVersion, set.ManagedLoginVersion)
		if err != nil {
			return d, err
		}
		now := s.now()
		set.ManagedLoginVersion, set.Version = v, strconv.FormatInt(now.UnixMilli(), 10)
		if d.Custom {
			set.CertificateArn = deref(in.CustomDomainConfig.CertificateArn)
			out.CloudFrontDomain = ptr(cloudFrontDomain(d.Name))
		}
		if d.Settings, err = json.Marshal(set); err != nil {
			return d, err
		}
		d.UpdatedAt = now
		out.ManagedLoginVersion = ptr(v)
		return d, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchDomain()
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteUserPoolDomain removes a pool's domain.
func (s *Service) DeleteUserPoolDomain(ctx context.Context, in *model.DeleteUserPoolDomainRequest) (*model.DeleteUserPoolDomainResponse, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	d, err := s.Store.GetDomain(ctx, *in.Domain)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.PoolID != p.Record.ID) {
		return nil, noSuchDomain()
	}
	if err != nil {
		return nil, err
	}
	if err := s.Store.DeleteDomain(ctx, d.Name); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &model.DeleteUserPoolDomainResponse{}, nil
}

// poolDomains fills DescribeUserPool's Domain (the prefix) and
// CustomDomain.
func (s *Service) poolDomains(ctx context.Context, poolID string, out *model.UserPoolType) error {
	ds, err := s.Store.PoolDomains(ctx, poolID)
	if err != nil {
		return err
	}
	out.Domain, out.CustomDomain = nil, nil
	for _, d := range ds {
		if d.Custom {
			out.CustomDomain = ptr(d.Name)
		} else {
			out.Domain = ptr(d.Name)
		}
	}
	return nil
}
