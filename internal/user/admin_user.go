package user

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

// AdminCreateUser creates a user with a temporary password and, unless
// suppressed, sends the invitation.
func (s *Service) AdminCreateUser(ctx context.Context, in *model.AdminCreateUserRequest) (*model.AdminCreateUserResponse, error) {
	p, err := s.pool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	action := deref(in.MessageAction)
	if action == model.MessageActionTypeResend {
		return s.resendInvitation(ctx, p, in)
	}
	sub := uuid.NewString()
	username, implied, err := newUsername(p, *in.Username, sub)
	if err != nil {
		return nil, err
	}
	attrs, err := newUserAttributes(p, in.UserAttributes, true, nil)
	if err != nil {
		return nil, err
	}
	rec := &Record{Attributes: append([]Attribute{{"sub", sub}}, attrs...)}
	if implied != nil {
		rec.Set(implied.Name, implied.Value)
	}
	temp, err := s.temporaryPassword(p, in.TemporaryPassword)
	if err != nil {
		return nil, err
	}
	var deliveries []delivery
	if action != model.MessageActionTypeSuppress {
		if deliveries, err = inviteDeliveries(rec, in.DesiredDeliveryMediums); err != nil {
			return nil, err
		}
	}
	hash, srpSealed, err := s.credentials(ctx, p, username, temp)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rec.PasswordHash, rec.SRP, rec.PasswordSetAt = hash, srpSealed, now.UnixMilli()
	u := store.User{
		PoolID: p.id(), Key: p.fold(username), Username: username, Sub: sub,
		Status: model.UserStatusTypeForceChangePassword, Enabled: true, CreatedAt: now, UpdatedAt: now,
	}
	// PreSignUp_AdminCreateUser: the user is created in
	// FORCE_CHANGE_PASSWORD whatever autoConfirmUser says; autoVerifyEmail
	// and autoVerifyPhone mark the attributes verified.
	pre, err := s.preSignUp(ctx, p, nil, u, rec, trigger.PreSignUpAdminCreateUser, in.ValidationData, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	autoVerify(rec, pre)
	change := store.UserChange{}
	for _, d := range deliveries {
		if err := s.deliverable(d.medium); err != nil {
			return nil, err
		}
		ov, err := s.customMessage(ctx, p, nil, u, rec, message.AdminCreateUser, d.attr, in.ClientMetadata)
		if err != nil {
			return nil, err
		}
		msg, err := s.invitation(p, u, d, temp, now, ov)
		if err != nil {
			return nil, err
		}
		change.Messages = append(change.Messages, msg)
	}
	if err := s.finish(p, &u, rec); err != nil {
		return nil, err
	}
	change.User = u
	err = s.forceAlias(ctx, p, deref(in.ForceAliasCreation), func() map[string]string { return u.Aliases }, u.Key, func() error {
		return s.Store.CreateUser(ctx, change)
	})
	if err != nil {
		return nil, conflictError(err, p, "User account already exists")
	}
	if len(change.Messages) > 0 {
		s.kick()
	}
	out := userType(u, rec, nil)
	return &model.AdminCreateUserResponse{User: &out}, nil
}

// temporaryPassword checks a given temporary password against the policy or
// generates one that satisfies it.
func (s *Service) temporaryPassword(p pool, given *string) (string, error) {
	if given != nil {
		if err := password.DidNotConformPasswordPolicy.Check(p.passwordPolicy(), *given); err != nil {
			return "", err
		}
		return *given, nil
	}
	return password.Generate(p.passwordPolicy(), s.rand())
}

// inviteDeliveries returns where the invitation goes: one delivery per
// requested medium. A medium named in DesiredDeliveryMediums needs its
// attribute; the default (SMS, when the request names none) sends nothing
// to a user without a phone number, who is still created (cognito-behaviour.md
// §8.1: moto's aws_verified tests create users by username alone).
func inviteDeliveries(r *Record, requested []string) ([]delivery, error) {
	explicit := len(requested) > 0
	mediums := requested
	if !explicit {
		mediums = []string{model.DeliveryMediumTypeSms}
	}
	var out []delivery
	if slices.Contains(mediums, model.DeliveryMediumTypeEmail) {
		if v, ok := r.Get("email"); ok && v != "" {
			out = append(out, delivery{"EMAIL", "email", v})
		} else {
			// AWS's text, recorded with DesiredDeliveryMediums [EMAIL, SMS]
			// for a user with a phone number only
			// (rahulpsd18/cognito-backup-restore#25): EMAIL is checked first.
			return nil, invalidParameter("No email provided but desired delivery medium was Email")
		}
	}
	if slices.Contains(mediums, model.DeliveryMediumTypeSms) {
		if v, ok := r.Get("phone_number"); ok && v != "" {
			out = append(out, delivery{"SMS", "phone_number", v})
		} else if explicit {
			// Text inferred from the email one: no recorded response.
			return nil, invalidParameter("No phone_number provided but desired delivery medium was Sms")
		}
	}
	return out, nil
}

func (s *Service) invitation(p pool, u store.User, d delivery, temp string, now time.Time, ov *message.Override) (store.Message, error) {
	id, err := message.NewID(now, s.rand())
	if err != nil {
		return store.Message{}, err
	}
	return message.Compose(message.Params{
		ID:                id,
		PoolID:            p.id(),
		UserKey:           u.Key,
		Username:          u.Username,
		Pool:              &p.Config,
		Kind:              message.AdminCreateUser,
		Medium:            d.medium,
		Destination:       d.dest,
		AttributeName:     d.attr,
		TemporaryPassword: temp,
		Now:               now,
		Override:          ov,
		Sealer:            s.Sealer,
		PublicURL:         s.PublicURL,
	})
}

// resendInvitation is AdminCreateUser with MessageAction RESEND: a new
// temporary password for a user who has not signed in yet.
func (s *Service) resendInvitation(ctx context.Context, p pool, in *model.AdminCreateUserRequest) (*model.AdminCreateUserResponse, error) {
	u, err := s.lookup(ctx, p, *in.Username)
	if err != nil {
		return nil, notFound(err)
	}
	if u.Status != model.UserStatusTypeForceChangePassword {
		return nil, model.Errorf(model.UnsupportedUserStateException, "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD", u.Username)
	}
	temp, err := s.temporaryPassword(p, in.TemporaryPassword)
	if err != nil {
		return nil, err
	}
	hash, srpSealed, err := s.credentials(ctx, p, u.Username, temp)
	if err != nil {
		return nil, err
	}
	cur, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	planned, err := inviteDeliveries(cur, in.DesiredDeliveryMediums)
	if err != nil {
		return nil, err
	}
	overrides := map[string]*message.Override{}
	for _, d := range planned {
		if err := s.deliverable(d.medium); err != nil {
			return nil, err
		}
		if overrides[d.attr], err = s.customMessage(ctx, p, nil, u, cur, message.AdminCreateUser, d.attr, in.ClientMetadata); err != nil {
			return nil, err
		}
	}
	var rec *Record
	u, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		deliveries, err := inviteDeliveries(r, in.DesiredDeliveryMediums)
		if err != nil {
			return store.UserChange{}, err
		}
		now := s.now()
		r.PasswordHash, r.SRP, r.PasswordSetAt = hash, srpSealed, now.UnixMilli()
		u.UpdatedAt = now
		var change store.UserChange
		for _, d := range deliveries {
			msg, err := s.invitation(p, *u, d, temp, now, overrides[d.attr])
			if err != nil {
				return store.UserChange{}, err
			}
			change.Messages = append(change.Messages, msg)
		}
		rec = r
		return change, nil
	})
	if err != nil {
		return nil, err
	}
	s.kick()
	out := userType(u, rec, nil)
	return &model.AdminCreateUserResponse{User: &out}, nil
}

// AdminConfirmSignUp confirms a user without a code.
func (s *Service) AdminConfirmSignUp(ctx context.Context, in *model.AdminConfirmSignUpRequest) (*model.AdminConfirmSignUpResponse, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	_, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		if u.Status != model.UserStatusTypeUnconfirmed {
			return store.UserChange{}, notAuthorized("User cannot be confirmed. Current status is %s", u.Status)
		}
		u.Status = model.UserStatusTypeConfirmed
		delete(r.Codes, codeSignUp)
		u.UpdatedAt = s.now()
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.postConfirmation(ctx, p, nil, u.Key, trigger.PostConfirmationConfirmSignUp, in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.AdminConfirmSignUpResponse{}, nil
}

// AdminGetUser returns a user with every attribute.
func (s *Service) AdminGetUser(ctx context.Context, in *model.AdminGetUserRequest) (*model.AdminGetUserResponse, error) {
	_, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	list, pref := mfaSettings(r)
	return &model.AdminGetUserResponse{
		Username:             ptr(u.Username),
		UserAttributes:       apiAttributes(r.Attributes, nil),
		UserCreateDate:       model.NewTime(u.CreatedAt),
		UserLastModifiedDate: model.NewTime(u.UpdatedAt),
		Enabled:              ptr(u.Enabled),
		UserStatus:           ptr(u.Status),
		UserMFASettingList:   list, PreferredMfaSetting: pref,
	}, nil
}

// AdminDeleteUser deletes a user and their refresh tokens.
func (s *Service) AdminDeleteUser(ctx context.Context, in *model.AdminDeleteUserRequest) (struct{}, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, notFound(s.Store.DeleteUser(ctx, p.id(), u.Key))
}

// AdminDisableUser disables a user and revokes their tokens.
func (s *Service) AdminDisableUser(ctx context.Context, in *model.AdminDisableUserRequest) (*model.AdminDisableUserResponse, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	_, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		now := s.now()
		u.Enabled = false
		u.UpdatedAt = now
		r.SignedOutAt = now.UnixMilli()
		return store.UserChange{RevokeAllRefreshTokens: true, RevokedAt: now}, nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminDisableUserResponse{}, nil
}

// AdminEnableUser enables a user; tokens revoked by the disable stay revoked.
func (s *Service) AdminEnableUser(ctx context.Context, in *model.AdminEnableUserRequest) (*model.AdminEnableUserResponse, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	_, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		u.Enabled = true
		u.UpdatedAt = s.now()
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminEnableUserResponse{}, nil
}

// AdminSetUserPassword sets a permanent password (confirming the user) or a
// temporary one (FORCE_CHANGE_PASSWORD).
func (s *Service) AdminSetUserPassword(ctx context.Context, in *model.AdminSetUserPasswordRequest) (*model.AdminSetUserPasswordResponse, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if err := password.DoesNotConform.Check(p.passwordPolicy(), *in.Password); err != nil {
		return nil, err
	}
	hash, srpSealed, err := s.credentials(ctx, p, u.Username, *in.Password)
	if err != nil {
		return nil, err
	}
	permanent := deref(in.Permanent)
	_, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		now := s.now()
		r.PasswordHash, r.SRP, r.PasswordSetAt = hash, srpSealed, now.UnixMilli()
		r.resetFailures()
		if permanent {
			u.Status = model.UserStatusTypeConfirmed
		} else {
			u.Status = model.UserStatusTypeForceChangePassword
		}
		u.UpdatedAt = now
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminSetUserPasswordResponse{}, nil
}

// AdminResetUserPassword marks the password for reset and sends a
// forgot-password code to the user's verified email or phone.
func (s *Service) AdminResetUserPassword(ctx context.Context, in *model.AdminResetUserPasswordRequest) (*model.AdminResetUserPasswordResponse, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, resetDisabled()
	}
	cur, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	var ov *message.Override
	if d, ok := recoveryDelivery(p, cur); ok {
		if err := s.deliverable(d.medium); err != nil {
			return nil, err
		}
		if ov, err = s.customMessage(ctx, p, nil, u, cur, message.ForgotPassword, d.attr, in.ClientMetadata); err != nil {
			return nil, err
		}
	}
	_, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		if !u.Enabled {
			return store.UserChange{}, resetDisabled()
		}
		now := s.now()
		u.Status = model.UserStatusTypeResetRequired
		u.UpdatedAt = now
		d, ok := recoveryDelivery(p, r)
		if !ok {
			// Nothing to send the code to: the user stays RESET_REQUIRED
			// until an administrator sets a password.
			return store.UserChange{}, nil
		}
		msg, err := s.newCodeMessage(p, *u, r, codeForgotPassword, forgotCodeTTL, message.ForgotPassword, d, now, ov)
		if err != nil {
			return store.UserChange{}, err
		}
		return store.UserChange{Messages: []store.Message{msg}}, nil
	})
	if err != nil {
		return nil, err
	}
	s.kick()
	return &model.AdminResetUserPasswordResponse{}, nil
}

// resetDisabled is AdminResetUserPassword's answer for a disabled user,
// recorded without a full stop (amazon-archives/amazon-cognito-identity-js#373),
// unlike sign-in's "User is disabled.".
func resetDisabled() *model.Error { return notAuthorized("User is disabled") }

// AdminUserGlobalSignOut revokes every token of a user.
func (s *Service) AdminUserGlobalSignOut(ctx context.Context, in *model.AdminUserGlobalSignOutRequest) (*model.AdminUserGlobalSignOutResponse, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if _, err := s.update(ctx, p, u.Key, signOut(s.now())); err != nil {
		return nil, err
	}
	return &model.AdminUserGlobalSignOutResponse{}, nil
}

// signOut revokes every access and refresh token issued before now.
func signOut(now time.Time) func(u *store.User, r *Record) (store.UserChange, error) {
	return func(u *store.User, r *Record) (store.UserChange, error) {
		r.SignedOutAt = now.UnixMilli()
		return store.UserChange{RevokeAllRefreshTokens: true, RevokedAt: now}, nil
	}
}
