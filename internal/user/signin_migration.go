package user

import (
	"context"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

// migrateUser runs the pool's UserMigration trigger, if any, for a login
// that matched no user, and creates the user it answers with in one store
// transaction. pw is the password of USER_PASSWORD_AUTH (empty for
// ForgotPassword, where the user gets an unusable random password, is
// created RESET_REQUIRED and is sent the reset code in the same
// transaction). ok is false when there is no trigger or the function
// answered without a user; nothing is then written. A failing function
// writes nothing either.
//
// Cognate sends no welcome message for a migrated user: messageAction and
// desiredDeliveryMediums are checked, not acted on.
func (s *Service) migrateUser(ctx context.Context, c appClient, login, pw, source string, meta map[string]string) (u store.User, rec *Record, details *model.CodeDeliveryDetailsType, ok bool, err error) {
	p := c.pool
	arn := s.triggerARN(p, func(lc *model.LambdaConfigType) *string { return lc.UserMigration })
	if arn == "" {
		return u, nil, nil, false, nil
	}
	resp, err := s.Triggers.UserMigration(ctx, arn, trigger.UserMigrationRequest{
		Region: regionOf(p.id()), PoolID: p.id(), ClientID: c.Record.ID, UserName: login,
		TriggerSource: source, Password: pw, ClientMetadata: meta,
	})
	if err != nil || !resp.Migrated() {
		return u, nil, nil, false, err
	}
	sub := uuid.NewString()
	username, implied, err := newUsername(p, login, sub)
	if err != nil {
		return u, nil, nil, false, err
	}
	var given []model.AttributeType
	for name, value := range resp.UserAttributes {
		if name == "sub" || name == "username" {
			continue
		}
		given = append(given, model.AttributeType{Name: ptr(name), Value: ptr(value)})
	}
	attrs, err := newUserAttributes(p, given, true, nil)
	if err != nil {
		// The Knowledge Center records a schema refusal of a migrated user
		// as UserNotFoundException with the schema text.
		if me, ok := err.(*model.Error); ok && me.Type == model.InvalidParameterException {
			return u, nil, nil, false, model.Errorf(model.UserNotFoundException, "%s", me.Message)
		}
		return u, nil, nil, false, err
	}
	rec = &Record{Attributes: append([]Attribute{{"sub", sub}}, attrs...)}
	if implied != nil {
		rec.Set(implied.Name, implied.Value)
	}
	if resp.EnableSMSMFA {
		// As AdminSetUserMFAPreference would: SMS needs a phone number.
		if _, ok := rec.Get("phone_number"); !ok {
			// Text inferred.
			return u, nil, nil, false, trigger.MigrationError("enableSMSMFA needs a phone_number attribute")
		}
		rec.SMSMFA = &MFAFactor{Enabled: true}
	}
	status := model.UserStatusTypeConfirmed
	if resp.FinalUserStatus == model.UserStatusTypeResetRequired || source == trigger.UserMigrationForgotPassword {
		status = model.UserStatusTypeResetRequired
	}
	if pw == "" {
		if pw, err = password.Generate(p.passwordPolicy(), s.rand()); err != nil {
			return u, nil, nil, false, err
		}
	}
	hash, srpSealed, err := s.credentials(ctx, p, username, pw)
	if err != nil {
		return u, nil, nil, false, err
	}
	now := s.now()
	rec.PasswordHash, rec.SRP, rec.PasswordSetAt = hash, srpSealed, now.UnixMilli()
	u = store.User{
		PoolID: p.id(), Key: p.fold(username), Username: username, Sub: sub,
		Status: status, Enabled: true, CreatedAt: now, UpdatedAt: now,
	}
	change := store.UserChange{}
	if source == trigger.UserMigrationForgotPassword {
		d, found := recoveryDelivery(p, rec)
		if !found {
			return u, nil, nil, false, invalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
		if err := s.deliverable(d.medium); err != nil {
			return u, nil, nil, false, err
		}
		ov, err := s.customMessage(ctx, p, &c, u, rec, message.ForgotPassword, d.attr, meta)
		if err != nil {
			return u, nil, nil, false, err
		}
		msg, err := s.newCodeMessage(p, u, rec, codeForgotPassword, forgotCodeTTL, message.ForgotPassword, d, now, ov)
		if err != nil {
			return u, nil, nil, false, err
		}
		change.Messages = []store.Message{msg}
		details = d.details()
	}
	if err := s.finish(p, &u, rec); err != nil {
		return u, nil, nil, false, err
	}
	change.User = u
	err = s.forceAlias(ctx, p, resp.ForceAliasCreation, func() map[string]string { return u.Aliases }, u.Key, func() error {
		return s.Store.CreateUser(ctx, change)
	})
	if err != nil {
		return u, nil, nil, false, conflictError(err, p, "User account already exists")
	}
	s.kick()
	return u, rec, details, true, nil
}
