package token

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// AdminScope is the scope of every token InitiateAuth issues.
const AdminScope = "aws.cognito.signin.user.admin"

// DefaultValidity is Cognito's default access and ID token lifetime, used
// when a Subject leaves a validity at zero.
const DefaultValidity = time.Hour

// Subject is who a sign-in issues tokens for, and how.
type Subject struct {
	PoolID string
	// Region is the pool's region; "" means the one in the pool id. It
	// must agree with the pool id, which is where the issuer's region comes
	// from.
	Region   string
	ClientID string
	Username string // the Cognito username (the sub in UsernameAttributes pools)
	Sub      string
	Groups   []string
	// IDClaims are the attributes the client may read, in order.
	IDClaims []Claim
	// AuthTime is when the user signed in; a refresh keeps the original.
	// Zero means now: a fresh sign-in.
	AuthTime time.Time
	// OriginJTI is the token family (the refresh token's id). "" for a
	// client without token revocation: its tokens carry no origin_jti and
	// no jti (decision 12).
	OriginJTI string
	// AccessValidity and IDValidity are the client's token lifetimes; zero
	// means DefaultValidity.
	AccessValidity time.Duration
	IDValidity     time.Duration

	// Roles and PreferredRole are the ID token's cognito:roles and
	// cognito:preferred_role (Groups, in token order, goes in both tokens);
	// empty ones are omitted.
	Roles         []string
	PreferredRole string

	// Customisations chosen by a PreTokenGeneration trigger; the caller
	// has already left out the claims Cognito protects. IDExtra adds or
	// overrides ID-token claims: one named like an attribute claim takes
	// its place, a new one comes after the fixed claims and the
	// attributes, in order. IDSuppress removes ID-token claims (attributes,
	// cognito:groups, cognito:roles, cognito:preferred_role). AccessExtra
	// and AccessSuppress do the same for the access token (added claims
	// after username). Scopes, when not nil, is the access token's scope
	// claim (space-separated; empty when every scope was suppressed)
	// instead of AdminScope.
	IDExtra        []Claim
	IDSuppress     []string
	AccessExtra    []Claim
	AccessSuppress []string
	Scopes         []string
}

// Tokens are what a sign-in returns.
type Tokens struct {
	AccessToken string
	IDToken     string
	ExpiresIn   int32 // the access token's lifetime in seconds
	AccessJTI   string
	IDJTI       string
}

// Issue signs an access token and an ID token for sub, each with its own
// key of the pool.
func (s *Service) Issue(ctx context.Context, sub Subject) (Tokens, error) {
	if sub.PoolID == "" || sub.ClientID == "" || sub.Username == "" || sub.Sub == "" {
		return Tokens{}, errors.New("token: Issue needs a pool, client, username and sub")
	}
	if sub.Region != "" && sub.Region != regionOf(sub.PoolID) {
		return Tokens{}, fmt.Errorf("token: region %s does not match pool %s", sub.Region, sub.PoolID)
	}
	keys, err := s.poolKeys(ctx, sub.PoolID)
	if errors.Is(err, errNoPool) {
		return Tokens{}, fmt.Errorf("token: pool %s has no signing keys", sub.PoolID)
	}
	if err != nil {
		return Tokens{}, err
	}
	accessKey, err := keys.signer(UseAccess)
	if err != nil {
		return Tokens{}, err
	}
	idKey, err := keys.signer(UseID)
	if err != nil {
		return Tokens{}, err
	}

	now := s.now().UTC().Truncate(time.Millisecond)
	accessValidity := orDefault(sub.AccessValidity)
	idValidity := orDefault(sub.IDValidity)
	// Whole seconds: exp - iat is then exactly the validity.
	iat := now.Truncate(time.Second)
	// The event id carries the issue time to the millisecond (see
	// VerifyAccess); both tokens of a sign-in share it, as in Cognito.
	eventID, err := newUUIDv7(s.rand, now)
	if err != nil {
		return Tokens{}, err
	}
	var accessJTI, idJTI string
	if sub.OriginJTI != "" {
		if accessJTI, err = newUUIDv4(s.rand); err != nil {
			return Tokens{}, err
		}
		if idJTI, err = newUUIDv4(s.rand); err != nil {
			return Tokens{}, err
		}
	}
	issuer := s.Issuer(sub.PoolID)
	if sub.AuthTime.IsZero() {
		sub.AuthTime = now
	}

	scope := AdminScope
	if sub.Scopes != nil {
		scope = strings.Join(sub.Scopes, " ")
	}
	accessGroups, idGroups, roles, preferred := sub.Groups, sub.Groups, sub.Roles, sub.PreferredRole
	if slices.Contains(sub.AccessSuppress, "cognito:groups") {
		accessGroups = nil
	}
	if slices.Contains(sub.IDSuppress, "cognito:groups") {
		idGroups = nil
	}
	if slices.Contains(sub.IDSuppress, "cognito:roles") {
		roles = nil
	}
	if slices.Contains(sub.IDSuppress, "cognito:preferred_role") {
		preferred = ""
	}
	access := &AccessClaims{
		PoolID:    sub.PoolID,
		Sub:       sub.Sub,
		Groups:    accessGroups,
		Issuer:    issuer,
		ClientID:  sub.ClientID,
		OriginJTI: sub.OriginJTI,
		EventID:   eventID,
		TokenUse:  "access",
		Scope:     scope,
		AuthTime:  sub.AuthTime,
		ExpiresAt: iat.Add(accessValidity),
		IssuedAt:  now,
		JTI:       accessJTI,
		Username:  sub.Username,
		Extra:     customize(nil, sub.AccessExtra, sub.AccessSuppress),
	}
	id := &IDClaims{
		Sub:        sub.Sub,
		Groups:     idGroups,
		Issuer:     issuer,
		Username:   sub.Username,
		OriginJTI:  sub.OriginJTI,
		Audience:   sub.ClientID,
		EventID:    eventID,
		TokenUse:   "id",
		AuthTime:   sub.AuthTime,
		ExpiresAt:  iat.Add(idValidity),
		IssuedAt:   now,
		JTI:        idJTI,
		Attributes: customize(sub.IDClaims, sub.IDExtra, sub.IDSuppress),

		Roles:         roles,
		PreferredRole: preferred,
	}
	accessToken, err := sign(accessKey, access)
	if err != nil {
		return Tokens{}, err
	}
	idToken, err := sign(idKey, id)
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{
		AccessToken: accessToken,
		IDToken:     idToken,
		ExpiresIn:   int32(accessValidity / time.Second),
		AccessJTI:   accessJTI,
		IDJTI:       idJTI,
	}, nil
}

// customize applies a trigger's overrides to claims: a claim of extra named
// like one of claims replaces its value in place, the others are appended
// in order; then the claims named in suppress are dropped. claims is not
// modified.
func customize(claims, extra []Claim, suppress []string) []Claim {
	if len(extra) == 0 && len(suppress) == 0 {
		return claims
	}
	out := slices.Clone(claims)
	for _, e := range extra {
		if i := slices.IndexFunc(out, func(c Claim) bool { return c.Name == e.Name }); i >= 0 {
			out[i] = e
		} else {
			out = append(out, e)
		}
	}
	return slices.DeleteFunc(out, func(c Claim) bool { return slices.Contains(suppress, c.Name) })
}

func orDefault(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultValidity
	}
	return d
}

// sign writes a compact JWS. The header is built here rather than by
// golang-jwt, whose header is a map (sorted members) with a typ member:
// Cognito's header is exactly {"kid":…,"alg":"RS256"}, in that order.
func sign(k *keyEntry, claims interface{ MarshalJSON() ([]byte, error) }) (string, error) {
	payload, err := claims.MarshalJSON()
	if err != nil {
		return "", err
	}
	header := appendString([]byte(`{"kid":`), k.kid)
	header = append(header, `,"alg":"RS256"}`...)
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sig, err := jwt.SigningMethodRS256.Sign(signing, k.priv)
	if err != nil {
		return "", fmt.Errorf("token: signing: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// newUUIDv4 is a random UUID, as Cognito's jti and origin_jti are.
func newUUIDv4(r io.Reader) (string, error) {
	u, err := uuid.NewRandomFromReader(r)
	if err != nil {
		return "", fmt.Errorf("token: random: %w", err)
	}
	return u.String(), nil
}

// newUUIDv7 is a UUID version 7 (RFC 9562 §5.7): 48 bits of Unix
// milliseconds, then 74 random bits. It is the event_id, so that every
// token carries its issue time to the millisecond while iat stays in whole
// seconds as Cognito's does (see VerifyAccess). The clock is the injected
// one, which is why this does not call uuid.NewV7.
func newUUIDv7(r io.Reader, t time.Time) (string, error) {
	var u uuid.UUID
	if _, err := io.ReadFull(r, u[:]); err != nil {
		return "", fmt.Errorf("token: random: %w", err)
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(u[:6], ms[2:])
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u.String(), nil
}

// uuidTime returns the time a version 7 UUID carries.
func uuidTime(s string) (time.Time, bool) {
	u, err := uuid.Parse(s)
	if err != nil || len(s) != 36 || u.Version() != 7 || u.Variant() != uuid.RFC4122 {
		return time.Time{}, false
	}
	var ms [8]byte
	copy(ms[2:], u[:6])
	return time.UnixMilli(int64(binary.BigEndian.Uint64(ms[:]))).UTC(), true
}
