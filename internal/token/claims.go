package token

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AccessClaims are the claims of an access token. Issue fills them and
// VerifyAccess returns them; MarshalJSON writes them in Cognito's order
// (cognito-behaviour.md §2.2), which encoding/json cannot do for a struct
// with optional members in the middle.
type AccessClaims struct {
	// PoolID is the pool the issuer names. It is not a claim of its own.
	PoolID    string
	Sub       string
	Groups    []string // cognito:groups, omitted when empty
	Issuer    string
	ClientID  string
	OriginJTI string // "" for a client without token revocation (no origin_jti, no jti)
	EventID   string
	TokenUse  string // "access"
	Scope     string
	AuthTime  time.Time
	ExpiresAt time.Time
	// IssuedAt is when the token was issued, to the millisecond (carried by
	// the event_id; see VerifyAccess for the rule). The iat claim is its
	// whole seconds.
	IssuedAt time.Time
	JTI      string
	Username string
	// Extra are claims a PreTokenGeneration trigger added, written after
	// username; one that repeats a claim already written is left out.
	Extra []Claim
}

// MarshalJSON writes the claims in Cognito's order:
// sub, [cognito:groups], iss, client_id, [origin_jti], event_id, token_use,
// scope, auth_time, exp, iat, [jti], username, then the claims a
// PreTokenGeneration trigger added. There is no version claim
// (only /oauth2/token tokens carry one, decision 5) and no aud.
func (c *AccessClaims) MarshalJSON() ([]byte, error) {
	var o object
	o.str("sub", c.Sub)
	if len(c.Groups) > 0 {
		o.strs("cognito:groups", c.Groups)
	}
	o.str("iss", c.Issuer)
	o.str("client_id", c.ClientID)
	if c.OriginJTI != "" {
		o.str("origin_jti", c.OriginJTI)
	}
	o.str("event_id", c.EventID)
	o.str("token_use", c.TokenUse)
	o.str("scope", c.Scope)
	o.num("auth_time", c.AuthTime.Unix())
	o.num("exp", c.ExpiresAt.Unix())
	o.num("iat", c.IssuedAt.Unix())
	if c.JTI != "" {
		o.str("jti", c.JTI)
	}
	o.str("username", c.Username)
	for _, a := range c.Extra {
		if a.Name == "" || o.has(a.Name) {
			continue
		}
		o.claim(a)
	}
	return o.close(), nil
}

// IDClaims are the claims of an ID token.
type IDClaims struct {
	Sub       string
	Groups    []string
	Issuer    string
	Username  string // cognito:username
	OriginJTI string
	Audience  string // aud: the app client id
	EventID   string
	TokenUse  string // "id"
	AuthTime  time.Time
	ExpiresAt time.Time
	IssuedAt  time.Time
	JTI       string
	// Attributes are the user attributes the client may read, in the order
	// they should appear.
	Attributes []Claim

	// Roles (cognito:roles) are the role ARNs of the user's groups, and
	// PreferredRole (cognito:preferred_role) the one an identity pool
	// picks; each is omitted when empty.
	Roles         []string
	PreferredRole string
}

// MarshalJSON writes the claims in Cognito's order (cognito-behaviour.md
// §2.3): sub, [cognito:groups], [email_verified], [cognito:preferred_role],
// iss, [phone_number_verified], cognito:username, [origin_jti],
// [cognito:roles], aud, event_id, token_use, auth_time, exp, iat, [jti],
// then the other readable attributes. The two role claims are where the
// sample payload of AWS's developer guide ("Understanding the identity (ID)
// token") has them.
//
// The two verification flags have fixed places in Cognito's tokens, so they
// are taken out of Attributes and written there. The sub attribute is the
// sub claim already. Developer-only attributes (dev:*) never appear in
// tokens, and an attribute never repeats a claim already written.
func (c *IDClaims) MarshalJSON() ([]byte, error) {
	attr := func(name string) (Claim, bool) {
		for _, a := range c.Attributes {
			if a.Name == name {
				return a, true
			}
		}
		return Claim{}, false
	}
	var o object
	o.str("sub", c.Sub)
	if len(c.Groups) > 0 {
		o.strs("cognito:groups", c.Groups)
	}
	if a, ok := attr("email_verified"); ok {
		o.claim(a)
	}
	if c.PreferredRole != "" {
		o.str("cognito:preferred_role", c.PreferredRole)
	}
	o.str("iss", c.Issuer)
	if a, ok := attr("phone_number_verified"); ok {
		o.claim(a)
	}
	o.str("cognito:username", c.Username)
	if c.OriginJTI != "" {
		o.str("origin_jti", c.OriginJTI)
	}
	if len(c.Roles) > 0 {
		o.strs("cognito:roles", c.Roles)
	}
	o.str("aud", c.Audience)
	o.str("event_id", c.EventID)
	o.str("token_use", c.TokenUse)
	o.num("auth_time", c.AuthTime.Unix())
	o.num("exp", c.ExpiresAt.Unix())
	o.num("iat", c.IssuedAt.Unix())
	if c.JTI != "" {
		o.str("jti", c.JTI)
	}
	for _, a := range c.Attributes {
		if a.Name == "sub" || a.Name == "" || strings.HasPrefix(a.Name, "dev:") || o.has(a.Name) {
			continue
		}
		o.claim(a)
	}
	return o.close(), nil
}

// Claim is one user attribute as an ID-token claim.
type Claim struct {
	Name  string
	Value string
	// Kind says how the value is written; KindAuto (the zero value) decides
	// by the name, as Cognito does (see KindFor).
	Kind ClaimKind
}

// ClaimKind is the JSON shape of an attribute claim.
type ClaimKind uint8

const (
	// KindAuto: KindFor(name).
	KindAuto ClaimKind = iota
	// KindString writes the value as a JSON string. Custom attributes are
	// strings in Cognito's tokens, Number ones too ("custom:n":"12").
	KindString
	// KindBool writes "true"/"false" as a JSON boolean.
	KindBool
	// KindNumber writes an integer as a JSON number (updated_at).
	KindNumber
	// KindJSON writes the value as the JSON it holds (identities: an array).
	KindJSON
	// KindAddress writes {"formatted": value}: the address attribute is a
	// string in the API but the OIDC address object in tokens
	// (aws-amplify/amplify-js#4935).
	KindAddress
)

// KindFor is the shape Cognito gives an attribute in ID tokens.
func KindFor(name string) ClaimKind {
	switch name {
	case "email_verified", "phone_number_verified":
		return KindBool
	case "updated_at":
		return KindNumber
	case "identities":
		return KindJSON
	case "address":
		return KindAddress
	}
	return KindString
}

// object writes a JSON object member by member, in the order written. It
// does not escape <, > and & as encoding/json does: Cognito's tokens carry
// attribute values as they are.
type object struct {
	buf   []byte
	names []string
}

func (o *object) key(name string) {
	if len(o.buf) == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.names = append(o.names, name)
	o.buf = appendString(o.buf, name)
	o.buf = append(o.buf, ':')
}

func (o *object) has(name string) bool {
	for _, n := range o.names {
		if n == name {
			return true
		}
	}
	return false
}

func (o *object) str(name, v string) {
	o.key(name)
	o.buf = appendString(o.buf, v)
}

func (o *object) num(name string, v int64) {
	o.key(name)
	o.buf = strconv.AppendInt(o.buf, v, 10)
}

func (o *object) strs(name string, v []string) {
	o.key(name)
	o.buf = append(o.buf, '[')
	for i, s := range v {
		if i > 0 {
			o.buf = append(o.buf, ',')
		}
		o.buf = appendString(o.buf, s)
	}
	o.buf = append(o.buf, ']')
}

// claim writes an attribute in its shape; a value that does not fit the
// shape (a flag that is not a boolean, say) is written as a string rather
// than dropped or turned into something it is not.
func (o *object) claim(c Claim) {
	kind := c.Kind
	if kind == KindAuto {
		kind = KindFor(c.Name)
	}
	o.key(c.Name)
	switch kind {
	case KindBool:
		if b, err := strconv.ParseBool(c.Value); err == nil {
			o.buf = strconv.AppendBool(o.buf, b)
			return
		}
	case KindNumber:
		if n, err := strconv.ParseInt(c.Value, 10, 64); err == nil {
			o.buf = strconv.AppendInt(o.buf, n, 10)
			return
		}
	case KindJSON:
		// json.Compact keeps the members' order (re-encoding would sort
		// them) and escapes nothing.
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(c.Value)); err == nil {
			o.buf = append(o.buf, compact.Bytes()...)
			return
		}
	case KindAddress:
		o.buf = append(o.buf, `{"formatted":`...)
		o.buf = appendString(o.buf, c.Value)
		o.buf = append(o.buf, '}')
		return
	}
	o.buf = appendString(o.buf, c.Value)
}

func (o *object) close() []byte {
	if len(o.buf) == 0 {
		return []byte("{}")
	}
	return append(o.buf, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, and U+2028/U+2029
// escaped so the token stays safe to embed in JavaScript.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
