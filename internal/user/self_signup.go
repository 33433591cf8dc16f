package user

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

// SignUp registers a user through an app client.
func (s *Service) SignUp(ctx context.Context, in *model.SignUpRequest) (*model.SignUpResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	p := c.pool
	if err := c.checkSecretHash(*in.Username, in.SecretHash); err != nil {
		return nil, err
	}
	sub := uuid.NewString()
	username, implied, err := newUsername(p, *in.Username, sub)
	if err != nil {
		return nil, err
	}
	attrs, err := newUserAttributes(p, in.UserAttributes, false, c.writable)
	if err != nil {
		return nil, err
	}
	rec := &Record{Attributes: append([]Attribute{{"sub", sub}}, attrs...)}
	if implied != nil {
		rec.Set(implied.Name, implied.Value)
	}
	if vs := missingRequired(p, rec); len(vs) > 0 {
		return nil, schemaError(vs)
	}
	if in.Password == nil {
		// The model leaves Password optional for passwordless sign-up,
		// which Cognate does not offer yet.
		return nil, invalidParameter("Missing required parameter Password")
	}
	if err := password.DidNotConform.Check(p.passwordPolicy(), *in.Password); err != nil {
		return nil, err
	}
	hash, srpSealed, err := s.credentials(ctx, p, username, *in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rec.PasswordHash, rec.SRP, rec.PasswordSetAt = hash, srpSealed, now.UnixMilli()
	u := store.User{
		PoolID: p.id(), Key: p.fold(username), Username: username, Sub: sub,
		Status: model.UserStatusTypeUnconfirmed, Enabled: true, CreatedAt: now, UpdatedAt: now,
	}
	pre, err := s.preSignUp(ctx, p, &c, u, rec, trigger.PreSignUpSignUp, in.ValidationData, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	if pre.AutoConfirmUser {
		// Confirmed by the function: no code is sent. autoVerifyEmail and
		// autoVerifyPhone take effect only with autoConfirmUser; an
		// unconfirmed user verifies its attribute with the code.
		u.Status = model.UserStatusTypeConfirmed
		autoVerify(rec, pre)
	}
	change := store.UserChange{}
	var details *model.CodeDeliveryDetailsType
	if d, ok := signUpDelivery(p, rec); ok && !pre.AutoConfirmUser {
		if err := s.deliverable(d.medium); err != nil {
			return nil, err
		}
		ov, err := s.customMessage(ctx, p, &c, u, rec, message.SignUp, d.attr, in.ClientMetadata)
		if err != nil {
			return nil, err
		}
		msg, err := s.newCodeMessage(p, u, rec, codeSignUp, signUpCodeTTL, message.SignUp, d, now, ov)
		if err != nil {
			return nil, err
		}
		change.Messages = append(change.Messages, msg)
		details = d.details()
	}
	if err := s.finish(p, &u, rec); err != nil {
		return nil, err
	}
	change.User = u
	if err := s.Store.CreateUser(ctx, change); err != nil {
		return nil, conflictError(err, p, "User already exists")
	}
	s.kick()
	return &model.SignUpResponse{UserConfirmed: ptr(pre.AutoConfirmUser), CodeDeliveryDetails: details, UserSub: ptr(sub)}, nil
}

// ConfirmSignUp confirms a user with the code sent at sign-up.
func (s *Service) ConfirmSignUp(ctx context.Context, in *model.ConfirmSignUpRequest) (*model.ConfirmSignUpResponse, error) {
	start := time.Now()
	c, u, found, err := s.clientUser(ctx, *in.ClientId, *in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	p := c.pool
	if !found {
		err := s.shadowCode(ctx, p, *in.Username, codeSignUp)
		s.pace.even(ctx, paceConfirmSignUp, true, start)
		return nil, err
	}
	cur, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	confirmed := cloneRecord(cur)
	for _, attr := range []string{"email", "phone_number"} {
		if _, ok := confirmed.Get(attr); ok {
			confirmed.Set(attr+"_verified", "true")
		}
	}
	var outcome error
	err = s.forceAlias(ctx, p, deref(in.ForceAliasCreation), func() map[string]string { return p.aliases(confirmed) }, u.Key, func() error {
		_, err := s.Store.UpdateUser(ctx, p.id(), u.Key, s.confirmSignUp(p, *in.ConfirmationCode, &outcome))
		return err
	})
	if err != nil {
		return nil, aliasOnVerify(err)
	}
	if outcome != nil {
		if c.preventExistenceErrors() && isCodeMismatch(outcome) {
			s.pace.even(ctx, paceConfirmSignUp, false, start)
		}
		return nil, outcome
	}
	if err := s.postConfirmation(ctx, p, &c, u.Key, trigger.PostConfirmationConfirmSignUp, in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.ConfirmSignUpResponse{}, nil
}

// confirmSignUp is ConfirmSignUp's updater; a wrong code is recorded (the
// attempt counts) and reported through outcome.
func (s *Service) confirmSignUp(p pool, code string, outcome *error) func(store.User) (store.UserChange, error) {
	return func(u store.User) (store.UserChange, error) {
		*outcome = nil
		if u.Status != model.UserStatusTypeUnconfirmed {
			return store.UserChange{}, notAuthorized("User cannot be confirmed. Current status is %s", u.Status)
		}
		r, err := decodeRecord(u)
		if err != nil {
			return store.UserChange{}, err
		}
		now := s.now()
		c, err := checkCode(r, codeSignUp, code, now)
		if err != nil {
			// Count the wrong attempt, then fail.
			*outcome = err
		} else {
			u.Status = model.UserStatusTypeConfirmed
			if c.Attr != "" {
				r.Set(c.Attr+"_verified", "true")
			}
		}
		u.UpdatedAt = now
		if err := s.finish(p, &u, r); err != nil {
			return store.UserChange{}, err
		}
		return store.UserChange{User: u}, nil
	}
}

// ResendConfirmationCode sends a new sign-up code.
func (s *Service) ResendConfirmationCode(ctx context.Context, in *model.ResendConfirmationCodeRequest) (*model.ResendConfirmationCodeResponse, error) {
	start := time.Now()
	c, u, found, err := s.clientUser(ctx, *in.ClientId, *in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	p := c.pool
	if !found || (!u.Enabled && c.preventExistenceErrors()) {
		// AWS's Managing user existence error responses: delivery details
		// for a user that does not exist or is disabled.
		if !p.autoVerified("email") && !p.autoVerified("phone_number") {
			return nil, invalidParameter("Cannot resend codes. Auto verification not turned on.")
		}
		err := s.shadowSend(ctx, p, *in.Username, codeSignUp)
		s.pace.answer(ctx, paceResendCode, true, start, err)
		if err != nil {
			return nil, err
		}
		details := s.simulatedDelivery(p, *in.Username, p.autoVerified("phone_number"))
		return &model.ResendConfirmationCodeResponse{CodeDeliveryDetails: details}, nil
	}
	cur, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	var ov *message.Override
	if d, ok := signUpDelivery(p, cur); ok && u.Status == model.UserStatusTypeUnconfirmed {
		if err := s.deliverable(d.medium); err != nil {
			return nil, err
		}
		if ov, err = s.customMessage(ctx, p, &c, u, cur, message.ResendCode, d.attr, in.ClientMetadata); err != nil {
			return nil, err
		}
	}
	var details *model.CodeDeliveryDetailsType
	_, err = s.Store.UpdateUser(ctx, p.id(), u.Key, func(u store.User) (store.UserChange, error) {
		if u.Status != model.UserStatusTypeUnconfirmed {
			return store.UserChange{}, invalidParameter("User is already confirmed.")
		}
		r, err := decodeRecord(u)
		if err != nil {
			return store.UserChange{}, err
		}
		d, ok := signUpDelivery(p, r)
		if !ok {
			return store.UserChange{}, invalidParameter("Cannot resend codes. Auto verification not turned on.")
		}
		now := s.now()
		if err := checkSendLimit(r, codeSignUp, now); err != nil {
			return store.UserChange{}, err
		}
		msg, err := s.newCodeMessage(p, u, r, codeSignUp, signUpCodeTTL, message.ResendCode, d, now, ov)
		if err != nil {
			return store.UserChange{}, err
		}
		details = d.details()
		u.UpdatedAt = now
		if err := s.finish(p, &u, r); err != nil {
			return store.UserChange{}, err
		}
		return store.UserChange{User: u, Messages: []store.Message{msg}}, nil
	})
	if c.preventExistenceErrors() {
		s.pace.answer(ctx, paceResendCode, false, start, err)
	}
	if err != nil {
		return nil, err
	}
	s.kick()
	return &model.ResendConfirmationCodeResponse{CodeDeliveryDetails: details}, nil
}
