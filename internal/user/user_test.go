package user

import (
	"testing"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/userpool"
)

func TestParseFilter(t *testing.T) {
	for in, want := range map[string]*filter{
		`email = "a@example.com"`:           {attr: "email", value: "a@example.com"},
		`email="a@example.com"`:             {attr: "email", value: "a@example.com"},
		`family_name ^= "Re"`:               {attr: "family_name", value: "Re", prefix: true},
		`name = "say \"hi\""`:               {attr: "name", value: `say "hi"`},
		`cognito:user_status = "CONFIRMED"`: {attr: "cognito:user_status", value: "CONFIRMED"},
		`status = "Disabled"`:               {attr: "status", value: "Disabled"},
		`   `:                               nil,
	} {
		got, err := parseFilter(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if (got == nil) != (want == nil) || (got != nil && *got != *want) {
			t.Errorf("%q: got %+v, want %+v", in, got, want)
		}
	}
	for _, bad := range []string{`foo`, `email = a@example.com`, `email == "x"`, `email = "x`, `email = "x" and`, `custom:x = "1"`, `locale = "en"`, `= "x"`} {
		if _, err := parseFilter(bad); err == nil || err.Error() != "InvalidParameterException: Error while parsing filter." {
			t.Errorf("%q: got %v, want Error while parsing filter.", bad, err)
		}
	}
}

func testPool(cfg model.UserPoolType) pool {
	return pool{&userpool.Pool{Record: store.UserPool{ID: "us-east-1_abcdefghi"}, Config: cfg}}
}

func TestNewUsername(t *testing.T) {
	emailUser := testPool(model.UserPoolType{UsernameAttributes: []string{"email"}})
	u, implied, err := newUsername(emailUser, "Alice@Example.com", "sub-1")
	if err != nil || u != "sub-1" || implied == nil || implied.Name != "email" || implied.Value != "Alice@Example.com" {
		t.Fatalf("email username: %q %+v %v", u, implied, err)
	}
	for _, tc := range []struct {
		pool pool
		name string
		want string
	}{
		{emailUser, "alice", "Username should be an email."},
		{testPool(model.UserPoolType{UsernameAttributes: []string{"phone_number"}}), "alice", "Username should be a phone number."},
		{testPool(model.UserPoolType{UsernameAttributes: []string{"email", "phone_number"}}), "alice", "Username should be either an email or a phone number."},
		{testPool(model.UserPoolType{AliasAttributes: []string{"email"}}), "a@example.com", "Username cannot be of email format, since user pool is configured for email alias."},
	} {
		if _, _, err := newUsername(tc.pool, tc.name, "sub"); err == nil || err.(*model.Error).Message != tc.want {
			t.Errorf("%q: got %v, want %q", tc.name, err, tc.want)
		}
	}
	if u, implied, err := newUsername(testPool(model.UserPoolType{}), "a@example.com", "sub"); err != nil || u != "a@example.com" || implied != nil {
		t.Errorf("plain pool: %q %+v %v", u, implied, err)
	}
}

func TestCheckValue(t *testing.T) {
	str := model.SchemaAttributeType{AttributeDataType: ptr("String"), StringAttributeConstraints: &model.StringAttributeConstraintsType{MinLength: ptr("2"), MaxLength: ptr("4")}}
	num := model.SchemaAttributeType{AttributeDataType: ptr("Number"), NumberAttributeConstraints: &model.NumberAttributeConstraintsType{MinValue: ptr("1"), MaxValue: ptr("10")}}
	plain := model.SchemaAttributeType{AttributeDataType: ptr("String")}
	for _, tc := range []struct {
		name      string
		a         model.SchemaAttributeType
		attr, val string
		want      string
	}{
		{"email ok", plain, "email", "a@example.com", ""},
		{"email bad", plain, "email", "not-an-email", "Invalid email address format."},
		{"phone ok", plain, "phone_number", "+12065551234", ""},
		{"phone with spaces", plain, "phone_number", "+1 206 555 1234", "Invalid phone number format."},
		{"phone without plus", plain, "phone_number", "12065551234", "Invalid phone number format."},
		{"too short", str, "custom:x", "a", "String must be no shorter than 2 characters"},
		{"too long", str, "custom:x", "abcde", "String must be no longer than 4 characters"},
		{"number ok", num, "custom:n", "5", ""},
		{"not a number", num, "custom:n", "five", "Number is not valid"},
		{"below min", num, "custom:n", "0", "Number must be no less than 1"},
		{"above max", num, "custom:n", "11", "Number must be no greater than 10"},
		{"birthdate", plain, "birthdate", "1990-02-30", "Invalid birthdate format."},
		{"birthdate without year", plain, "birthdate", "0000-12-24", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := checkValue(tc.a, tc.attr, tc.val)
			got := ""
			if v != nil {
				got = v.msg
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFlowAllowed(t *testing.T) {
	client := func(flows ...string) appClient {
		return appClient{Client: &userpool.Client{Config: model.UserPoolClientType{ExplicitAuthFlows: flows}}}
	}
	for _, tc := range []struct {
		c    appClient
		flow string
		want bool
	}{
		{client(), model.AuthFlowTypeUserSrpAuth, true},
		{client(), model.AuthFlowTypeRefreshTokenAuth, true},
		{client(), model.AuthFlowTypeUserPasswordAuth, false},
		{client("ALLOW_USER_PASSWORD_AUTH"), model.AuthFlowTypeUserPasswordAuth, true},
		{client("ALLOW_USER_PASSWORD_AUTH"), model.AuthFlowTypeUserSrpAuth, false},
		{client("ALLOW_ADMIN_USER_PASSWORD_AUTH"), model.AuthFlowTypeAdminNoSrpAuth, true},
		{client("USER_PASSWORD_AUTH"), model.AuthFlowTypeUserSrpAuth, true},
		{client("USER_PASSWORD_AUTH"), model.AuthFlowTypeRefreshToken, true},
		{client("CUSTOM_AUTH_FLOW_ONLY"), model.AuthFlowTypeUserSrpAuth, false},
	} {
		if got := tc.c.flowAllowed(tc.flow); got != tc.want {
			t.Errorf("%v / %s: got %v", tc.c.Config.ExplicitAuthFlows, tc.flow, got)
		}
	}
}

func TestAliases(t *testing.T) {
	r := &Record{Attributes: []Attribute{{"email", "A@Example.com"}, {"phone_number", "+12065551234"}, {"preferred_username", "Al"}}}
	ua := testPool(model.UserPoolType{UsernameAttributes: []string{"email"}, UsernameConfiguration: &model.UsernameConfigurationType{CaseSensitive: ptr(false)}})
	if got := ua.aliases(r); len(got) != 1 || got["email"] != "a@example.com" {
		t.Errorf("username-attribute pool: %v (an unverified email is unique there, folded)", got)
	}
	alias := testPool(model.UserPoolType{AliasAttributes: []string{"email", "preferred_username"}})
	if got := alias.aliases(r); len(got) != 1 || got["preferred_username"] != "Al" {
		t.Errorf("alias pool, email unverified: %v", got)
	}
	r.Set("email_verified", "true")
	if got := alias.aliases(r); got["email"] != "A@Example.com" {
		t.Errorf("alias pool, email verified, case-sensitive: %v", got)
	}
}
