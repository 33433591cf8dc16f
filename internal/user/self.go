package user

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/trigger"
)

// adminScope is the scope an access token needs for the user's own
// operations (GetUser, UpdateUserAttributes, ChangePassword, …).
const adminScope = "aws.cognito.signin.user.admin"

// session is a caller authenticated by an access token.
type session struct {
	claims *token.AccessClaims
	client appClient
	user   store.User
	rec    *Record
}

// authenticate checks an access token the way Cognito does, in the order of
// cognito-behaviour.md §1.9 and §7.9: the token itself (format, signature
// with the pool's key, token_use, expiry), then the user (deleted, disabled),
// revocation, and the scope.
func (s *Service) authenticate(ctx context.Context, raw string) (*session, error) {
	claims, c, err := s.verifyToken(ctx, raw)
	if err != nil {
		return nil, err
	}
	return s.tokenUser(ctx, claims, c)
}

// verifyToken is authenticate's first half: the token itself and its
// still existing app client.
func (s *Service) verifyToken(ctx context.Context, raw string) (*token.AccessClaims, appClient, error) {
	claims, err := s.Tokens.VerifyAccess(ctx, raw)
	if err != nil {
		return nil, appClient{}, err
	}
	c, err := s.client(ctx, claims.ClientID)
	if err != nil && !isAnswer(err) {
		// The store failed: an outage, not a bad token. SDKs retry an
		// InternalErrorException; a token error would sign the user out.
		return nil, appClient{}, err
	}
	if err != nil || c.Record.PoolID != claims.PoolID {
		// A token of a deleted client no longer authenticates anything.
		return nil, appClient{}, notAuthorized("Invalid Access Token")
	}
	return claims, c, nil
}

// tokenUser is authenticate's second half: the token's user, then the
// scope.
func (s *Service) tokenUser(ctx context.Context, claims *token.AccessClaims, c appClient) (*session, error) {
	u, err := s.Store.GetUserBySub(ctx, claims.PoolID, claims.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	if err := checkTokenUser(u, r, claims); err != nil {
		return nil, err
	}
	if !hasAdminScope(claims) {
		return nil, notAuthorized("Access Token does not have required scopes")
	}
	return &session{claims: claims, client: c, user: u, rec: r}, nil
}

// checkTokenUser refuses a token whose user is disabled or that a sign-out
// or RevokeToken revoked.
func checkTokenUser(u store.User, r *Record, claims *token.AccessClaims) error {
	if !u.Enabled {
		return notAuthorized("User is disabled.")
	}
	if revoked(r, claims) {
		return notAuthorized("Access Token has been revoked")
	}
	return nil
}

func hasAdminScope(claims *token.AccessClaims) bool {
	return slices.Contains(strings.Fields(claims.Scope), adminScope)
}

// revoked reports whether a token was revoked by a sign-out after it was
// issued (exact to the millisecond, cognito-behaviour.md §7.17) or by
// RevokeToken of its family.
func revoked(r *Record, claims *token.AccessClaims) bool {
	if r.SignedOutAt != 0 && claims.IssuedAt.UnixMilli() < r.SignedOutAt {
		return true
	}
	_, gone := r.RevokedFamilies[claims.OriginJTI]
	return claims.OriginJTI != "" && gone
}

// GetUser returns the signed-in user, with the attributes the token's app
// client may read.
func (s *Service) GetUser(ctx context.Context, in *model.GetUserRequest) (*model.GetUserResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	list, pref := mfaSettings(sess.rec)
	return &model.GetUserResponse{
		Username:           ptr(sess.user.Username),
		UserAttributes:     apiAttributes(sess.rec.Attributes, sess.client.readable),
		UserMFASettingList: list, PreferredMfaSetting: pref,
	}, nil
}

// DeleteUser deletes the signed-in user.
func (s *Service) DeleteUser(ctx context.Context, in *model.DeleteUserRequest) (struct{}, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, notFound(s.Store.DeleteUser(ctx, sess.user.PoolID, sess.user.Key))
}

// GlobalSignOut revokes every token of the signed-in user.
func (s *Service) GlobalSignOut(ctx context.Context, in *model.GlobalSignOutRequest) (*model.GlobalSignOutResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if _, err := s.update(ctx, sess.client.pool, sess.user.Key, signOut(s.now())); err != nil {
		return nil, err
	}
	return &model.GlobalSignOutResponse{}, nil
}

// ChangePassword changes the signed-in user's password after checking the
// current one.
func (s *Service) ChangePassword(ctx context.Context, in *model.ChangePasswordRequest) (*model.ChangePasswordResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	p := sess.client.pool
	a, _, _, ok, err := s.guess(ctx, p, sess.user.Key, nil, func(_ store.User, r *Record) (bool, error) {
		return s.Passwords.Verify(ctx, r.PasswordHash, deref(in.PreviousPassword))
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notAuthorized("Incorrect username or password.")
	}
	hash, srpSealed, err := s.newCredentials(ctx, p, sess.user.Username, *in.ProposedPassword)
	if err != nil {
		// The previous password was right: it counts as no failure.
		if serr := s.settleAttempt(ctx, p, sess.user.Key, a); serr != nil {
			return nil, serr
		}
		return nil, err
	}
	_, err = s.update(ctx, p, sess.user.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		now := s.now()
		r.PasswordHash, r.SRP, r.PasswordSetAt = hash, srpSealed, now.UnixMilli()
		r.settle(a)
		u.UpdatedAt = now
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, err
	}
	return &model.ChangePasswordResponse{}, nil
}

// newCredentials checks a new password against the pool's policy and
// derives its hash and SRP verifier.
func (s *Service) newCredentials(ctx context.Context, p pool, username, pw string) (string, []byte, error) {
	if err := password.DidNotConform.Check(p.passwordPolicy(), pw); err != nil {
		return "", nil, err
	}
	return s.credentials(ctx, p, username, pw)
}

// recoveryDelivery picks where a forgot-password code goes, following the
// pool's AccountRecoverySetting (by priority) or, without one, Cognito's
// legacy rule: a verified phone number, else a verified email.
func recoveryDelivery(p pool, r *Record) (delivery, bool) {
	var order []string
	if rs := p.Config.AccountRecoverySetting; rs != nil && len(rs.RecoveryMechanisms) > 0 {
		mechs := slices.Clone(rs.RecoveryMechanisms)
		slices.SortFunc(mechs, func(a, b model.RecoveryOptionType) int { return int(deref(a.Priority) - deref(b.Priority)) })
		for _, m := range mechs {
			switch deref(m.Name) {
			case model.RecoveryOptionNameTypeVerifiedEmail:
				order = append(order, "email")
			case model.RecoveryOptionNameTypeVerifiedPhoneNumber:
				order = append(order, "phone_number")
			}
		}
	} else {
		order = []string{"phone_number", "email"}
	}
	for _, attr := range order {
		if !r.verified(attr) {
			continue
		}
		v, _ := r.Get(attr)
		if attr == "email" {
			return delivery{"EMAIL", attr, v}, true
		}
		return delivery{"SMS", attr, v}, true
	}
	return delivery{}, false
}

// ForgotPassword sends a password-reset code.
func (s *Service) ForgotPassword(ctx context.Context, in *model.ForgotPasswordRequest) (*model.ForgotPasswordResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	p := c.pool
	if err := c.checkSecretHash(*in.Username, in.SecretHash); err != nil {
		return nil, err
	}
	start := time.Now()
	u, err := s.lookup(ctx, p, *in.Username)
	if errors.Is(err, store.ErrNotFound) {
		_, _, details, ok, merr := s.migrateUser(ctx, c, *in.Username, "", trigger.UserMigrationForgotPassword, in.ClientMetadata)
		if merr != nil {
			return nil, merr
		}
		if ok {
			return &model.ForgotPasswordResponse{CodeDeliveryDetails: details}, nil
		}
		if c.preventExistenceErrors() {
			return s.simulatedForgotPassword(ctx, p, *in.Username, start)
		}
		return nil, model.Errorf(model.UserNotFoundException, "Username/client id combination not found.")
	}
	if err != nil {
		return nil, err
	}
	cur, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	if _, ok := recoveryDelivery(p, cur); c.preventExistenceErrors() && (!u.Enabled || !ok) {
		// AWS's Managing user existence error responses: a disabled user
		// or one without a verified delivery gets a simulated delivery.
		return s.simulatedForgotPassword(ctx, p, *in.Username, start)
	}
	if !u.Enabled {
		return nil, notAuthorized("User is disabled.")
	}
	var ov *message.Override
	if d, ok := recoveryDelivery(p, cur); ok {
		if err := s.deliverable(d.medium); err != nil {
			return nil, err
		}
		if ov, err = s.customMessage(ctx, p, &c, u, cur, message.ForgotPassword, d.attr, in.ClientMetadata); err != nil {
			return nil, err
		}
	}
	var details *model.CodeDeliveryDetailsType
	_, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		d, ok := recoveryDelivery(p, r)
		if !ok {
			return store.UserChange{}, invalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
		now := s.now()
		if err := checkSendLimit(r, codeForgotPassword, now); err != nil {
			return store.UserChange{}, err
		}
		msg, err := s.newCodeMessage(p, *u, r, codeForgotPassword, forgotCodeTTL, message.ForgotPassword, d, now, ov)
		if err != nil {
			return store.UserChange{}, err
		}
		details = d.details()
		return store.UserChange{Messages: []store.Message{msg}}, nil
	})
	if c.preventExistenceErrors() {
		s.pace.answer(ctx, paceForgotPassword, false, start, err)
	}
	if err != nil {
		return nil, err
	}
	s.kick()
	return &model.ForgotPasswordResponse{CodeDeliveryDetails: details}, nil
}

// simulatedForgotPassword is ForgotPassword's answer for a login that names
// no user it can send to: the send limit of a real user, and delivery
// details to the medium a real user of the pool would be sent to.
func (s *Service) simulatedForgotPassword(ctx context.Context, p pool, login string, start time.Time) (*model.ForgotPasswordResponse, error) {
	err := s.shadowSend(ctx, p, login, codeForgotPassword)
	s.pace.answer(ctx, paceForgotPassword, true, start, err)
	if err != nil {
		return nil, err
	}
	details := s.simulatedDelivery(p, login, p.recoversByPhoneFirst())
	return &model.ForgotPasswordResponse{CodeDeliveryDetails: details}, nil
}

// recoversByPhoneFirst reports whether a pool's first recovery channel is
// the phone: its AccountRecoverySetting's first mechanism, or without one,
// a pool that verifies phone numbers and not email addresses.
func (p pool) recoversByPhoneFirst() bool {
	if rs := p.Config.AccountRecoverySetting; rs != nil && len(rs.RecoveryMechanisms) > 0 {
		first := slices.MinFunc(rs.RecoveryMechanisms, func(a, b model.RecoveryOptionType) int { return int(deref(a.Priority) - deref(b.Priority)) })
		return deref(first.Name) == model.RecoveryOptionNameTypeVerifiedPhoneNumber
	}
	return p.autoVerified("phone_number") && !p.autoVerified("email")
}

// ConfirmForgotPassword sets a new password with a reset code.
func (s *Service) ConfirmForgotPassword(ctx context.Context, in *model.ConfirmForgotPasswordRequest) (*model.ConfirmForgotPasswordResponse, error) {
	start := time.Now()
	c, u, found, err := s.clientUser(ctx, *in.ClientId, *in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	p := c.pool
	if err := password.DoesNotConform.Check(p.passwordPolicy(), *in.Password); err != nil {
		return nil, err
	}
	if !found || (!u.Enabled && c.preventExistenceErrors()) {
		// AWS's Managing user existence error responses: CodeMismatch for
		// a user that does not exist or is disabled.
		err := s.shadowCode(ctx, p, *in.Username, codeForgotPassword)
		s.pace.even(ctx, paceConfirmForgot, true, start)
		return nil, err
	}
	hash, srpSealed, err := s.credentials(ctx, p, u.Username, *in.Password)
	if err != nil {
		return nil, err
	}
	var outcome error
	_, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		outcome = nil
		now := s.now()
		if _, err := checkCode(r, codeForgotPassword, *in.ConfirmationCode, now); err != nil {
			outcome = err // keep the attempt count
			return store.UserChange{}, nil
		}
		r.PasswordHash, r.SRP, r.PasswordSetAt = hash, srpSealed, now.UnixMilli()
		r.resetFailures()
		if u.Status == model.UserStatusTypeResetRequired || u.Status == model.UserStatusTypeForceChangePassword {
			u.Status = model.UserStatusTypeConfirmed
		}
		u.UpdatedAt = now
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, err
	}
	if outcome != nil {
		if c.preventExistenceErrors() && isCodeMismatch(outcome) {
			s.pace.even(ctx, paceConfirmForgot, false, start)
		}
		return nil, outcome
	}
	if err := s.postConfirmation(ctx, p, &c, u.Key, trigger.PostConfirmationConfirmForgotPassword, in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.ConfirmForgotPasswordResponse{}, nil
}

// RevokeToken revokes a refresh token and every access token issued from it
// (its origin_jti family). Texts for its failures are not recorded from AWS
// and are inferred.
func (s *Service) RevokeToken(ctx context.Context, in *model.RevokeTokenRequest) (*model.RevokeTokenResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if secret := deref(c.Config.ClientSecret); secret != "" && deref(in.ClientSecret) != secret {
		return nil, model.Errorf(model.UnauthorizedException, "Client authentication failed.")
	}
	if !deref(c.Config.EnableTokenRevocation) {
		return nil, model.Errorf(model.UnsupportedOperationException, "Token revocation is not enabled for the client %s.", c.Record.ID)
	}
	if strings.Count(*in.Token, ".") == 2 {
		return nil, model.Errorf(model.UnsupportedTokenTypeException, "Only refresh tokens can be revoked.")
	}
	rt, err := s.Store.GetRefreshToken(ctx, c.Record.PoolID, token.HashRefreshToken(*in.Token))
	if errors.Is(err, store.ErrNotFound) {
		// RFC 7009: revoking an unknown token is not an error.
		return &model.RevokeTokenResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	if rt.ClientID != c.Record.ID {
		return nil, model.Errorf(model.UnauthorizedException, "The token was not issued to this client.")
	}
	_, err = s.update(ctx, c.pool, rt.UserKey, func(u *store.User, r *Record) (store.UserChange, error) {
		now := s.now()
		if r.RevokedFamilies == nil {
			r.RevokedFamilies = map[string]int64{}
		}
		for fam, until := range r.RevokedFamilies {
			if until < now.UnixMilli() {
				delete(r.RevokedFamilies, fam) // its tokens have all expired
			}
		}
		// Access tokens of the family can outlive its refresh token by up
		// to a day (the longest access-token lifetime).
		r.RevokedFamilies[rt.OriginJTI] = rt.ExpiresAt.Add(24 * time.Hour).UnixMilli()
		return store.UserChange{RevokeFamilies: []string{rt.OriginJTI}, RevokedAt: now}, nil
	})
	if errors.Is(err, store.ErrNotFound) || isUserNotFound(err) {
		return &model.RevokeTokenResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &model.RevokeTokenResponse{}, nil
}

func isUserNotFound(err error) bool {
	var me *model.Error
	return errors.As(err, &me) && me.Type == model.UserNotFoundException
}
