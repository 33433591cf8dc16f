package user

import (
	"slices"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/store"
)

// Code lifetimes (cognito-behaviour.md §7.10).
const (
	signUpCodeTTL = 24 * time.Hour
	verifyCodeTTL = 24 * time.Hour
	forgotCodeTTL = time.Hour
	// maxCodeAttempts wrong codes make the code unusable; Cognito answers
	// LimitExceededException after a handful of failures.
	maxCodeAttempts = 5
	// maxSends codes per purpose within sendWindow; more answer
	// LimitExceededException. Cognito documents a limit without its numbers.
	maxSends   = 5
	sendWindow = time.Hour
)

// limitExceeded is Cognito's answer to too many codes or wrong attempts.
func limitExceeded() *model.Error {
	return model.Errorf(model.LimitExceededException, "Attempt limit exceeded, please try after some time.")
}

// checkSendLimit refuses another code for purpose when too many were sent
// in the current window.
func checkSendLimit(r *Record, purpose string, now time.Time) error {
	c, ok := r.Codes[purpose]
	if ok && now.UnixMilli()-c.WindowStart < sendWindow.Milliseconds() && c.Sends >= maxSends {
		return limitExceeded()
	}
	return nil
}

// delivery is where a code goes.
type delivery struct {
	medium string // EMAIL or SMS
	attr   string // email or phone_number
	dest   string
}

func (d delivery) details() *model.CodeDeliveryDetailsType {
	dd := message.DeliveryDetails(d.medium, d.attr, d.dest)
	return &dd
}

// signUpDelivery picks where a sign-up code goes: the phone number when the
// pool verifies phones, else the email, as Cognito prefers SMS when both are
// auto-verified; ok is false when nothing can carry a code.
func signUpDelivery(p pool, r *Record) (delivery, bool) {
	if v, ok := r.Get("phone_number"); ok && v != "" && p.autoVerified("phone_number") {
		return delivery{"SMS", "phone_number", v}, true
	}
	if v, ok := r.Get("email"); ok && v != "" && p.autoVerified("email") {
		return delivery{"EMAIL", "email", v}, true
	}
	return delivery{}, false
}

// newCodeMessage creates a code for purpose, records its hash in r, and
// composes the message that carries it. It is pure apart from randomness,
// so it may run inside a store updater.
func (s *Service) newCodeMessage(p pool, u store.User, r *Record, purpose string, ttl time.Duration, kind message.Kind, d delivery, now time.Time, ov *message.Override) (store.Message, error) {
	code, err := message.NewCode(s.rand())
	if err != nil {
		return store.Message{}, err
	}
	if r.Codes == nil {
		r.Codes = map[string]Code{}
	}
	next := Code{Hash: message.HashCode(code), ExpiresAt: now.Add(ttl).UnixMilli(), Attr: d.attr, Sends: 1, WindowStart: now.UnixMilli()}
	if prev, ok := r.Codes[purpose]; ok && now.UnixMilli()-prev.WindowStart < sendWindow.Milliseconds() {
		next.Sends, next.WindowStart = prev.Sends+1, prev.WindowStart
	}
	r.Codes[purpose] = next
	id, err := message.NewID(now, s.rand())
	if err != nil {
		return store.Message{}, err
	}
	return message.Compose(message.Params{
		ID:            id,
		PoolID:        p.id(),
		UserKey:       u.Key,
		Username:      u.Username,
		Pool:          &p.Config,
		Kind:          kind,
		Medium:        d.medium,
		Destination:   d.dest,
		AttributeName: d.attr,
		Code:          code,
		Now:           now,
		Sealer:        s.Sealer,
		PublicURL:     s.PublicURL,
		Override:      ov,
	})
}

// checkCode consumes a code of purpose: CodeMismatchException for a wrong
// code (counting the attempt), ExpiredCodeException when none is pending or
// it has expired, LimitExceededException after too many wrong tries. On
// success the code is removed. The caller writes r back either way.
func checkCode(r *Record, purpose, code string, now time.Time) (Code, error) {
	c, ok := r.Codes[purpose]
	if !ok || now.UnixMilli() >= c.ExpiresAt {
		delete(r.Codes, purpose)
		return Code{}, model.Errorf(model.ExpiredCodeException, "Invalid code provided, please request a code again.")
	}
	if c.Attempts >= maxCodeAttempts {
		return Code{}, limitExceeded()
	}
	if !message.CheckCode(c.Hash, code) {
		c.Attempts++
		r.Codes[purpose] = c
		return Code{}, model.Errorf(model.CodeMismatchException, "Invalid verification code provided, please try again.")
	}
	delete(r.Codes, purpose)
	return c, nil
}

// deliverable refuses to send a code that no channel can carry (secure mode
// without an SMTP server for email): CodeDeliveryFailureException, before
// anything is written (cognito-behaviour.md §7.14). The text is Cognate's.
func (s *Service) deliverable(medium string) error {
	if s.CanDeliver == nil || s.CanDeliver(medium) {
		return nil
	}
	return model.Errorf(model.CodeDeliveryFailureException, "Unable to deliver the %s message: no channel is configured for it.", medium)
}

func codeMismatch() *model.Error {
	return model.Errorf(model.CodeMismatchException, "Invalid verification code provided, please try again.")
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
