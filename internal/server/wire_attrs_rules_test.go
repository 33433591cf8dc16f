package server_test

// UpdateUserAttributes acceptance suite, part 1: the entry point, the pools
// every scenario shares, and the rejections (model validation, token
// checks, per-attribute rules and value constraints). Every rejection is
// checked for its exact error type and message, its golden body, and for
// leaving nothing behind: attributes and UserLastModifiedDate as they were,
// no message in the outbox, no Lambda call.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// attrsPools are the pools one backend's run shares.
type attrsPools struct {
	// main: email required, auto-verified email and phone, custom
	// attributes (tier immutable, x String 3..8, n Number 1..10, nogrant
	// never granted, dev-only secret), nickname immutable, a CustomMessage
	// Lambda and EmailSendingAccount DEVELOPER. Clients: "default"
	// (WriteAttributes unset), "granted" (standard and custom attributes),
	// "limited" (email only).
	main *attrsPool
	// keep: the email is the username, auto-verified, and kept until the
	// new one is verified (AttributesRequireVerificationBeforeUpdate).
	keep *attrsPool
	// plain: nothing auto-verified.
	plain *attrsPool
	// username: the email is the username, auto-verified.
	username *attrsPool
	// alias: the email is an alias, auto-verified.
	alias *attrsPool
}

const (
	attrsMsgNotAuthorizedWrite = "A client attempted to write unauthorized attribute"
	attrsMsgSub                = "Cannot modify the non-mutable attribute sub"
)

var attrsGranted = []string{"email", "phone_number", "name", "given_name", "birthdate", "nickname", "custom:tier", "custom:x", "custom:n", "updated_at"}

func attrsMainPool(t *testing.T, e *attrsEnv) *attrsPool {
	t.Helper()
	str := func(name string, mutable bool) types.SchemaAttributeType {
		return types.SchemaAttributeType{Name: aws.String(name), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(mutable)}
	}
	email := str("email", true)
	email.Required = aws.Bool(true)
	x := str("x", true)
	x.StringAttributeConstraints = &types.StringAttributeConstraintsType{MinLength: aws.String("3"), MaxLength: aws.String("8")}
	n := types.SchemaAttributeType{
		Name: aws.String("n"), AttributeDataType: types.AttributeDataTypeNumber, Mutable: aws.Bool(true),
		NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("10")},
	}
	secret := str("secret", true)
	secret.DeveloperOnlyAttribute = aws.Bool(true)
	return e.pool(t, &cip.CreateUserPoolInput{
		Schema:                 []types.SchemaAttributeType{email, str("nickname", false), str("tier", false), x, n, str("nogrant", true), secret},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail, types.VerifiedAttributeTypePhoneNumber},
		EmailConfiguration:     &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeDeveloper},
		LambdaConfig:           &types.LambdaConfigType{CustomMessage: aws.String(attrsFunctionARN())},
	}, map[string]func(*cip.CreateUserPoolClientInput){
		"default": nil,
		"granted": func(in *cip.CreateUserPoolClientInput) { in.WriteAttributes = attrsGranted },
		"limited": func(in *cip.CreateUserPoolClientInput) { in.WriteAttributes = []string{"email"} },
	})
}

func attrsCreatePools(t *testing.T, e *attrsEnv) *attrsPools {
	t.Helper()
	email := []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	byEmail := []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
	lambda := &types.LambdaConfigType{CustomMessage: aws.String(attrsFunctionARN())}
	def := map[string]func(*cip.CreateUserPoolClientInput){"default": nil}
	return &attrsPools{
		main: attrsMainPool(t, e),
		keep: e.pool(t, &cip.CreateUserPoolInput{
			UsernameAttributes: byEmail, AutoVerifiedAttributes: email, LambdaConfig: lambda,
			UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: email},
		}, def),
		plain:    e.pool(t, &cip.CreateUserPoolInput{LambdaConfig: lambda}, def),
		username: e.pool(t, &cip.CreateUserPoolInput{UsernameAttributes: byEmail, AutoVerifiedAttributes: email, LambdaConfig: lambda}, def),
		alias: e.pool(t, &cip.CreateUserPoolInput{
			AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}, AutoVerifiedAttributes: email, LambdaConfig: lambda,
		}, def),
	}
}

// TestAttrs is the UpdateUserAttributes acceptance suite on one server per
// backend; groups and their cases run in parallel on shared pools, each case
// with its own users. Scenarios that move the server clock or need another
// server configuration are in TestAttrsClock, TestAttrsLambdaUnreachable,
// TestAttrsRedaction and TestAttrsSecureDelivery.
func TestAttrs(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := attrsStart(t, b)
		ps := attrsCreatePools(t, e)
		groups := []struct {
			name string
			run  func(*testing.T, *attrsPools)
		}{
			{"model", attrsModelTests},
			{"token", attrsTokenTests},
			{"rules", attrsRuleTests},
			{"values", attrsValueTests},
			{"aliases", attrsAliasTests},
			{"modes", attrsModeTests},
			{"verification", attrsVerificationTests},
			{"delete", attrsDeleteTests},
			{"admin", attrsAdminTests},
			{"trigger", attrsTriggerTests},
		}
		for _, g := range groups {
			t.Run(g.name, func(t *testing.T) {
				t.Parallel()
				g.run(t, ps)
			})
		}
	})
}

// attrsCase runs one named case in parallel.
func attrsCase(t *testing.T, name string, fn func(t *testing.T)) {
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		fn(t)
	})
}

// ---------------------------------------------------------------------------
// Model validation (cognito-behaviour.md §1.2, §7.6)

func attrsModelTests(t *testing.T, ps *attrsPools) {
	p := ps.main
	ctx := context.Background()
	// raw sends a body the SDK would refuse to send.
	raw := func(t *testing.T, u *attrsUser, body, msg, golden string) {
		t.Helper()
		status, typ, got, b := attrsRaw(t, p.env.w.URL, "UpdateUserAttributes", body)
		if status != 400 || typ != "InvalidParameterException" || got != msg {
			t.Errorf("got %d %s %q, want 400 InvalidParameterException %q", status, typ, got, msg)
		}
		attrsGolden(t, golden, b)
	}
	tokenJSON := func(u *attrsUser) string { b, _ := json.Marshal(u.Access()); return string(b) }

	attrsCase(t, "empty AccessToken", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		_, err := u.c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: aws.String(""), UserAttributes: attrsList("name", "Ann")})
		attrsReject[*types.InvalidParameterException](t, u.rec, err,
			"1 validation error detected: Value at 'accessToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+",
			"model_empty_access_token")
		u.unchanged(t, before)
	})
	attrsCase(t, "missing AccessToken", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		raw(t, u, `{"UserAttributes":[{"Name":"name","Value":"Ann"}]}`,
			"1 validation error detected: Value at 'accessToken' failed to satisfy constraint: Member must not be null",
			"model_missing_access_token")
		u.unchanged(t, before)
	})
	attrsCase(t, "empty attribute name", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		_, err := u.update(nil, "", "Ann")
		attrsReject[*types.InvalidParameterException](t, u.rec, err,
			"2 validation errors detected: Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1; "+
				"Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+",
			"model_empty_name")
		u.unchanged(t, before)
	})
	attrsCase(t, "missing attribute name", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		raw(t, u, `{"AccessToken":`+tokenJSON(u)+`,"UserAttributes":[{"Value":"Ann"}]}`,
			"1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null",
			"model_missing_name")
		u.unchanged(t, before)
	})
	attrsCase(t, "name of 33 characters", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		long := "custom:" + strings.Repeat("a", 26)
		_, err := u.update(nil, long, "v")
		attrsReject[*types.InvalidParameterException](t, u.rec, err,
			"1 validation error detected: Value '"+long+"' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32",
			"model_name_33")
		u.unchanged(t, before)
	})
	attrsCase(t, "value of 2049 characters", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		_, err := u.update(nil, "name", strings.Repeat("v", 2049))
		e := wantAPIError[*types.InvalidParameterException](t, err,
			"1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048")
		if strings.Contains(e.ErrorMessage(), "vvv") {
			t.Errorf("the sensitive value is echoed: %q", e.ErrorMessage())
		}
		attrsGolden(t, "model_value_2049", u.rec.lastBody())
		u.unchanged(t, before)
	})
}

// ---------------------------------------------------------------------------
// Token checks (§1.3, decisions 3 and 9)

func attrsTokenTests(t *testing.T, ps *attrsPools) {
	p := ps.main
	ctx := context.Background()
	updateWith := func(u *attrsUser, token string) error {
		_, err := u.c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
			AccessToken: aws.String(token), UserAttributes: attrsList("name", "Changed", "email", attrsEmail(p.env.next())),
		})
		return err
	}
	attrsCase(t, "garbage token", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		attrsReject[*types.NotAuthorizedException](t, u.rec, updateWith(u, "not-a-jwt"), "Invalid Access Token", "token_invalid")
		u.unchanged(t, before)
	})
	attrsCase(t, "ID token as access token", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		attrsReject[*types.NotAuthorizedException](t, u.rec, updateWith(u, aws.ToString(u.tokens.IdToken)), "Invalid Access Token", "token_invalid")
		u.unchanged(t, before)
	})
	attrsCase(t, "revoked by GlobalSignOut", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		if _, err := u.c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(u.Access())}); err != nil {
			t.Fatalf("GlobalSignOut: %v", err)
		}
		before := u.snapshot(t)
		attrsReject[*types.NotAuthorizedException](t, u.rec, updateWith(u, u.Access()), "Access Token has been revoked", "token_revoked")
		u.unchanged(t, before)
	})
	attrsCase(t, "disabled user", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		if _, err := p.env.admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(p.id), Username: aws.String(u.Username)}); err != nil {
			t.Fatalf("AdminDisableUser: %v", err)
		}
		before := u.snapshot(t)
		attrsReject[*types.NotAuthorizedException](t, u.rec, updateWith(u, u.Access()), "User is disabled.", "token_user_disabled")
		u.unchanged(t, before)
	})
	attrsCase(t, "deleted user", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		if _, err := p.env.admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(p.id), Username: aws.String(u.Username)}); err != nil {
			t.Fatalf("AdminDeleteUser: %v", err)
		}
		calls := len(u.invocations())
		attrsReject[*types.UserNotFoundException](t, u.rec, updateWith(u, u.Access()), "User does not exist.", "token_user_deleted")
		if n := len(u.invocations()); n != calls {
			t.Errorf("the Lambda ran %d times for a deleted user", n-calls)
		}
		if msgs := attrsMessages(t, p.env.w.URL, p.id, ""); len(msgs) > 0 {
			for _, m := range msgs {
				if m.Destination == u.Email {
					t.Errorf("a message went to the deleted user: %+v", m)
				}
			}
		}
	})
	attrsCase(t, "old token of a re-enabled user is revoked", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		in := &cip.AdminDisableUserInput{UserPoolId: aws.String(p.id), Username: aws.String(u.Username)}
		if _, err := p.env.admin.AdminDisableUser(ctx, in); err != nil {
			t.Fatalf("AdminDisableUser: %v", err)
		}
		if _, err := p.env.admin.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: in.UserPoolId, Username: in.Username}); err != nil {
			t.Fatalf("AdminEnableUser: %v", err)
		}
		before := u.snapshot(t)
		attrsReject[*types.NotAuthorizedException](t, u.rec, updateWith(u, u.Access()), "Access Token has been revoked", "token_revoked")
		u.unchanged(t, before)
	})
	attrsCase(t, "token issued right after GlobalSignOut works", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		if _, err := u.c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(u.Access())}); err != nil {
			t.Fatalf("GlobalSignOut: %v", err)
		}
		u.tokens = u.signIn(t, u.Login)
		u.mustUpdate(t, nil, "name", "After sign-out")
	})
	attrsCase(t, "token without the admin scope", func(t *testing.T) {
		t.Skip("no operation Cognate serves issues an access token without aws.cognito.signin.user.admin (InitiateAuth always grants it; /oauth2/token is not served yet)")
	})
}

// ---------------------------------------------------------------------------
// Per-attribute rules (§1.4, §1.6, decisions 2, 6, 8, 11)

func attrsRuleTests(t *testing.T, ps *attrsPools) {
	p := ps.main
	ctx := context.Background()
	// rejects runs one rejected update as a fresh user of client.
	type rejection struct {
		name, client string
		nv           []string
		msg, golden  string
		notAuth      bool
	}
	cases := []rejection{
		{name: "unknown attribute", nv: []string{"foo", "bar"}, msg: "user.foo: Attribute does not exist in the schema.\n", golden: "rule_unknown_attribute"},
		{name: "custom attribute without custom: prefix", client: "granted", nv: []string{"x", "abcd"}, msg: "user.x: Attribute does not exist in the schema.\n", golden: "rule_custom_without_prefix"},
		{name: "sub", nv: []string{"sub", "0f0f0f0f-0000-4000-8000-000000000000"}, msg: attrsMsgSub, golden: "rule_sub"},
		{name: "sub blank", nv: []string{"sub", ""}, msg: attrsMsgSub, golden: "rule_sub"},
		{name: "immutable custom attribute", client: "granted", nv: []string{"custom:tier", "platinum"}, msg: "user.custom:tier: Attribute cannot be updated.\n", golden: "rule_immutable_custom"},
		{name: "immutable custom attribute blank", client: "granted", nv: []string{"custom:tier", ""}, msg: "user.custom:tier: Attribute cannot be updated.\n", golden: "rule_immutable_custom"},
		{name: "immutable standard attribute", client: "granted", nv: []string{"nickname", "Nick"}, msg: "user.nickname: Attribute cannot be updated.\n", golden: "rule_immutable_standard"},
		{name: "client without write permission", client: "limited", nv: []string{"name", "Ann"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "custom attribute needs an explicit grant", nv: []string{"custom:x", "abcd"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "custom attribute not in WriteAttributes", client: "granted", nv: []string{"custom:nogrant", "v"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "email_verified by the user", nv: []string{"email_verified", "true"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "phone_number_verified by the user", nv: []string{"phone_number_verified", "true"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "email_verified false by the user", client: "granted", nv: []string{"email_verified", "false"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "developer-only attribute by the user", client: "granted", nv: []string{"dev:custom:secret", "s"}, msg: attrsMsgNotAuthorizedWrite, notAuth: true, golden: "rule_unauthorized_write"},
		{name: "blank required attribute", nv: []string{"email", ""}, msg: "user.email: Required attribute cannot be deleted.\n", golden: "rule_required_blank"},
		{name: "first failure in request order wins", client: "granted", nv: []string{"name", "Ann", "custom:x", "ab", "foo", "bar", "sub", ""}, msg: "user.custom:x: String must be no shorter than 3 characters\n", golden: "value_string_min"},
		{name: "first failure in request order wins reversed", client: "granted", nv: []string{"foo", "bar", "custom:x", "ab"}, msg: "user.foo: Attribute does not exist in the schema.\n", golden: "rule_unknown_attribute"},
		{name: "sub after a bad email", client: "granted", nv: []string{"email", "nope", "sub", "x"}, msg: "Invalid email address format.", golden: "value_email"},
		{name: "one bad attribute among good ones", client: "granted", nv: []string{"name", "Ann", "custom:x", "good", "phone_number", "+15550001111", "email", attrsEmail(1), "given_name", "Ann", "birthdate", "1990-13-45"}, msg: "user.birthdate: Invalid birthdate format.\n", golden: "value_birthdate"},
	}
	for _, c := range cases {
		attrsCase(t, c.name, func(t *testing.T) {
			u := p.user(t, attrsUserOpts{client: c.client, attrs: []string{"custom:tier", "gold", "nickname", "Nicky", "name", "Old Name"}})
			before := u.snapshot(t)
			_, err := u.update(map[string]string{"k": "v"}, c.nv...)
			if c.notAuth {
				attrsReject[*types.NotAuthorizedException](t, u.rec, err, c.msg, c.golden)
			} else {
				attrsReject[*types.InvalidParameterException](t, u.rec, err, c.msg, c.golden)
			}
			u.unchanged(t, before)
		})
	}

	attrsCase(t, "null value", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{attrs: []string{"name", "Old Name"}})
		before := u.snapshot(t)
		_, err := u.c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
			AccessToken: aws.String(u.Access()), UserAttributes: []types.AttributeType{{Name: aws.String("name")}},
		})
		attrsReject[*types.InvalidParameterException](t, u.rec, err, "Attribute value for name must not be null", "rule_null_value")
		u.unchanged(t, before)
	})

	attrsCase(t, "blank value deletes non-required attributes", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{client: "granted", attrs: []string{"phone_number", "+15550001234", "phone_number_verified", "true", "name", "Ann", "custom:x", "abcd"}})
		before := u.snapshot(t)
		attrsSettle()
		out := u.mustUpdate(t, nil, "phone_number", "", "name", "", "custom:x", "")
		if len(out.CodeDeliveryDetailsList) != 0 {
			t.Errorf("CodeDeliveryDetailsList = %+v, want none", out.CodeDeliveryDetailsList)
		}
		got := attrsMap(u.admin(t).UserAttributes)
		attrsWant(t, got, "phone_number", "", "phone_number_verified", "", "name", "", "custom:x", "", "email", u.Email, "email_verified", "true")
		u.attrsMovedOn(t, before)
		if n := len(u.messages(t)); n != before.Messages {
			t.Errorf("%d messages sent by a deletion", n-before.Messages)
		}
	})

	attrsCase(t, "granted client writes custom attributes", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{client: "granted"})
		before := u.snapshot(t)
		attrsSettle()
		out := u.mustUpdate(t, nil, "custom:x", "abcdefgh", "custom:n", "10", "name", "Ann", "given_name", "Ann", "birthdate", "1990-02-28")
		if len(out.CodeDeliveryDetailsList) != 0 {
			t.Errorf("CodeDeliveryDetailsList = %+v, want none", out.CodeDeliveryDetailsList)
		}
		attrsWant(t, attrsMap(u.admin(t).UserAttributes), "custom:x", "abcdefgh", "custom:n", "10", "name", "Ann", "birthdate", "1990-02-28")
		u.attrsMovedOn(t, before)
		if n := len(u.invocations()); n != before.Invocations {
			t.Errorf("the Lambda ran for an update that sends nothing")
		}
	})
}

// ---------------------------------------------------------------------------
// Value constraints (§1.4, decision 6)

func attrsValueTests(t *testing.T, ps *attrsPools) {
	p := ps.main
	cases := []struct {
		name, attr, value, msg, golden string
	}{
		{"String shorter than MinLength", "custom:x", "ab", "user.custom:x: String must be no shorter than 3 characters\n", "value_string_min"},
		{"String longer than MaxLength", "custom:x", "abcdefghi", "user.custom:x: String must be no longer than 8 characters\n", "value_string_max"},
		{"Number not numeric", "custom:n", "ten", "user.custom:n: Number is not valid\n", "value_number_invalid"},
		{"Number under MinValue", "custom:n", "0", "user.custom:n: Number must be no less than 1\n", "value_number_min"},
		{"Number over MaxValue", "custom:n", "11", "user.custom:n: Number must be no greater than 10\n", "value_number_max"},
		{"Number NaN", "custom:n", "NaN", "user.custom:n: Number is not valid\n", "value_number_invalid"},
		{"Number Infinity", "updated_at", "Infinity", "user.updated_at: Number is not valid\n", "value_number_infinity"},
		{"birthdate not a date", "birthdate", "1990-13-45", "user.birthdate: Invalid birthdate format.\n", "value_birthdate"},
		{"email format", "email", "not-an-email", "Invalid email address format.", "value_email"},
		{"email with a space", "email", "a b@example.com", "Invalid email address format.", "value_email"},
		{"phone format", "phone_number", "5550001234", "Invalid phone number format.", "value_phone"},
		{"phone with a dash", "phone_number", "+1-555-000-1234", "Invalid phone number format.", "value_phone"},
	}
	for _, c := range cases {
		attrsCase(t, c.name, func(t *testing.T) {
			u := p.user(t, attrsUserOpts{client: "granted", attrs: []string{"custom:x", "abc", "custom:n", "5"}})
			before := u.snapshot(t)
			_, err := u.update(nil, c.attr, c.value)
			attrsReject[*types.InvalidParameterException](t, u.rec, err, c.msg, c.golden)
			u.unchanged(t, before)
		})
	}
	attrsCase(t, "values at the bounds are accepted", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{client: "granted"})
		for _, nv := range [][]string{
			{"custom:x", "abc"}, {"custom:x", "abcdefgh"}, {"custom:n", "1"}, {"custom:n", "10"}, {"custom:n", "2.5"},
			{"birthdate", "2000-02-29"}, {"phone_number", "+445550001234"},
		} {
			if _, err := u.update(nil, nv...); err != nil {
				t.Errorf("UpdateUserAttributes(%s=%q): %v", nv[0], nv[1], err)
			}
		}
	})
}

// attrsNames is a readable list of a delivery list, for failures.
func attrsNames(list []types.CodeDeliveryDetailsType) string {
	var b strings.Builder
	for _, d := range list {
		fmt.Fprintf(&b, "{%s %s %s}", aws.ToString(d.AttributeName), d.DeliveryMedium, aws.ToString(d.Destination))
	}
	return b.String()
}
