package user

import (
	"context"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/store"
)

// verifiable are the attributes a code can verify.
func verifiable(name string) bool { return name == "email" || name == "phone_number" }

// notVerifiable is Cognito's answer for an attribute no code can verify,
// recorded in aws-amplify/amplify-js#3652.
func notVerifiable() *model.Error {
	return invalidParameter("Invalid attribute name. Only phone_number and email can be verified.")
}

// noValueToVerify answers a code asked for an email or phone number the
// user does not have. Text inferred: no recorded response was found.
func noValueToVerify(attr string) *model.Error {
	return invalidParameter("Invalid attribute name: %s", attr)
}

// GetUserAttributeVerificationCode sends a code to verify the user's email or
// phone number: to the value waiting for verification if there is one.
func (s *Service) GetUserAttributeVerificationCode(ctx context.Context, in *model.GetUserAttributeVerificationCodeRequest) (*model.GetUserAttributeVerificationCodeResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	c := sess.client
	attr := *in.AttributeName
	if !verifiable(attr) {
		return nil, notVerifiable()
	}
	dest, ok := verificationTarget(sess.rec, attr)
	if !ok {
		return nil, noValueToVerify(attr)
	}
	if err := checkSendLimit(sess.rec, codeVerifyPrefix+attr, s.now()); err != nil {
		return nil, err
	}
	if err := s.deliverable(mediumOf(attr)); err != nil {
		return nil, err
	}
	ov, err := s.customMessage(ctx, c.pool, &c, sess.user, sess.rec, message.VerifyUserAttribute, attr, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	var details *model.CodeDeliveryDetailsType
	_, err = s.update(ctx, c.pool, sess.user.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		now := s.now()
		if err := checkSendLimit(r, codeVerifyPrefix+attr, now); err != nil {
			return store.UserChange{}, err
		}
		dest, ok := verificationTarget(r, attr)
		if !ok {
			return store.UserChange{}, noValueToVerify(attr)
		}
		d := delivery{mediumOf(attr), attr, dest}
		msg, err := s.newCodeMessage(c.pool, *u, r, codeVerifyPrefix+attr, verifyCodeTTL, message.VerifyUserAttribute, d, now, ov)
		if err != nil {
			return store.UserChange{}, err
		}
		details = d.details()
		return store.UserChange{Messages: []store.Message{msg}}, nil
	})
	if err != nil {
		return nil, err
	}
	_ = dest
	s.kick()
	return &model.GetUserAttributeVerificationCodeResponse{CodeDeliveryDetails: details}, nil
}

// verificationTarget is where a verification code for attr goes: the
// pending value, else the current one.
func verificationTarget(r *Record, attr string) (string, bool) {
	if v, ok := r.Pending[attr]; ok {
		return v, true
	}
	v, ok := r.Get(attr)
	return v, ok && v != ""
}

// VerifyUserAttribute checks a verification code: the pending value (if
// any) replaces the stored one and the attribute becomes verified.
func (s *Service) VerifyUserAttribute(ctx context.Context, in *model.VerifyUserAttributeRequest) (*model.VerifyUserAttributeResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	c := sess.client
	attr := *in.AttributeName
	if !verifiable(attr) {
		return nil, notVerifiable()
	}
	var outcome error
	_, err = s.update(ctx, c.pool, sess.user.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		outcome = nil
		now := s.now()
		if _, err := checkCode(r, codeVerifyPrefix+attr, *in.Code, now); err != nil {
			outcome = err // keep the attempt count
			return store.UserChange{}, nil
		}
		if v, ok := r.Pending[attr]; ok {
			r.Set(attr, v)
			delete(r.Pending, attr)
		}
		r.Set(attr+"_verified", "true")
		u.UpdatedAt = now
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, aliasConflict(err, c.pool)
	}
	if outcome != nil {
		return nil, outcome
	}
	return &model.VerifyUserAttributeResponse{}, nil
}
