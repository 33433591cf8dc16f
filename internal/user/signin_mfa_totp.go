package user

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

const totpStep = 30

func totpAAD(poolID, key string) []byte { return []byte("cognate/totp/v1|" + poolID + "|" + key) }

// totpCode is the six-digit code of a secret for a time step (RFC 4226).
func totpCode(secret []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// checkTOTP returns the step a code matches, within one step of now and
// after the last step used, or 0; a code of a step already used is
// errTOTPReused.
func (s *Service) checkTOTP(sealed []byte, poolID, key, code string, last int64) (int64, error) {
	secret, err := s.Sealer.Open(sealed, totpAAD(poolID, key))
	if err != nil {
		return 0, err
	}
	if len(code) != 6 {
		return 0, nil
	}
	now := s.now().Unix() / totpStep
	reused := false
	for step := now - 1; step <= now+1; step++ {
		if subtle.ConstantTimeCompare([]byte(totpCode(secret, step)), []byte(code)) == 1 {
			if step > last {
				return step, nil
			}
			reused = true
		}
	}
	if reused {
		return 0, errTOTPReused()
	}
	return 0, nil
}

// errTOTPReused is Cognito's answer for a code that was already accepted
// (cognito-behaviour.md §8.11: moto's aws_verified MFA tests wait for a
// fresh code on AWS for this reason).
func errTOTPReused() *model.Error {
	return model.Errorf(model.ExpiredCodeException, "Your software token has already been used once.")
}

func totpNotFound() *model.Error {
	return model.Errorf(model.SoftwareTokenMFANotFoundException, "Software Token MFA does not exist for the user.")
}

// mfaUser finds the user of an AssociateSoftwareToken or VerifySoftwareToken
// call: by access token, or by a Session of the MFA_SETUP challenge.
func (s *Service) mfaUser(ctx context.Context, accessToken, session *string) (pool, string, *sessionState, error) {
	if accessToken != nil {
		sess, err := s.authenticate(ctx, *accessToken)
		if err != nil {
			return pool{}, "", nil, err
		}
		return sess.client.pool, sess.user.Key, nil, nil
	}
	if session == nil {
		return pool{}, "", nil, invalidParameter("Invalid Parameter Provided: Either AccessToken or Session is required")
	}
	st, err := s.openAnySession(ctx, *session, model.ChallengeNameTypeMfaSetup)
	if err != nil {
		return pool{}, "", nil, err
	}
	c, err := s.client(ctx, st.Client)
	if err != nil {
		return pool{}, "", nil, err
	}
	return c.pool, st.UserKey, &st, nil
}

// openAnySession opens a Session without knowing its client beforehand.
func (s *Service) openAnySession(ctx context.Context, raw, challenge string) (sessionState, error) {
	bad := notAuthorized("Invalid session for the user.")
	st, err := s.peekSession(raw)
	if err != nil {
		return sessionState{}, bad
	}
	c, err := s.client(ctx, st.Client)
	if err != nil && !isAnswer(err) {
		return sessionState{}, err // an outage, not a bad session
	}
	if err != nil {
		return sessionState{}, bad
	}
	return s.openSession(raw, c, challenge)
}

// AssociateSoftwareToken gives the user a new TOTP secret, pending until
// VerifySoftwareToken.
func (s *Service) AssociateSoftwareToken(ctx context.Context, in *model.AssociateSoftwareTokenRequest) (*model.AssociateSoftwareTokenResponse, error) {
	p, key, st, err := s.mfaUser(ctx, in.AccessToken, in.Session)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 20)
	if _, err := io.ReadFull(s.rand(), secret); err != nil {
		return nil, err
	}
	sealed := s.Sealer.Seal(secret, totpAAD(p.id(), key))
	if _, err := s.update(ctx, p, key, func(u *store.User, r *Record) (store.UserChange, error) {
		if r.TOTP == nil {
			r.TOTP = &TOTP{}
		}
		r.TOTP.Pending = sealed
		return store.UserChange{}, nil
	}); err != nil {
		return nil, notFound(err)
	}
	out := &model.AssociateSoftwareTokenResponse{SecretCode: ptr(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret))}
	if st != nil {
		next, err := s.sealSession(*st)
		if err != nil {
			return nil, err
		}
		out.Session = ptr(next)
	}
	return out, nil
}

// VerifySoftwareToken checks a code of the pending secret, which becomes the
// user's software token.
func (s *Service) VerifySoftwareToken(ctx context.Context, in *model.VerifySoftwareTokenRequest) (*model.VerifySoftwareTokenResponse, error) {
	p, key, st, err := s.mfaUser(ctx, in.AccessToken, in.Session)
	if err != nil {
		return nil, err
	}
	_, err = s.update(ctx, p, key, func(u *store.User, r *Record) (store.UserChange, error) {
		if r.TOTP == nil || r.TOTP.Pending == nil {
			return store.UserChange{}, totpNotFound()
		}
		step, err := s.checkTOTP(r.TOTP.Pending, p.id(), key, *in.UserCode, 0)
		if err != nil {
			return store.UserChange{}, err
		}
		if step == 0 {
			// A real response in aws-samples/aws-amplify-auth-starters#15.
			return store.UserChange{}, model.Errorf(model.EnableSoftwareTokenMFAException, "Code mismatch and fail enable Software Token MFA")
		}
		r.TOTP.Secret, r.TOTP.Pending, r.TOTP.LastStep = r.TOTP.Pending, nil, step
		if st != nil {
			// Verified within MFA_SETUP, the token is the user's factor
			// from now on: if the challenge is left unanswered, the next
			// sign-in asks SOFTWARE_TOKEN_MFA (cognito-behaviour.md §8.10,
			// moto's aws_verified test_user_authentication_flow_mfa_on).
			r.TOTP.Enabled, r.TOTP.Preferred = true, true
			clearPreferred(r, model.ChallengeNameTypeSoftwareTokenMfa)
		}
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, notFound(err)
	}
	out := &model.VerifySoftwareTokenResponse{Status: ptr(model.VerifySoftwareTokenResponseTypeSuccess)}
	if st != nil {
		st.Verified = true
		next, err := s.sealSession(*st)
		if err != nil {
			return nil, err
		}
		out.Session = ptr(next)
	}
	return out, nil
}

// setTOTPPreference applies SoftwareTokenMfaSettings.
func (s *Service) setTOTPPreference(ctx context.Context, p pool, key string, set *model.SoftwareTokenMfaSettingsType) error {
	if set == nil {
		return nil
	}
	_, err := s.update(ctx, p, key, func(u *store.User, r *Record) (store.UserChange, error) {
		on, pref := deref(set.Enabled), deref(set.PreferredMfa)
		if (on || pref) && (r.TOTP == nil || r.TOTP.Secret == nil) {
			return store.UserChange{}, invalidParameter("User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
		}
		if r.TOTP == nil {
			return store.UserChange{}, nil
		}
		r.TOTP.Enabled, r.TOTP.Preferred = on || pref, pref
		if pref {
			clearPreferred(r, model.ChallengeNameTypeSoftwareTokenMfa)
		}
		return store.UserChange{}, nil
	})
	return notFound(err)
}

// SetUserMFAPreference sets the signed-in user's MFA preference.
func (s *Service) SetUserMFAPreference(ctx context.Context, in *model.SetUserMFAPreferenceRequest) (*model.SetUserMFAPreferenceResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.setTOTPPreference(ctx, sess.client.pool, sess.user.Key, in.SoftwareTokenMfaSettings); err != nil {
		return nil, err
	}
	if err := s.setFactorPreferences(ctx, sess.client.pool, sess.user.Key, in.SMSMfaSettings, in.EmailMfaSettings); err != nil {
		return nil, err
	}
	return &model.SetUserMFAPreferenceResponse{}, nil
}

// AdminSetUserMFAPreference sets a user's MFA preference.
func (s *Service) AdminSetUserMFAPreference(ctx context.Context, in *model.AdminSetUserMFAPreferenceRequest) (*model.AdminSetUserMFAPreferenceResponse, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if err := s.setTOTPPreference(ctx, p, u.Key, in.SoftwareTokenMfaSettings); err != nil {
		return nil, err
	}
	if err := s.setFactorPreferences(ctx, p, u.Key, in.SMSMfaSettings, in.EmailMfaSettings); err != nil {
		return nil, err
	}
	return &model.AdminSetUserMFAPreferenceResponse{}, nil
}

// mfaSettings is UserMFASettingList and PreferredMfaSetting of GetUser.
func mfaSettings(r *Record) ([]string, *string) {
	var list []string
	var pref *string
	add := func(on, preferred bool, name string) {
		if on {
			list = append(list, name)
			if preferred {
				pref = ptr(name)
			}
		}
	}
	if t := r.TOTP; t != nil {
		add(t.Enabled, t.Preferred, model.ChallengeNameTypeSoftwareTokenMfa)
	}
	if f := r.SMSMFA; f != nil {
		add(f.Enabled, f.Preferred, model.ChallengeNameTypeSmsMfa)
	}
	if f := r.EmailMFA; f != nil {
		add(f.Enabled, f.Preferred, model.ChallengeNameTypeEmailOtp)
	}
	return list, pref
}

// softwareTokenMFA answers SOFTWARE_TOKEN_MFA with the current code.
func (s *Service) softwareTokenMFA(ctx context.Context, c appClient, resp map[string]string, session string, meta map[string]string) (*authResult, error) {
	st, err := s.openSession(session, c, model.ChallengeNameTypeSoftwareTokenMfa)
	if err != nil {
		return nil, err
	}
	code, err := param(resp, "SOFTWARE_TOKEN_MFA_CODE")
	if err != nil {
		return nil, err
	}
	if err := s.challengeSecretHash(ctx, c, resp, st); err != nil {
		return nil, err
	}
	p := c.pool
	var outcome error
	u, err := s.update(ctx, p, st.UserKey, func(u *store.User, r *Record) (store.UserChange, error) {
		outcome = nil
		if !u.Enabled {
			return store.UserChange{}, notAuthorized("User is disabled.")
		}
		// Wrong codes count as failed sign-ins in this same transaction, so
		// a session cannot be used to try codes without limit, however many
		// are sent at once.
		if err := s.checkLockout(r); err != nil {
			return store.UserChange{}, err
		}
		if r.TOTP == nil || r.TOTP.Secret == nil {
			return store.UserChange{}, totpNotFound()
		}
		step, err := s.checkTOTP(r.TOTP.Secret, p.id(), u.Key, code, r.TOTP.LastStep)
		if err != nil {
			return store.UserChange{}, err
		}
		if step == 0 {
			// A wrong SOFTWARE_TOKEN_MFA code. The text is amplify-js's
			// INVALID_MFA_CODE (packages/auth/src/common/AuthErrorStrings.ts,
			// aws-amplify/amplify-js), which apps match against; no raw
			// TOTP response was found. SMS_MFA answers differently
			// (codeMFAResponse).
			s.countFailure(r)
			outcome = model.Errorf(model.CodeMismatchException, "Invalid code received for user")
			return store.UserChange{}, nil
		}
		r.TOTP.LastStep = step
		r.resetFailures() // the sign-in is proved in this transaction
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, notFound(err)
	}
	if outcome != nil {
		return nil, outcome
	}
	if err := s.postAuthentication(ctx, c, u.Key, meta); err != nil {
		return nil, err
	}
	return s.signIn(ctx, c, u.Key, trigger.TokenGenerationAuthentication, meta)
}

// mfaSetup answers MFA_SETUP once VerifySoftwareToken has verified a
// secret: the software token becomes the user's preferred MFA.
func (s *Service) mfaSetup(ctx context.Context, c appClient, resp map[string]string, session string, meta map[string]string) (*authResult, error) {
	st, err := s.openSession(session, c, model.ChallengeNameTypeMfaSetup)
	if err != nil {
		return nil, err
	}
	if err := s.challengeSecretHash(ctx, c, resp, st); err != nil {
		return nil, err
	}
	u, err := s.update(ctx, c.pool, st.UserKey, func(u *store.User, r *Record) (store.UserChange, error) {
		if !u.Enabled {
			return store.UserChange{}, notAuthorized("User is disabled.")
		}
		// The secret must have been verified in this sign-in: one verified
		// earlier and since turned off proves nothing about the caller, who
		// so far has shown only the password.
		if !st.Verified || r.TOTP == nil || r.TOTP.Secret == nil {
			return store.UserChange{}, totpNotFound()
		}
		r.TOTP.Enabled, r.TOTP.Preferred = true, true
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, notFound(err)
	}
	if err := s.postAuthentication(ctx, c, u.Key, meta); err != nil {
		return nil, err
	}
	return s.signIn(ctx, c, u.Key, trigger.TokenGenerationAuthentication, meta)
}
