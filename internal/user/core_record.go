package user

import (
	"fmt"
	"maps"
	"slices"

	// The record is decoded on every authenticated call and written on
	// every change: go-json does it in a fifth of encoding/json's time, with
	// the same format (record_test.go reads each with the other).
	json "github.com/goccy/go-json"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// Attribute is one user attribute as the API shows it.
type Attribute struct {
	Name  string `json:"n"`
	Value string `json:"v"`
}

// Code is a pending one-time code, stored hashed.
type Code struct {
	Hash      string `json:"h"`
	ExpiresAt int64  `json:"x"` // epoch ms
	Attempts  int    `json:"a,omitempty"`
	// Attr is the attribute the code was sent to (email, phone_number).
	Attr string `json:"t,omitempty"`
	// Sends counts the codes sent for this purpose since WindowStart (epoch
	// ms), for the resend limit.
	Sends       int   `json:"n,omitempty"`
	WindowStart int64 `json:"w,omitempty"`
}

// Code purposes, the keys of Record.Codes.
const (
	codeSignUp         = "signup"
	codeForgotPassword = "forgot"
	codeVerifyPrefix   = "verify:" // + attribute name
)

// Record is the user document kept in store.User.Data: everything about a
// user that the store does not index. Short JSON names keep the row small.
type Record struct {
	Attributes []Attribute `json:"attrs"`
	// PasswordHash is an argon2id PHC string; "" for a user without one.
	PasswordHash string `json:"pw,omitempty"`
	// SRP is the sealed SRP salt and verifier (see srpSecret).
	SRP []byte `json:"srp,omitempty"`
	// PasswordSetAt is when the password (or temporary password) was set,
	// epoch ms; temporary passwords expire from it.
	PasswordSetAt int64           `json:"pwat,omitempty"`
	Codes         map[string]Code `json:"codes,omitempty"`
	// SignedOutAt revokes every token issued before it (epoch ms):
	// GlobalSignOut, AdminUserGlobalSignOut, AdminDisableUser.
	SignedOutAt int64 `json:"out,omitempty"`
	// RevokedFamilies are token families (origin_jti) revoked by
	// RevokeToken, with the refresh-token expiry after which the entry can
	// be forgotten (epoch ms).
	RevokedFamilies map[string]int64 `json:"revoked,omitempty"`
	// FailedSignIns counts consecutive wrong passwords; LockedUntil (epoch
	// ms) refuses sign-in while in the future.
	FailedSignIns int   `json:"fails,omitempty"`
	LockedUntil   int64 `json:"lock,omitempty"`
	// AttemptSeq numbers the password checks reserved so far (core_lockout.go).
	AttemptSeq int64 `json:"aseq,omitempty"`
	// Pending holds email or phone_number values waiting for verification
	// in pools that keep the original value until then
	// (AttributesRequireVerificationBeforeUpdate). Never shown by GetUser.
	Pending map[string]string `json:"pending,omitempty"`
	// Seeded is an argon2id hash of the credentials a seed file last
	// applied (seed_file.go), so a restart with the same file changes nothing.
	Seeded string `json:"seeded,omitempty"`
	// TOTP is the user's software token for MFA (signin_mfa_totp.go).
	TOTP *TOTP `json:"totp,omitempty"`
	// SMSMFA and EmailMFA are the user's SMS and email MFA preferences
	// (signin_mfa_code.go).
	SMSMFA   *MFAFactor `json:"smsmfa,omitempty"`
	EmailMFA *MFAFactor `json:"emailmfa,omitempty"`
	// SessionRound numbers the user's single-use challenge sessions
	// (custom challenges, SELECT_MFA_TYPE): a session carries the round it
	// was issued in, and answering it moves the round on (signin_session.go).
	SessionRound int64 `json:"sr,omitempty"`
}

func decodeRecord(u store.User) (*Record, error) {
	r := &Record{}
	if len(u.Data) > 0 {
		if err := json.Unmarshal(u.Data, r); err != nil {
			return nil, fmt.Errorf("user %s: corrupt record: %w", u.Key, err)
		}
	}
	return r, nil
}

func (r *Record) encode() ([]byte, error) { return json.Marshal(r) }

// Get returns an attribute's value and whether it is set.
func (r *Record) Get(name string) (string, bool) {
	for _, a := range r.Attributes {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// Set sets an attribute, keeping the position of an existing one.
func (r *Record) Set(name, value string) {
	for i := range r.Attributes {
		if r.Attributes[i].Name == name {
			r.Attributes[i].Value = value
			return
		}
	}
	r.Attributes = append(r.Attributes, Attribute{name, value})
}

// Delete removes an attribute.
func (r *Record) Delete(name string) {
	r.Attributes = slices.DeleteFunc(r.Attributes, func(a Attribute) bool { return a.Name == name })
}

// verified reports whether email or phone_number is set and verified.
func (r *Record) verified(attr string) bool {
	_, set := r.Get(attr)
	v, _ := r.Get(attr + "_verified")
	return set && v == "true"
}

// apiAttributes is the attribute list as the API returns it.
func apiAttributes(attrs []Attribute, keep func(name string) bool) []model.AttributeType {
	out := make([]model.AttributeType, 0, len(attrs))
	for _, a := range attrs {
		if keep != nil && !keep(a.Name) {
			continue
		}
		out = append(out, model.AttributeType{Name: ptr(a.Name), Value: ptr(a.Value)})
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// filterValues are the attribute values ListUsers can filter on.
func filterValues(r *Record) map[string]string {
	out := map[string]string{}
	for _, name := range store.FilterAttributes {
		if v, ok := r.Get(name); ok {
			out[name] = v
		}
	}
	return out
}

// TOTP is a user's software token (RFC 6238, SHA-1, 30-second steps, six
// digits). The secrets are sealed to the pool and user.
type TOTP struct {
	// Pending is the secret of AssociateSoftwareToken awaiting
	// VerifySoftwareToken; Secret the verified one.
	Pending []byte `json:"pend,omitempty"`
	Secret  []byte `json:"sec,omitempty"`
	// LastStep is the last time step accepted, so that no code is
	// accepted twice.
	LastStep  int64 `json:"step,omitempty"`
	Enabled   bool  `json:"on,omitempty"`
	Preferred bool  `json:"pref,omitempty"`
}

// MFAFactor is a user's preference for the SMS or email second factor.
type MFAFactor struct {
	Enabled   bool `json:"on,omitempty"`
	Preferred bool `json:"pref,omitempty"`
}

func (f *MFAFactor) on() bool { return f != nil && f.Enabled }

func cloneRecord(r *Record) *Record {
	out := *r
	out.Attributes = slices.Clone(r.Attributes)
	out.Codes = maps.Clone(r.Codes)
	out.Pending = maps.Clone(r.Pending)
	out.RevokedFamilies = maps.Clone(r.RevokedFamilies)
	return &out
}

// userType is a user as AdminCreateUser and ListUsers return it.
func userType(u store.User, r *Record, keep func(string) bool) model.UserType {
	return model.UserType{
		Username:             ptr(u.Username),
		Attributes:           apiAttributes(r.Attributes, keep),
		UserCreateDate:       model.NewTime(u.CreatedAt),
		UserLastModifiedDate: model.NewTime(u.UpdatedAt),
		Enabled:              ptr(u.Enabled),
		UserStatus:           ptr(u.Status),
	}
}
