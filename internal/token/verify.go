package token

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
)

// maxTokenLen bounds what VerifyAccess decodes before the signature is
// checked. Cognate's access tokens are about 1 KB; Cognito's are similar.
const maxTokenLen = 16 << 10

// b64 decodes JWS parts. Strict: non-zero trailing bits are rejected, so a
// token has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

// VerifyAccess checks an access token as Cognito does for the operations
// that take one, and returns its claims. The checks run in this order, and
// every failure but the last is NotAuthorizedException "Invalid Access
// Token": the token is a three-part compact JWS; its header's alg is
// exactly RS256 (none, HS256 — also HS256 keyed with the public key —,
// RS512 and the rest are refused before any key is touched) and it names a
// kid; its iss is this server's issuer for an existing pool; the kid is one
// of that pool's keys, and the access-token key; the RS256 signature
// verifies with it; token_use is "access". Only then is the expiry looked at:
// exp at or before now (cfg.Now) is "Access Token has expired", so an
// expired forgery still says "Invalid Access Token".
//
// Revocation and the user checks (deleted, disabled) need the user's row
// and are the caller's. The returned IssuedAt is for revocation, which is
// exact to the millisecond (decision 17): the event_id of every token this
// service issues is a version 7 UUID whose timestamp is the issue time in
// milliseconds, from the same clock reading as iat. IssuedAt is that time
// when the event_id is such a UUID within iat's second, and iat's whole
// second otherwise (a token from elsewhere; none exist, but the fallback
// fails closed). The rule the caller applies is:
//
//	revoked ⇔ IssuedAt < signedOutAt (both in milliseconds)
//
// so a sign-out revokes every token issued before it, and a token issued
// after it — even within the same second, Cognito's quirk — is not revoked.
// A token issued in the very millisecond of the sign-out survives; the two
// were concurrent. Revocation of a family by RevokeToken (origin_jti) does
// not depend on time.
func (s *Service) VerifyAccess(ctx context.Context, raw string) (*AccessClaims, error) {
	if c, ok := s.seen.get(raw); ok {
		if !s.now().Before(c.ExpiresAt) {
			return nil, model.Errorf(model.NotAuthorizedException, msgAccessTokenExpired)
		}
		caller.From(ctx).PoolID = c.PoolID
		cp := *c
		return &cp, nil
	}
	c, reason, err := s.verifyAccess(ctx, raw)
	if err == nil {
		cp := *c
		s.seen.put(raw, &cp)
	}
	if reason != "" {
		// The client only ever learns "Invalid Access Token"; the reason
		// is for whoever reads the server's debug log.
		s.log.DebugContext(ctx, "token: access token rejected", "reason", reason)
	}
	return c, err
}

func (s *Service) verifyAccess(ctx context.Context, raw string) (*AccessClaims, string, error) {
	invalid := func(reason string) (*AccessClaims, string, error) {
		return nil, reason, invalidAccessToken()
	}
	if len(raw) > maxTokenLen {
		return invalid("too long")
	}
	h, rest, ok1 := strings.Cut(raw, ".")
	p, sigPart, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || h == "" || p == "" || sigPart == "" || strings.Contains(sigPart, ".") {
		return invalid("not a compact JWS")
	}

	header, err := decodeObject(h)
	if err != nil {
		return invalid("header: " + err.Error())
	}
	if alg, ok := header.str("alg"); !ok || alg != "RS256" {
		return invalid("alg is not RS256")
	}
	kid, ok := header.str("kid")
	if !ok || kid == "" {
		return invalid("no kid")
	}
	if _, ok := header["crit"]; ok {
		// RFC 7515 §4.1.11: extensions we do not understand must fail.
		return invalid("crit header")
	}

	// The issuer is read before the signature is checked: it names the
	// pool whose keys decide whether the signature is good.
	payload, err := decodeObject(p)
	if err != nil {
		return invalid("payload: " + err.Error())
	}
	iss, _ := payload.str("iss")
	poolID := s.poolFromIssuer(iss)
	if poolID == "" {
		return invalid("issuer is not this server's")
	}
	keys, err := s.poolKeys(ctx, poolID)
	if errors.Is(err, errNoPool) {
		return invalid("unknown pool")
	}
	if err != nil {
		return nil, "", err
	}
	caller.From(ctx).PoolID = poolID
	k := keys.find(kid)
	if k == nil {
		if keys, err = s.reload(ctx, poolID, keys); errors.Is(err, errNoPool) {
			return invalid("unknown pool")
		} else if err != nil {
			return nil, "", err
		}
		k = keys.find(kid)
	}
	if k == nil {
		return invalid("kid is not one of the pool's keys")
	}
	if k.use != UseAccess {
		return invalid("kid is the pool's " + k.use + " key")
	}
	sig, err := b64.DecodeString(sigPart)
	if err != nil {
		return invalid("signature encoding")
	}
	if err := jwt.SigningMethodRS256.Verify(h+"."+p, sig, k.pub); err != nil {
		return invalid("bad signature")
	}

	c := &AccessClaims{PoolID: poolID, Issuer: iss}
	var exp, iat, authTime int64
	var okExp, okIat, okAuth bool
	var bad []string
	get := func(name string, dst *string, required bool) {
		v, ok := payload.str(name)
		if !ok && (required || payload[name] != nil) {
			bad = append(bad, name)
		}
		*dst = v
	}
	get("token_use", &c.TokenUse, true)
	get("sub", &c.Sub, true)
	get("client_id", &c.ClientID, true)
	get("username", &c.Username, true)
	get("scope", &c.Scope, true)
	get("event_id", &c.EventID, true)
	get("origin_jti", &c.OriginJTI, false)
	get("jti", &c.JTI, false)
	exp, okExp = payload.num("exp")
	iat, okIat = payload.num("iat")
	authTime, okAuth = payload.num("auth_time")
	if g, ok := payload["cognito:groups"]; ok {
		if err := json.Unmarshal(g, &c.Groups); err != nil {
			bad = append(bad, "cognito:groups")
		}
	}
	if c.TokenUse != "access" {
		return invalid("token_use is not access")
	}
	if len(bad) > 0 || !okExp || !okIat || !okAuth {
		return invalid("malformed claims")
	}
	c.ExpiresAt = time.Unix(exp, 0).UTC()
	c.AuthTime = time.Unix(authTime, 0).UTC()
	c.IssuedAt = time.Unix(iat, 0).UTC()
	if t, ok := uuidTime(c.EventID); ok && t.Unix() == iat {
		c.IssuedAt = t
	}
	if !s.now().Before(c.ExpiresAt) {
		return nil, "expired", model.Errorf(model.NotAuthorizedException, msgAccessTokenExpired)
	}
	return c, "", nil
}

// jsonObject is a decoded JSON object whose members are read by their exact
// names (encoding/json's struct decoding matches names case-insensitively).
type jsonObject map[string]json.RawMessage

func decodeObject(part string) (jsonObject, error) {
	data, err := b64.DecodeString(part)
	if err != nil {
		return nil, errors.New("not base64url")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var o jsonObject
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, errors.New("not a JSON object")
	}
	return o, nil
}

func (o jsonObject) str(name string) (string, bool) {
	raw, ok := o[name]
	if !ok || len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// num reads an integer member. Cognito writes times as integers; a
// fraction or an exponent is not one of its tokens.
func (o jsonObject) num(name string) (int64, bool) {
	raw, ok := o[name]
	if !ok || len(raw) == 0 || bytes.ContainsAny(raw, ".eE") {
		return 0, false
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, false
	}
	return n, true
}
