package server_test

// UpdateUserAttributes acceptance suite, part 2: aliases (§1.5), the three
// ways an email changes (§1.7), verification codes (§1.8), deletion and the
// admin operations.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

const (
	attrsMsgAliasExists = "An account with the given email already exists."
	attrsMsgMismatch    = "Invalid verification code provided, please try again."
	attrsMsgExpiredCode = "Invalid code provided, please request a code again."
	attrsMsgLimit       = "Attempt limit exceeded, please try after some time."
	attrsSourceUpdate   = "CustomMessage_UpdateUserAttribute"
	attrsSourceVerify   = "CustomMessage_VerifyUserAttribute"
)

// attrsWantDetails asserts a CodeDeliveryDetailsList.
func attrsWantDetails(t *testing.T, got []types.CodeDeliveryDetailsType, want ...types.CodeDeliveryDetailsType) {
	t.Helper()
	if d := diff(want, got); d != "" && !(len(want) == 0 && len(got) == 0) {
		t.Errorf("CodeDeliveryDetailsList %s (-want +got):\n%s", attrsNames(got), d)
	}
}

func attrsEmailDetails(addr string) types.CodeDeliveryDetailsType {
	return types.CodeDeliveryDetailsType{
		AttributeName: aws.String("email"), DeliveryMedium: types.DeliveryMediumTypeEmail, Destination: aws.String(attrsMaskEmail(addr)),
	}
}

// attrsWantMessage asserts the newest message: an unmasked code message to
// dest from source.
func attrsWantMessage(t *testing.T, m attrsMessage, attr, medium, dest, source string) {
	t.Helper()
	if m.AttributeName != attr || m.DeliveryMedium != medium || m.Destination != dest || m.TriggerSource != source || len(m.Code) != 6 {
		t.Errorf("message = %+v, want %s %s to %s from %s with a 6-digit code", m, attr, medium, dest, source)
	}
}

// attrsCannotSignIn asserts that login no longer signs the user in.
func attrsCannotSignIn(t *testing.T, u *attrsUser, login string) {
	t.Helper()
	if _, err := u.signInErr(login); err == nil {
		t.Errorf("signed in with %q, want a refusal", login)
	}
}

// ---------------------------------------------------------------------------
// Aliases (§1.5)

func attrsAliasTests(t *testing.T, ps *attrsPools) {
	ctx := context.Background()
	attrsCase(t, "UsernameAttributes pool refuses another user's email", func(t *testing.T) {
		p := ps.username
		a, b := p.user(t, attrsUserOpts{}), p.user(t, attrsUserOpts{})
		before := b.snapshot(t)
		_, err := b.update(nil, "email", a.Email)
		attrsReject[*types.AliasExistsException](t, b.rec, err, attrsMsgAliasExists, "alias_exists")
		b.unchanged(t, before)
		if len(a.messages(t)) != 0 {
			t.Errorf("a code went to the other user's address")
		}
	})
	attrsCase(t, "UsernameAttributes pool keeping the original refuses another user's email", func(t *testing.T) {
		// The value waits for verification, but it is still the other
		// user's sign-in name: refused at once, and no code goes to it.
		p := ps.keep
		a, b := p.user(t, attrsUserOpts{}), p.user(t, attrsUserOpts{})
		before := b.snapshot(t)
		_, err := b.update(nil, "email", a.Email)
		for _, m := range b.messages(t) {
			if m.Destination == a.Email {
				t.Errorf("a code for %s went to the other user's address %s (%s)", b.Username, a.Email, m.TriggerSource)
			}
		}
		attrsReject[*types.AliasExistsException](t, b.rec, err, attrsMsgAliasExists, "alias_exists")
		b.unchanged(t, before)
	})
	attrsCase(t, "UsernameAttributes pool refuses another user's email to the administrator", func(t *testing.T) {
		p := ps.username
		a, b := p.user(t, attrsUserOpts{}), p.user(t, attrsUserOpts{})
		c, rec := p.env.w.recordingClient()
		for _, nv := range [][]string{{"email", a.Email}, {"email", a.Email, "email_verified", "true"}} {
			before := b.snapshot(t)
			_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
				UserPoolId: aws.String(p.id), Username: aws.String(b.Username), UserAttributes: attrsList(nv...),
			})
			attrsReject[*types.AliasExistsException](t, rec, err, attrsMsgAliasExists, "alias_exists")
			b.unchanged(t, before)
		}
		attrsWant(t, attrsMap(a.admin(t).UserAttributes), "email", a.Email, "email_verified", "true")
	})
	attrsCase(t, "alias pool accepts an unverified duplicate and refuses it at verification", func(t *testing.T) {
		p := ps.alias
		a, b := p.user(t, attrsUserOpts{}), p.user(t, attrsUserOpts{})
		out := b.mustUpdate(t, nil, "email", a.Email)
		attrsWantDetails(t, out.CodeDeliveryDetailsList, attrsEmailDetails(a.Email))
		attrsWant(t, b.getUser(t), "email", a.Email, "email_verified", "false")
		m := b.lastMessage(t)
		attrsWantMessage(t, m, "email", "EMAIL", a.Email, attrsSourceUpdate)
		before := b.snapshot(t)
		err := b.verify(m.Code)
		attrsReject[*types.AliasExistsException](t, b.rec, err, attrsMsgAliasExists, "alias_exists")
		b.unchanged(t, before)
		attrsWant(t, a.getUser(t), "email", a.Email, "email_verified", "true")
		if got := a.signIn(t, a.Email); got == nil {
			t.Fatal("no tokens")
		}
	})
	attrsCase(t, "admin email_verified=true moves the alias", func(t *testing.T) {
		p := ps.alias
		a, b := p.user(t, attrsUserOpts{}), p.user(t, attrsUserOpts{})
		before := b.snapshot(t)
		attrsSettle()
		if _, err := p.env.admin.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: aws.String(p.id), Username: aws.String(b.Username), UserAttributes: attrsList("email", a.Email, "email_verified", "true"),
		}); err != nil {
			t.Fatalf("AdminUpdateUserAttributes: %v", err)
		}
		attrsWant(t, attrsMap(b.admin(t).UserAttributes), "email", a.Email, "email_verified", "true")
		attrsWant(t, attrsMap(a.admin(t).UserAttributes), "email", a.Email, "email_verified", "false")
		b.attrsMovedOn(t, before)
		if n := len(b.messages(t)); n != before.Messages {
			t.Errorf("%d messages sent, want none (verified by the administrator)", n-before.Messages)
		}
		tok := b.signIn(t, a.Email)
		if got := attrsClaims(t, aws.ToString(tok.AccessToken))["username"]; got != b.Username {
			t.Errorf("signing in with %s gives user %v, want %s", a.Email, got, b.Username)
		}
	})
}

// ---------------------------------------------------------------------------
// The three ways an email changes (§1.7)

func attrsModeTests(t *testing.T, ps *attrsPools) {
	attrsCase(t, "A auto-verified replaces and sends a code to the new value", func(t *testing.T) {
		p := ps.main
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		attrsSettle()
		next := attrsEmail(p.env.next())
		out := u.mustUpdate(t, map[string]string{"k": "v"}, "email", next)
		attrsWantDetails(t, out.CodeDeliveryDetailsList, attrsEmailDetails(next))
		attrsWant(t, u.getUser(t), "email", next, "email_verified", "false")
		u.attrsMovedOn(t, before)
		msgs := u.messages(t)
		if len(msgs) != before.Messages+1 {
			t.Fatalf("%d messages, want one more than %d", len(msgs), before.Messages)
		}
		m := msgs[len(msgs)-1]
		attrsWantMessage(t, m, "email", "EMAIL", next, attrsSourceUpdate)
		if calls := u.invocations(); len(calls) != before.Invocations+1 || calls[len(calls)-1].Event.TriggerSource != attrsSourceUpdate {
			t.Errorf("Lambda calls %+v, want one more with %s", calls, attrsSourceUpdate)
		}
		beforeVerify := u.snapshot(t)
		attrsSettle()
		if err := u.verify(m.Code); err != nil {
			t.Fatalf("VerifyUserAttribute: %v", err)
		}
		attrsWant(t, u.getUser(t), "email", next, "email_verified", "true")
		u.attrsMovedOn(t, beforeVerify)
	})
	attrsCase(t, "A alias pool cannot sign in with the old or new email until verified", func(t *testing.T) {
		p := ps.alias
		u := p.user(t, attrsUserOpts{})
		u.signIn(t, u.Email)
		next := attrsEmail(p.env.next())
		u.mustUpdate(t, nil, "email", next)
		attrsCannotSignIn(t, u, u.Email)
		attrsCannotSignIn(t, u, next)
		u.signIn(t, u.Username)
		if err := u.verify(u.lastMessage(t).Code); err != nil {
			t.Fatalf("VerifyUserAttribute: %v", err)
		}
		u.signIn(t, next)
		attrsCannotSignIn(t, u, u.Email)
	})
	attrsCase(t, "A UsernameAttributes pool signs in with the new email at once", func(t *testing.T) {
		p := ps.username
		u := p.user(t, attrsUserOpts{})
		next := attrsEmail(p.env.next())
		out := u.mustUpdate(t, nil, "email", next)
		attrsWantDetails(t, out.CodeDeliveryDetailsList, attrsEmailDetails(next))
		attrsWant(t, u.getUser(t), "email", next, "email_verified", "false")
		u.signIn(t, next)
		attrsCannotSignIn(t, u, u.Email)
	})
	attrsCase(t, "B keep original until verified", func(t *testing.T) {
		p := ps.keep
		u := p.user(t, attrsUserOpts{})
		first, second := attrsEmail(p.env.next()), attrsEmail(p.env.next())
		out := u.mustUpdate(t, nil, "email", first)
		attrsWantDetails(t, out.CodeDeliveryDetailsList, attrsEmailDetails(first))
		attrsWant(t, u.getUser(t), "email", u.Email, "email_verified", "true")
		attrsWant(t, attrsMap(u.admin(t).UserAttributes), "email", u.Email, "email_verified", "true")
		u.signIn(t, u.Email)
		attrsCannotSignIn(t, u, first)
		m1 := u.lastMessage(t)
		attrsWantMessage(t, m1, "email", "EMAIL", first, attrsSourceUpdate)

		out = u.mustUpdate(t, nil, "email", second)
		attrsWantDetails(t, out.CodeDeliveryDetailsList, attrsEmailDetails(second))
		m2 := u.lastMessage(t)
		attrsWantMessage(t, m2, "email", "EMAIL", second, attrsSourceUpdate)
		attrsWant(t, u.getUser(t), "email", u.Email, "email_verified", "true")
		if m1.Code != m2.Code {
			before := u.snapshot(t)
			attrsReject[*types.CodeMismatchException](t, u.rec, u.verify(m1.Code), attrsMsgMismatch, "verify_mismatch")
			u.unchanged(t, before)
		}
		before := u.snapshot(t)
		attrsSettle()
		if err := u.verify(m2.Code); err != nil {
			t.Fatalf("VerifyUserAttribute(second code): %v", err)
		}
		attrsWant(t, u.getUser(t), "email", second, "email_verified", "true")
		u.attrsMovedOn(t, before)
		u.signIn(t, second)
		attrsCannotSignIn(t, u, u.Email)
		attrsCannotSignIn(t, u, first)
	})
	attrsCase(t, "B a new code goes to the waiting value; going back cancels it", func(t *testing.T) {
		p := ps.keep
		u := p.user(t, attrsUserOpts{})
		next := attrsEmail(p.env.next())
		u.mustUpdate(t, nil, "email", next)
		out, err := u.c.GetUserAttributeVerificationCode(context.Background(), &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: aws.String(u.Access()), AttributeName: aws.String("email"),
		})
		if err != nil {
			t.Fatalf("GetUserAttributeVerificationCode: %v", err)
		}
		if d := diff(attrsPtr(attrsEmailDetails(next)), out.CodeDeliveryDetails); d != "" {
			t.Errorf("CodeDeliveryDetails (-want +got):\n%s", d)
		}
		m := u.lastMessage(t)
		attrsWantMessage(t, m, "email", "EMAIL", next, attrsSourceVerify)
		// Back to the verified email: nothing waits any more.
		back := u.mustUpdate(t, nil, "email", u.Email)
		attrsWantDetails(t, back.CodeDeliveryDetailsList)
		before := u.snapshot(t)
		attrsReject[*types.ExpiredCodeException](t, u.rec, u.verify(m.Code), attrsMsgExpiredCode, "verify_expired")
		u.unchanged(t, before)
		attrsWant(t, u.getUser(t), "email", u.Email, "email_verified", "true")
	})
	attrsCase(t, "C not auto-verified replaces without a message", func(t *testing.T) {
		p := ps.plain
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		attrsSettle()
		next := attrsEmail(p.env.next())
		out := u.mustUpdate(t, map[string]string{"k": "v"}, "email", next)
		attrsWantDetails(t, out.CodeDeliveryDetailsList)
		if body := string(u.rec.lastBody()); body != "{}" {
			t.Errorf("response body = %s, want {} (no list when nothing was sent)", body)
		}
		attrsWant(t, u.getUser(t), "email", next, "email_verified", "false")
		u.attrsMovedOn(t, before)
		after := u.snapshot(t)
		if after.Messages != before.Messages || after.Invocations != before.Invocations {
			t.Errorf("messages %d→%d, Lambda calls %d→%d; want none", before.Messages, after.Messages, before.Invocations, after.Invocations)
		}
	})
	attrsCase(t, "email and phone in one request give two entries", func(t *testing.T) {
		p := ps.main
		u := p.user(t, attrsUserOpts{})
		next := attrsEmail(p.env.next())
		out := u.mustUpdate(t, nil, "email", next, "phone_number", "+15550009876")
		attrsWantDetails(t, out.CodeDeliveryDetailsList, attrsEmailDetails(next), types.CodeDeliveryDetailsType{
			AttributeName: aws.String("phone_number"), DeliveryMedium: types.DeliveryMediumTypeSms, Destination: aws.String("+*******9876"),
		})
		msgs := u.messages(t)
		if len(msgs) != 2 {
			t.Fatalf("%d messages, want 2: %+v", len(msgs), msgs)
		}
		attrsWantMessage(t, msgs[0], "email", "EMAIL", next, attrsSourceUpdate)
		attrsWantMessage(t, msgs[1], "phone_number", "SMS", "+15550009876", attrsSourceUpdate)
		attrsWant(t, u.getUser(t), "email_verified", "false", "phone_number_verified", "false")
	})
	attrsCase(t, "the same email again sends nothing", func(t *testing.T) {
		p := ps.main
		u := p.user(t, attrsUserOpts{})
		out := u.mustUpdate(t, nil, "email", u.Email)
		attrsWantDetails(t, out.CodeDeliveryDetailsList)
		attrsWant(t, u.getUser(t), "email", u.Email, "email_verified", "true")
		if n := len(u.messages(t)); n != 0 {
			t.Errorf("%d messages for an unchanged email", n)
		}
	})
}

// ---------------------------------------------------------------------------
// GetUserAttributeVerificationCode and VerifyUserAttribute (§1.8)

func attrsVerificationTests(t *testing.T, ps *attrsPools) {
	p := ps.main
	ctx := context.Background()
	getCode := func(u *attrsUser) (*cip.GetUserAttributeVerificationCodeOutput, error) {
		return u.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: aws.String(u.Access()), AttributeName: aws.String("email"), ClientMetadata: map[string]string{"k": "v"},
		})
	}
	attrsCase(t, "GetUserAttributeVerificationCode sends a code", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		out, err := getCode(u)
		if err != nil {
			t.Fatalf("GetUserAttributeVerificationCode: %v", err)
		}
		if d := diff(attrsPtr(attrsEmailDetails(u.Email)), out.CodeDeliveryDetails); d != "" {
			t.Errorf("CodeDeliveryDetails (-want +got):\n%s", d)
		}
		attrsWantMessage(t, u.lastMessage(t), "email", "EMAIL", u.Email, attrsSourceVerify)
		calls := u.invocations()
		if len(calls) != 1 || calls[0].Event.TriggerSource != attrsSourceVerify || calls[0].Event.Request.ClientMetadata["k"] != "v" {
			t.Errorf("Lambda calls %+v, want one %s with the ClientMetadata", calls, attrsSourceVerify)
		}
	})
	attrsCase(t, "GetUserAttributeVerificationCode resend limit", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		var err error
		sent := 0
		for sent < 20 {
			if _, err = getCode(u); err != nil {
				break
			}
			sent++
		}
		if sent == 0 || sent >= 20 {
			t.Fatalf("%d codes sent before the limit", sent)
		}
		before := u.snapshot(t)
		_, err = getCode(u)
		attrsReject[*types.LimitExceededException](t, u.rec, err, attrsMsgLimit, "verify_limit")
		u.unchanged(t, before)
		t.Logf("limit reached after %d codes", sent)
	})
	attrsCase(t, "VerifyUserAttribute wrong code", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		if _, err := getCode(u); err != nil {
			t.Fatal(err)
		}
		code := u.lastMessage(t).Code
		before := u.snapshot(t)
		attrsReject[*types.CodeMismatchException](t, u.rec, u.verify(attrsOtherCode(code)), attrsMsgMismatch, "verify_mismatch")
		u.unchanged(t, before)
	})
	attrsCase(t, "VerifyUserAttribute used code cannot be reused", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		next := attrsEmail(p.env.next())
		u.mustUpdate(t, nil, "email", next)
		code := u.lastMessage(t).Code
		if err := u.verify(code); err != nil {
			t.Fatalf("VerifyUserAttribute: %v", err)
		}
		before := u.snapshot(t)
		attrsReject[*types.ExpiredCodeException](t, u.rec, u.verify(code), attrsMsgExpiredCode, "verify_expired")
		u.unchanged(t, before)
	})
	attrsCase(t, "VerifyUserAttribute too many wrong codes", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		next := attrsEmail(p.env.next())
		u.mustUpdate(t, nil, "email", next)
		code := u.lastMessage(t).Code
		wrong := 0
		var err error
		for wrong < 20 {
			if err = u.verify(attrsOtherCode(code)); err == nil {
				t.Fatal("a wrong code was accepted")
			}
			if attrsIsLimit(err) {
				break
			}
			attrsReject[*types.CodeMismatchException](t, u.rec, err, attrsMsgMismatch, "")
			wrong++
		}
		if wrong == 0 || wrong >= 20 {
			t.Fatalf("%d wrong codes before the limit", wrong)
		}
		before := u.snapshot(t)
		attrsReject[*types.LimitExceededException](t, u.rec, u.verify(code), attrsMsgLimit, "verify_limit")
		u.unchanged(t, before)
		attrsWant(t, u.getUser(t), "email", next, "email_verified", "false")
		t.Logf("limit reached after %d wrong codes", wrong)
	})
	attrsCase(t, "VerifyUserAttribute without a code sent", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		attrsReject[*types.ExpiredCodeException](t, u.rec, u.verify("123456"), attrsMsgExpiredCode, "verify_expired")
		u.unchanged(t, before)
	})
}

// ---------------------------------------------------------------------------
// DeleteUserAttributes (same rules as a blank value)

func attrsDeleteTests(t *testing.T, ps *attrsPools) {
	p := ps.main
	ctx := context.Background()
	del := func(u *attrsUser, names ...string) error {
		_, err := u.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(u.Access()), UserAttributeNames: names})
		return err
	}
	attrsCase(t, "DeleteUserAttributes deletes", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{client: "granted", attrs: []string{"name", "Ann", "custom:x", "abcd", "phone_number", "+15550001234", "phone_number_verified", "true"}})
		before := u.snapshot(t)
		attrsSettle()
		if err := del(u, "name", "custom:x", "phone_number"); err != nil {
			t.Fatalf("DeleteUserAttributes: %v", err)
		}
		attrsWant(t, attrsMap(u.admin(t).UserAttributes), "name", "", "custom:x", "", "phone_number", "", "phone_number_verified", "", "email", u.Email)
		u.attrsMovedOn(t, before)
	})
	cases := []struct {
		name, client string
		names        []string
		msg, golden  string
		notAuth      bool
	}{
		{name: "required", names: []string{"email"}, msg: "user.email: Required attribute cannot be deleted.\n", golden: "rule_required_blank"},
		{name: "sub", names: []string{"sub"}, msg: attrsMsgSub, golden: "rule_sub"},
		{name: "immutable", client: "granted", names: []string{"custom:tier"}, msg: "user.custom:tier: Attribute cannot be updated.\n", golden: "rule_immutable_custom"},
		{name: "unknown", names: []string{"foo"}, msg: "user.foo: Attribute does not exist in the schema.\n", golden: "rule_unknown_attribute"},
		{name: "client without write permission", client: "limited", names: []string{"name"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "custom without grant", names: []string{"custom:x"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "email_verified", names: []string{"email_verified"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "developer-only", client: "granted", names: []string{"dev:custom:secret"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "one bad name among good ones", client: "granted", names: []string{"name", "custom:x", "email"}, msg: "user.email: Required attribute cannot be deleted.\n", golden: "rule_required_blank"},
	}
	for _, c := range cases {
		attrsCase(t, "DeleteUserAttributes "+c.name, func(t *testing.T) {
			u := p.user(t, attrsUserOpts{client: c.client, attrs: []string{"name", "Ann", "custom:x", "abcd", "custom:tier", "gold", "dev:custom:secret", "s"}})
			before := u.snapshot(t)
			err := del(u, c.names...)
			if c.notAuth {
				attrsReject[*types.NotAuthorizedException](t, u.rec, err, c.msg, c.golden)
			} else {
				attrsReject[*types.InvalidParameterException](t, u.rec, err, c.msg, c.golden)
			}
			u.unchanged(t, before)
		})
	}
}

// ---------------------------------------------------------------------------
// AdminUpdateUserAttributes and AdminDeleteUserAttributes

func attrsAdminTests(t *testing.T, ps *attrsPools) {
	ctx := context.Background()
	adminUpdate := func(p *attrsPool, username string, meta map[string]string, nv ...string) error {
		out, err := p.env.admin.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: aws.String(p.id), Username: aws.String(username), UserAttributes: attrsList(nv...), ClientMetadata: meta,
		})
		if err == nil && out == nil {
			panic("no output")
		}
		return err
	}
	adminRecorder := func(p *attrsPool) (*cip.Client, *recorder) { return p.env.w.recordingClient() }

	for _, by := range []string{"username", "sub"} {
		attrsCase(t, "AdminUpdateUserAttributes by "+by, func(t *testing.T) {
			p := ps.main
			u := p.user(t, attrsUserOpts{})
			name := u.Username
			if by == "sub" {
				name = attrsMap(u.admin(t).UserAttributes)["sub"]
			}
			before := u.snapshot(t)
			attrsSettle()
			if err := adminUpdate(p, name, nil, "name", "By "+by); err != nil {
				t.Fatalf("AdminUpdateUserAttributes(%s): %v", name, err)
			}
			attrsWant(t, attrsMap(u.admin(t).UserAttributes), "name", "By "+by)
			u.attrsMovedOn(t, before)
		})
	}
	attrsCase(t, "AdminUpdateUserAttributes by alias", func(t *testing.T) {
		p := ps.alias
		u := p.user(t, attrsUserOpts{})
		if err := adminUpdate(p, u.Email, nil, "name", "By alias"); err != nil {
			t.Fatalf("AdminUpdateUserAttributes(%s): %v", u.Email, err)
		}
		attrsWant(t, attrsMap(u.admin(t).UserAttributes), "name", "By alias")
	})
	attrsCase(t, "AdminUpdateUserAttributes ignores WriteAttributes and writes dev: and verified flags", func(t *testing.T) {
		p := ps.main
		u := p.user(t, attrsUserOpts{client: "limited", attrs: []string{"phone_number", "+15550004321"}})
		if err := adminUpdate(p, u.Username, nil, "custom:nogrant", "yes", "custom:x", "abcd", "name", "Ann",
			"dev:custom:secret", "s1", "phone_number_verified", "true", "email_verified", "false"); err != nil {
			t.Fatalf("AdminUpdateUserAttributes: %v", err)
		}
		attrsWant(t, attrsMap(u.admin(t).UserAttributes), "custom:nogrant", "yes", "custom:x", "abcd", "name", "Ann",
			"dev:custom:secret", "s1", "phone_number_verified", "true", "email_verified", "false")
		if len(u.messages(t)) != 0 {
			t.Errorf("messages sent for flags set by the administrator")
		}
		// The developer-only attribute is also named custom:secret by an administrator.
		if err := adminUpdate(p, u.Username, nil, "custom:secret", "s2"); err != nil {
			t.Fatalf("AdminUpdateUserAttributes(custom:secret): %v", err)
		}
		attrsWant(t, attrsMap(u.admin(t).UserAttributes), "dev:custom:secret", "s2")
	})
	attrsCase(t, "AdminUpdateUserAttributes email_verified=true applies the email without a code", func(t *testing.T) {
		for _, p := range []*attrsPool{ps.main, ps.keep} {
			u := p.user(t, attrsUserOpts{})
			next := attrsEmail(p.env.next())
			before := u.snapshot(t)
			if err := adminUpdate(p, u.Username, map[string]string{"k": "v"}, "email", next, "email_verified", "true"); err != nil {
				t.Fatalf("AdminUpdateUserAttributes: %v", err)
			}
			attrsWant(t, u.getUser(t), "email", next, "email_verified", "true")
			after := u.snapshot(t)
			if after.Messages != before.Messages || after.Invocations != before.Invocations {
				t.Errorf("pool %s: messages %d→%d, Lambda calls %d→%d; want none", p.id, before.Messages, after.Messages, before.Invocations, after.Invocations)
			}
		}
	})
	attrsCase(t, "AdminUpdateUserAttributes email without the flag sends a code", func(t *testing.T) {
		p := ps.main
		u := p.user(t, attrsUserOpts{})
		next := attrsEmail(p.env.next())
		if err := adminUpdate(p, u.Username, map[string]string{"k": "v"}, "email", next); err != nil {
			t.Fatalf("AdminUpdateUserAttributes: %v", err)
		}
		attrsWant(t, u.getUser(t), "email", next, "email_verified", "false")
		m := u.lastMessage(t)
		attrsWantMessage(t, m, "email", "EMAIL", next, attrsSourceUpdate)
		calls := u.invocations()
		if len(calls) != 1 || calls[0].Event.TriggerSource != attrsSourceUpdate || !cmp.Equal(calls[0].Event.Request.ClientMetadata, map[string]string{"k": "v"}) {
			t.Errorf("Lambda calls %+v, want one %s with the ClientMetadata", calls, attrsSourceUpdate)
		}
		if err := u.verify(m.Code); err != nil {
			t.Fatalf("VerifyUserAttribute with the administrator's code: %v", err)
		}
	})
	attrsCase(t, "AdminUpdateUserAttributes keep-original pool keeps the email until verified", func(t *testing.T) {
		p := ps.keep
		u := p.user(t, attrsUserOpts{})
		next := attrsEmail(p.env.next())
		if err := adminUpdate(p, u.Username, nil, "email", next); err != nil {
			t.Fatalf("AdminUpdateUserAttributes: %v", err)
		}
		attrsWant(t, u.getUser(t), "email", u.Email, "email_verified", "true")
		attrsWantMessage(t, u.lastMessage(t), "email", "EMAIL", next, attrsSourceUpdate)
	})
	attrsCase(t, "AdminUpdateUserAttributes unknown user", func(t *testing.T) {
		p := ps.main
		c, rec := adminRecorder(p)
		_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: aws.String(p.id), Username: aws.String("nobody-here"), UserAttributes: attrsList("name", "x"),
		})
		attrsReject[*types.UserNotFoundException](t, rec, err, "User does not exist.", "admin_user_not_found")
	})
	adminRejects := []struct {
		name        string
		nv          []string
		msg, golden string
	}{
		{"sub", []string{"sub", "x"}, attrsMsgSub, "rule_sub"},
		{"immutable", []string{"custom:tier", "x"}, "user.custom:tier: Attribute cannot be updated.\n", "rule_immutable_custom"},
		{"unknown", []string{"foo", "x"}, "user.foo: Attribute does not exist in the schema.\n", "rule_unknown_attribute"},
		{"bad email", []string{"name", "Ann", "email", "nope"}, "Invalid email address format.", "value_email"},
		{"blank required", []string{"email", ""}, "user.email: Required attribute cannot be deleted.\n", "rule_required_blank"},
		{"String constraint", []string{"custom:x", "ab"}, "user.custom:x: String must be no shorter than 3 characters\n", "value_string_min"},
	}
	for _, c := range adminRejects {
		attrsCase(t, "AdminUpdateUserAttributes "+c.name, func(t *testing.T) {
			p := ps.main
			u := p.user(t, attrsUserOpts{attrs: []string{"custom:tier", "gold"}})
			client, rec := adminRecorder(p)
			before := u.snapshot(t)
			_, err := client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
				UserPoolId: aws.String(p.id), Username: aws.String(u.Username), UserAttributes: attrsList(c.nv...),
			})
			attrsReject[*types.InvalidParameterException](t, rec, err, c.msg, c.golden)
			u.unchanged(t, before)
		})
	}
	attrsCase(t, "AdminDeleteUserAttributes", func(t *testing.T) {
		p := ps.main
		u := p.user(t, attrsUserOpts{attrs: []string{"name", "Ann", "custom:nogrant", "v", "dev:custom:secret", "s"}})
		before := u.snapshot(t)
		attrsSettle()
		if _, err := p.env.admin.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{
			UserPoolId: aws.String(p.id), Username: aws.String(u.Username), UserAttributeNames: []string{"name", "custom:nogrant", "dev:custom:secret"},
		}); err != nil {
			t.Fatalf("AdminDeleteUserAttributes: %v", err)
		}
		attrsWant(t, attrsMap(u.admin(t).UserAttributes), "name", "", "custom:nogrant", "", "dev:custom:secret", "", "email", u.Email)
		u.attrsMovedOn(t, before)

		client, rec := adminRecorder(p)
		before = u.snapshot(t)
		_, err := client.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{
			UserPoolId: aws.String(p.id), Username: aws.String(u.Username), UserAttributeNames: []string{"email"},
		})
		attrsReject[*types.InvalidParameterException](t, rec, err, "user.email: Required attribute cannot be deleted.\n", "rule_required_blank")
		u.unchanged(t, before)
	})
}

func attrsPtr[T any](v T) *T { return &v }

// attrsOtherCode is a well-formed code that is not code.
func attrsOtherCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func attrsIsLimit(err error) bool {
	var e *types.LimitExceededException
	return errors.As(err, &e)
}

// attrsClaims decodes a JWT's payload without checking it.
func attrsClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return m
}
