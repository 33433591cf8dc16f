package user

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/userpool"
)

// pool is a user pool as this package reads it.
type pool struct {
	*userpool.Pool
}

func (s *Service) pool(ctx context.Context, id string) (pool, error) {
	p, err := s.Pools.GetPool(ctx, id)
	if err != nil {
		return pool{}, err
	}
	caller.From(ctx).PoolID = id
	return pool{p}, nil
}

func (p pool) id() string { return p.Record.ID }

// caseSensitive follows UsernameConfiguration; AWS documents true as the
// default when the pool does not set it.
func (p pool) caseSensitive() bool {
	if c := p.Config.UsernameConfiguration; c != nil && c.CaseSensitive != nil {
		return *c.CaseSensitive
	}
	return true
}

// fold returns the lookup form of a username or alias.
func (p pool) fold(s string) string {
	if p.caseSensitive() {
		return s
	}
	return strings.ToLower(s)
}

func (p pool) usernameAttribute(attr string) bool {
	return slices.Contains(p.Config.UsernameAttributes, attr)
}

func (p pool) aliasAttribute(attr string) bool {
	return slices.Contains(p.Config.AliasAttributes, attr)
}

func (p pool) autoVerified(attr string) bool {
	return slices.Contains(p.Config.AutoVerifiedAttributes, attr)
}

// schema returns the schema entry of an attribute name, if any.
func (p pool) schema(name string) (model.SchemaAttributeType, bool) {
	for _, a := range p.Config.SchemaAttributes {
		if deref(a.Name) == name {
			return a, true
		}
	}
	return model.SchemaAttributeType{}, false
}

func (p pool) passwordPolicy() *model.PasswordPolicyType {
	if p.Config.Policies != nil {
		return p.Config.Policies.PasswordPolicy
	}
	return nil
}

// aliases computes the values that must be unique in the pool besides the
// username: in UsernameAttributes pools the email and phone number whether
// verified or not; in AliasAttributes pools a verified email or phone
// number and any preferred_username.
func (p pool) aliases(r *Record) map[string]string {
	out := map[string]string{}
	for _, attr := range []string{"email", "phone_number"} {
		v, ok := r.Get(attr)
		if !ok || v == "" {
			continue
		}
		if p.usernameAttribute(attr) || (p.aliasAttribute(attr) && r.verified(attr)) {
			out[attr] = p.fold(v)
		}
	}
	if v, ok := r.Get("preferred_username"); ok && v != "" && p.aliasAttribute("preferred_username") {
		out["preferred_username"] = p.fold(v)
	}
	return out
}

func regionOf(poolID string) string {
	for i := range poolID {
		if poolID[i] == '_' {
			return poolID[:i]
		}
	}
	return ""
}

// Email and phone formats as Cognito checks them: an address with one @ and
// no spaces, a phone number in E.164 (+ then digits only).
var (
	emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	phonePattern = regexp.MustCompile(`^\+[0-9]{2,15}$`)
)

// aliasConflict maps an alias taken by another user to AliasExistsException.
func aliasConflict(err error, p pool) error {
	var c *store.AliasConflict
	if errors.As(err, &c) {
		return model.Errorf(model.AliasExistsException, "An account with the given %s already exists.", c.Field)
	}
	return err
}

// newUsername applies the pool's username rules to a requested username and
// returns the username to store plus the attribute it implies: in
// UsernameAttributes pools the username must be an email or phone number,
// becomes that attribute, and the stored username is the sub; in alias
// pools a username may not look like an alias.
func newUsername(p pool, requested, sub string) (username string, implied *Attribute, err error) {
	if len(p.Config.UsernameAttributes) > 0 {
		email, phone := p.usernameAttribute("email"), p.usernameAttribute("phone_number")
		switch {
		case email && emailPattern.MatchString(requested):
			return sub, &Attribute{"email", requested}, nil
		case phone && phonePattern.MatchString(requested):
			return sub, &Attribute{"phone_number", requested}, nil
		case email && phone:
			return "", nil, invalidParameter("Username should be either an email or a phone number.")
		case email:
			return "", nil, invalidParameter("Username should be an email.")
		default:
			return "", nil, invalidParameter("Username should be a phone number.")
		}
	}
	if p.aliasAttribute("email") && emailPattern.MatchString(requested) {
		return "", nil, invalidParameter("Username cannot be of email format, since user pool is configured for email alias.")
	}
	if p.aliasAttribute("phone_number") && phonePattern.MatchString(requested) {
		return "", nil, invalidParameter("Username cannot be of phone number format, since user pool is configured for phone number alias.")
	}
	return requested, nil, nil
}

// conflictError maps a store conflict on create to Cognito's error.
func conflictError(err error, p pool, usernameText string) error {
	var c *store.AliasConflict
	if !errors.As(err, &c) {
		return err
	}
	switch c.Field {
	case "username", "sub":
		if len(p.Config.UsernameAttributes) > 0 {
			// The sub is the username there; a clash means the email or
			// phone number is taken, reported below.
			return model.Errorf(model.UsernameExistsException, "An account with the given email already exists.")
		}
		return model.Errorf(model.UsernameExistsException, "%s", usernameText)
	default:
		if len(p.Config.UsernameAttributes) > 0 {
			return model.Errorf(model.UsernameExistsException, "An account with the given %s already exists.", c.Field)
		}
		return model.Errorf(model.AliasExistsException, "An account with the given %s already exists.", c.Field)
	}
}

// aliasOnVerify maps an alias taken by another user at verification time.
func aliasOnVerify(err error) error {
	var c *store.AliasConflict
	if errors.As(err, &c) {
		return model.Errorf(model.AliasExistsException, "An account with the given %s already exists.", c.Field)
	}
	return err
}
