package user

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// SeedMFA is a user's MFA state as a seed file declares it. The factors
// not enabled are turned off; Preferred (SOFTWARE_TOKEN_MFA, SMS_MFA or
// EMAIL_OTP, or "") names the preferred one, which must be enabled.
type SeedMFA struct {
	// SoftwareTokenSecret is the raw TOTP secret, stored sealed as
	// VerifySoftwareToken stores it; nil keeps the user's secret.
	SoftwareTokenSecret  []byte
	SoftwareTokenEnabled bool
	SMSEnabled           bool
	EmailEnabled         bool
	Preferred            string
}

// SeedMFA brings a seeded user's MFA state to in, writing nothing when
// nothing differs. Errors about one member are SeedFieldErrors.
func (s *Service) SeedMFA(ctx context.Context, poolID, login string, in *SeedMFA) (changed bool, err error) {
	p, err := s.pool(ctx, poolID)
	if err != nil {
		return false, err
	}
	u, err := s.lookup(ctx, p, login)
	if err != nil {
		return false, notFound(err)
	}
	r, err := decodeRecord(u)
	if err != nil {
		return false, err
	}
	before, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	if err := s.applySeedMFA(p, u.Key, r, in); err != nil {
		return false, err
	}
	after, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	if string(before) == string(after) {
		return false, nil
	}
	_, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		u.UpdatedAt = s.now()
		return store.UserChange{}, s.applySeedMFA(p, u.Key, r, in)
	})
	return err == nil, err
}

func (s *Service) applySeedMFA(p pool, key string, r *Record, in *SeedMFA) error {
	if in.SoftwareTokenSecret != nil {
		same := false
		if r.TOTP != nil && r.TOTP.Secret != nil {
			old, err := s.Sealer.Open(r.TOTP.Secret, totpAAD(p.id(), key))
			same = err == nil && subtle.ConstantTimeCompare(old, in.SoftwareTokenSecret) == 1
		}
		if !same {
			if r.TOTP == nil {
				r.TOTP = &TOTP{}
			}
			r.TOTP.Secret, r.TOTP.Pending, r.TOTP.LastStep = s.Sealer.Seal(in.SoftwareTokenSecret, totpAAD(p.id(), key)), nil, 0
		}
	}
	totp := in.SoftwareTokenEnabled || in.Preferred == model.ChallengeNameTypeSoftwareTokenMfa
	sms := in.SMSEnabled || in.Preferred == model.ChallengeNameTypeSmsMfa
	email := in.EmailEnabled || in.Preferred == model.ChallengeNameTypeEmailOtp
	if totp && (r.TOTP == nil || r.TOTP.Secret == nil) {
		return &SeedFieldError{"SoftwareTokenEnabled", errors.New("the user has no software token: give SoftwareTokenSecret")}
	}
	if phone, _ := r.Get("phone_number"); sms && phone == "" {
		return &SeedFieldError{"SMSEnabled", errors.New("SMS MFA needs the user's phone_number")}
	}
	if email && !r.verified("email") {
		return &SeedFieldError{"EmailEnabled", errors.New("email MFA needs a verified email (email_verified: \"true\")")}
	}
	if r.TOTP != nil {
		r.TOTP.Enabled, r.TOTP.Preferred = totp, in.Preferred == model.ChallengeNameTypeSoftwareTokenMfa
	}
	r.SMSMFA = seedFactor(r.SMSMFA, sms, in.Preferred == model.ChallengeNameTypeSmsMfa)
	r.EmailMFA = seedFactor(r.EmailMFA, email, in.Preferred == model.ChallengeNameTypeEmailOtp)
	return nil
}

func seedFactor(old *MFAFactor, on, pref bool) *MFAFactor {
	if old == nil && !on {
		return nil
	}
	return &MFAFactor{Enabled: on, Preferred: pref}
}

// SeedMFAState returns a stored user's MFA state for export (without the
// secret, which cannot be exported) and whether the user has a software
// token secret.
func SeedMFAState(u store.User) (st SeedMFA, hasSecret bool, err error) {
	r, err := decodeRecord(u)
	if err != nil {
		return st, false, err
	}
	if t := r.TOTP; t != nil {
		hasSecret = t.Secret != nil
		st.SoftwareTokenEnabled = t.Enabled
		if t.Preferred {
			st.Preferred = model.ChallengeNameTypeSoftwareTokenMfa
		}
	}
	if f := r.SMSMFA; f != nil {
		st.SMSEnabled = f.Enabled
		if f.Preferred {
			st.Preferred = model.ChallengeNameTypeSmsMfa
		}
	}
	if f := r.EmailMFA; f != nil {
		st.EmailEnabled = f.Enabled
		if f.Preferred {
			st.Preferred = model.ChallengeNameTypeEmailOtp
		}
	}
	return st, hasSecret, nil
}
