package user

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/trigger"
)

// protectedClaims are the claims a PreTokenGeneration function cannot add,
// override or suppress, in either token (AWS developer guide, pre token
// generation trigger, excluded claims). Cognito ignores such a request
// rather than failing the sign-in; so does Cognate.
var protectedClaims = []string{
	"acr", "amr", "at_hash", "aud", "auth_time", "azp", "c_hash", "client_id",
	"cognito:username", "event_id", "exp", "iat", "identities", "iss", "jti",
	"nbf", "nonce", "origin_jti", "scope", "sub", "token_use", "username", "version",
}

// groupClaimNames come from groupOverrideDetails only: a function cannot
// add or override them as claims (it may suppress them).
var groupClaimNames = []string{"cognito:groups", "cognito:roles", "cognito:preferred_role"}

// preTokenGeneration runs the pool's PreTokenGeneration trigger, if any,
// and applies its answer to sub, the tokens about to be signed. It runs
// before anything is written, so a failure leaves nothing behind. meta is
// the call's ClientMetadata (nil for InitiateAuth, which does not pass it).
func (s *Service) preTokenGeneration(ctx context.Context, c appClient, u store.User, r *Record, source string, meta map[string]string, sub *token.Subject) error {
	// PreTokenGenerationConfig names the function AWS's recommended way;
	// the legacy PreTokenGeneration alone means the V1 event. The pool's
	// settings keep the two in step (userpool's preTokenConfig); pools
	// stored before that may have either.
	arn := s.triggerARN(c.pool, func(lc *model.LambdaConfigType) *string {
		if cfg := lc.PreTokenGenerationConfig; cfg != nil && deref(cfg.LambdaArn) != "" {
			return cfg.LambdaArn
		}
		return lc.PreTokenGeneration
	})
	if arn == "" {
		return nil
	}
	version := ""
	if cfg := c.pool.Config.LambdaConfig.PreTokenGenerationConfig; cfg != nil {
		version = deref(cfg.LambdaVersion)
	}
	e := trigger.PreTokenEvent{UserEvent: userEvent(c.pool, &c, u, r, source)}
	e.ClientMetadata = meta
	e.Groups.GroupsToOverride, e.Groups.IAMRolesToOverride = sub.Groups, sub.Roles
	if sub.PreferredRole != "" {
		e.Groups.PreferredRole = ptr(sub.PreferredRole)
	}
	e.Scopes = []string{token.AdminScope}
	o, err := s.Triggers.PreTokenGeneration(ctx, arn, version, e)
	if err != nil {
		return err
	}
	if g := o.Groups; g != nil {
		if g.GroupsToOverride != nil {
			sub.Groups = g.GroupsToOverride
		}
		if g.IAMRolesToOverride != nil {
			sub.Roles = g.IAMRolesToOverride
		}
		if g.PreferredRole != nil {
			sub.PreferredRole = *g.PreferredRole
		}
	}
	sub.IDExtra, sub.IDSuppress = overrideClaims(o.IDAdd, o.V2), allowedSuppress(o.IDSuppress)
	if o.V2 {
		sub.AccessExtra, sub.AccessSuppress = overrideClaims(o.AccessAdd, true), allowedSuppress(o.AccessSuppress)
		if len(o.ScopesAdd) > 0 || len(o.ScopesSuppress) > 0 {
			scopes := slices.DeleteFunc(slices.Clone(e.Scopes), func(sc string) bool { return slices.Contains(o.ScopesSuppress, sc) })
			for _, sc := range o.ScopesAdd {
				for f := range strings.FieldsSeq(sc) {
					if !slices.Contains(scopes, f) && !slices.Contains(o.ScopesSuppress, f) {
						scopes = append(scopes, f)
					}
				}
			}
			sub.Scopes = append([]string{}, scopes...)
		}
	}
	return nil
}

// overrideClaims turns claimsToAddOrOverride into token claims in name
// order (a JSON object's order does not survive the function's answer),
// leaving out the protected ones. A V1 value is a string, written as an
// attribute of that name would be; a V2 value is written as the JSON
// value it is.
func overrideClaims(add map[string]json.RawMessage, v2 bool) []token.Claim {
	var out []token.Claim
	for _, name := range slices.Sorted(maps.Keys(add)) {
		if name == "" || slices.Contains(protectedClaims, name) || slices.Contains(groupClaimNames, name) {
			continue
		}
		raw := add[name]
		if v2 {
			out = append(out, token.Claim{Name: name, Value: string(raw), Kind: token.KindJSON})
			continue
		}
		var v string
		if json.Unmarshal(raw, &v) == nil {
			out = append(out, token.Claim{Name: name, Value: v})
		}
	}
	return out
}

// allowedSuppress is claimsToSuppress without the protected claims.
func allowedSuppress(names []string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return slices.Contains(protectedClaims, n) })
}
