package user

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

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
