package model

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// decodeInput decodes body into the operation's input as the dispatcher does.
func decodeInput(t testing.TB, op, body string) Input {
	t.Helper()
	o, ok := Operations[op]
	if !ok {
		t.Fatalf("no operation %s", op)
	}
	in := o.NewInput()
	if err := json.Unmarshal([]byte(body), in); err != nil {
		t.Fatalf("%s: decode %s: %v", op, body, err)
	}
	return in
}

func validationMessage(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestValidate(t *testing.T) {
	const (
		token      = `"AccessToken":"eyJraWQiOiJrMSJ9.eyJzdWIiOiJ1MSJ9.c2ln"`
		pool       = `"UserPoolId":"us-east-1_Example1"`
		namePat    = `[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+`
		emoji16    = "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀" // 32 UTF-16 units
		attrsValid = `"UserAttributes":[{"Name":"email","Value":"a@example.com"}]`
	)
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		op   string
		body string
		want string // "" when valid
	}{
		// Texts recorded from the live service (cognito-behaviour.md §7 item 6).
		{
			name: "empty access token fails the pattern, value hidden",
			op:   "UpdateUserAttributes",
			body: `{"AccessToken":"",` + attrsValid + `}`,
			want: "1 validation error detected: Value at 'accessToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+",
		},
		{
			name: "missing access token is sensitive: Value at, not Value null at",
			op:   "UpdateUserAttributes",
			body: `{` + attrsValid + `}`,
			want: "1 validation error detected: Value at 'accessToken' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "empty attribute name reports length then pattern",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,"UserAttributes":[{"Name":"","Value":"x"}]}`,
			want: "2 validation errors detected: " +
				"Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: " + namePat,
		},
		{
			name: "attribute name of 33 characters",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,"UserAttributes":[{"Name":"` + long(33) + `"}]}`,
			want: "1 validation error detected: Value '" + long(33) + "' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32",
		},
		{
			name: "missing attribute name",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,"UserAttributes":[{"Value":"x"}]}`,
			want: "1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "JSON null is the same as missing",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,"UserAttributes":[{"Name":null}]}`,
			want: "1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "attribute value over 2048 is sensitive",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,"UserAttributes":[{"Name":"email","Value":"` + long(2049) + `"}]}`,
			want: "1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048",
		},
		{
			name: "second list element is index 2",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,"UserAttributes":[{"Name":"email"},{"Value":"x"}]}`,
			want: "1 validation error detected: Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "lengths count UTF-16 units: 16 emoji are 32",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,"UserAttributes":[{"Name":"` + emoji16 + `"}]}`,
		},
		{
			name: "lengths count UTF-16 units: 17 emoji are 34",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,"UserAttributes":[{"Name":"` + emoji16 + `😀"}]}`,
			want: "1 validation error detected: Value '" + emoji16 + "😀' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32",
		},
		{
			name: "violations follow model member order",
			op:   "UpdateUserAttributes",
			body: `{}`,
			want: "2 validation errors detected: " +
				"Value null at 'userAttributes' failed to satisfy constraint: Member must not be null; " +
				"Value at 'accessToken' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "valid update",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,` + attrsValid + `,"ClientMetadata":{"k":"v"}}`,
		},
		{
			name: "unknown members are ignored",
			op:   "UpdateUserAttributes",
			body: `{` + token + `,` + attrsValid + `,"Bogus":[1,2,{"x":null}]}`,
		},

		// CreateUserPool: enum, nested integer range, pattern, list counts.
		{
			name: "enum in the order the live service lists it",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","MfaConfiguration":"false"}`,
			want: "1 validation error detected: Value 'false' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OPTIONAL, OFF, ON]",
		},
		{
			name: "nested integer below minimum",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","Policies":{"PasswordPolicy":{"MinimumLength":5}}}`,
			want: "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6",
		},
		{
			name: "nested integer above maximum",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","Policies":{"PasswordPolicy":{"MinimumLength":100}}}`,
			want: "1 validation error detected: Value '100' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value less than or equal to 99",
		},
		{
			name: "pool name pattern",
			op:   "CreateUserPool",
			body: `{"PoolName":"bad/name"}`,
			want: `1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`,
		},
		{
			name: "pool name may contain Java whitespace, vertical tab included",
			op:   "CreateUserPool",
			body: `{"PoolName":"my pool\u000b2"}`,
		},
		{
			name: "several violations in member order",
			op:   "CreateUserPool",
			body: `{"PoolName":"bad/name","MfaConfiguration":"false","Policies":{"PasswordPolicy":{"MinimumLength":5}}}`,
			want: "3 validation errors detected: " +
				`Value 'bad/name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+; ` +
				"Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6; " +
				"Value 'false' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OPTIONAL, OFF, ON]",
		},
		{
			name: "empty list below minimum count",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","Schema":[]}`,
			want: "1 validation error detected: Value '[]' at 'schema' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name: "structure inside a list",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","Schema":[{"Name":"ok"},{"Name":"` + long(21) + `"}]}`,
			want: "1 validation error detected: Value '" + long(21) + "' at 'schema.2.member.name' failed to satisfy constraint: Member must have length less than or equal to 20",
		},
		{
			name: "list of enums reports once at the list, all constraints listed",
			op:   "CreateUserPoolClient",
			body: `{` + pool + `,"ClientName":"app","ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH","ADMIN_USER_PASSWORD_AUTH","NOPE"]}`,
			// Same form as a live response quoted in awslabs/aws-cloudformation-user-guide#525;
			// the values are in model order, the live order is unknown for this set.
			want: "1 validation error detected: Value '[ALLOW_USER_SRP_AUTH, ADMIN_USER_PASSWORD_AUTH, NOPE]' at 'explicitAuthFlows' failed to satisfy constraint: " +
				"Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH]]",
		},
		{
			name: "list of strings: maximum, minimum and pattern listed together",
			op:   "CreateUserPoolClient",
			body: `{` + pool + `,"ClientName":"app","CallbackURLs":["https://example.com/cb","https://example.com/a b"]}`,
			want: "1 validation error detected: Value '[https://example.com/cb, https://example.com/a b]' at 'callbackURLs' failed to satisfy constraint: " +
				`Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+]`,
		},
		{
			name: "map keys",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","UserPoolTags":{"team":"a","":"b"}}`,
			want: "1 validation error detected: Value '{=b, team=a}' at 'userPoolTags' failed to satisfy constraint: " +
				"Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
		},
		{
			name: "map values",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","UserPoolTags":{"team":"` + long(257) + `"}}`,
			want: "1 validation error detected: Value '{team=" + long(257) + "}' at 'userPoolTags' failed to satisfy constraint: " +
				"Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]",
		},
		{
			name: "valid pool",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","MfaConfiguration":"OFF","Policies":{"PasswordPolicy":{"MinimumLength":8}},"Schema":[{"Name":"tenant","AttributeDataType":"String"}],"UserPoolTags":{"team":"a"}}`,
		},

		// Sensitive shapes.
		{
			name: "client id is sensitive in the model",
			op:   "DescribeUserPoolClient",
			body: `{` + pool + `,"ClientId":"a b"}`,
			want: `1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+`,
		},
		{
			name: "user pool id is not sensitive",
			op:   "DescribeUserPoolClient",
			body: `{"UserPoolId":"ap-northeast-1","ClientId":"abc"}`,
			want: `1 validation error detected: Value 'ap-northeast-1' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`,
		},
		{
			name: "sensitive map hides its contents",
			op:   "InitiateAuth",
			body: `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"PASSWORD":"` + long(131073) + `"}}`,
			want: "1 validation error detected: Value at 'authParameters' failed to satisfy constraint: " +
				"Map value must satisfy constraint: [Member must have length less than or equal to 131072, Member must have length greater than or equal to 0]",
		},
		{
			name: "members of a sensitive structure are hidden",
			op:   "InitiateAuth",
			body: `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","UserContextData":{"IpAddress":"` + long(131073) + `"}}`,
			want: "1 validation error detected: Value at 'userContextData.ipAddress' failed to satisfy constraint: Member must have length less than or equal to 131072",
		},
		{
			name: "missing sensitive and non-sensitive members",
			op:   "InitiateAuth",
			body: `{}`,
			want: "2 validation errors detected: " +
				"Value null at 'authFlow' failed to satisfy constraint: Member must not be null; " +
				"Value at 'clientId' failed to satisfy constraint: Member must not be null",
		},

		// Other member kinds.
		{
			name: "integer maximum",
			op:   "ListUsers",
			body: `{` + pool + `,"Limit":61}`,
			want: "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60",
		},
		{
			name: "negative integer",
			op:   "ListUsers",
			body: `{` + pool + `,"Limit":-1}`,
			want: "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0",
		},
		{
			name: "blob length as Java prints a ByteBuffer; acronym member cSS",
			op:   "SetUICustomization",
			body: `{` + pool + `,"CSS":"","ImageFile":"` + base64.StdEncoding.EncodeToString(make([]byte, 131073)) + `"}`,
			want: "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=131073 cap=131073]' at 'imageFile' failed to satisfy constraint: Member must have length less than or equal to 131072",
		},
		{
			name: "document member null is missing",
			op:   "CompleteWebAuthnRegistration",
			body: `{` + token + `,"Credential":null}`,
			want: "1 validation error detected: Value null at 'credential' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "document member accepts any JSON",
			op:   "CompleteWebAuthnRegistration",
			body: `{` + token + `,"Credential":{"id":"x","response":[1,true,null]}}`,
		},
		{
			name: "message template needs its placeholder",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","SmsVerificationMessage":"Your code"}`,
			want: `1 validation error detected: Value 'Your code' at 'smsVerificationMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\{####\}.*`,
		},
		{
			name: "Java's dot does not match a carriage return",
			op:   "CreateUserPool",
			body: `{"PoolName":"pool","SmsVerificationMessage":"Code:\r{####}"}`,
			want: "1 validation error detected: Value 'Code:\r{####}' at 'smsVerificationMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\{####\\}.*",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := decodeInput(t, tt.op, tt.body)
			err := in.Validate()
			if got := validationMessage(err); got != tt.want {
				t.Errorf("Validate()\n got: %q\nwant: %q", got, tt.want)
			}
			if err == nil {
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is %T, want *ValidationError", err)
			}
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.Type != InvalidParameterException || apiErr.Message != tt.want {
				t.Errorf("errors.As(*Error) = %+v", apiErr)
			}
		})
	}
}

// Every generated seed body is valid, and an empty body reports exactly the
// required top-level members, in order.
func TestSeedsValidAndEmptyBodies(t *testing.T) {
	m := loadTestModel(t)
	for _, name := range OperationNames() {
		seed, ok := SeedBodies[name]
		if !ok {
			t.Errorf("%s: no seed body", name)
			continue
		}
		if err := decodeInput(t, name, seed).Validate(); err != nil {
			t.Errorf("%s: seed %s: %v", name, seed, err)
		}
		err := decodeInput(t, name, `{}`).Validate()
		var want []string
		for _, mem := range m.members(m.Operations[name].Input.Shape) {
			if mem.required {
				want = append(want, "'"+strings.ToLower(mem.name[:1])+mem.name[1:]+"' failed to satisfy constraint: Member must not be null")
			}
		}
		var got []string
		if err != nil {
			got = err.(*ValidationError).Violations
		}
		if len(got) != len(want) {
			t.Errorf("%s: {} gave %q, want %d null violations", name, got, len(want))
			continue
		}
		for i := range want {
			if !strings.HasSuffix(got[i], want[i]) {
				t.Errorf("%s: violation %d = %q, want suffix %q", name, i, got[i], want[i])
			}
		}
	}
}

func TestValidationErrorFormat(t *testing.T) {
	one := &ValidationError{Violations: []string{"a"}}
	if got := one.Error(); got != "1 validation error detected: a" {
		t.Errorf("one: %q", got)
	}
	three := &ValidationError{Violations: []string{"a", "b", "c"}}
	if got := three.Error(); got != "3 validation errors detected: a; b; c" {
		t.Errorf("three: %q", got)
	}
	if e := three.APIError(); e.Type != "InvalidParameterException" || e.Error() != "InvalidParameterException: 3 validation errors detected: a; b; c" {
		t.Errorf("APIError: %+v", e)
	}
}

func TestValidateNilInput(t *testing.T) {
	var in *UpdateUserAttributesRequest
	if err := in.Validate(); err != nil {
		t.Errorf("nil input: %v", err)
	}
}

// Validation runs on every request, so a valid one must not allocate.
func TestValidateDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	for _, op := range []string{"UpdateUserAttributes", "CreateUserPool", "CreateUserPoolClient", "InitiateAuth"} {
		body := SeedBodies[op]
		switch op {
		case "UpdateUserAttributes":
			body = `{"AccessToken":"abc.def.ghi","UserAttributes":[{"Name":"email","Value":"a@example.com"},{"Name":"name","Value":"A"}],"ClientMetadata":{"k":"v"}}`
		case "CreateUserPool":
			body = `{"PoolName":"pool","MfaConfiguration":"OFF","Policies":{"PasswordPolicy":{"MinimumLength":8}},"Schema":[{"Name":"tenant","AttributeDataType":"String"}],"UserPoolTags":{"team":"a"}}`
		case "CreateUserPoolClient":
			body = `{"UserPoolId":"us-east-1_Example1","ClientName":"app","ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH"],"CallbackURLs":["https://example.com/cb"]}`
		case "InitiateAuth":
			body = `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"u","PASSWORD":"p"},"UserContextData":{"IpAddress":"192.0.2.1"}}`
		}
		in := decodeInput(t, op, body)
		if err := in.Validate(); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = in.Validate() }); n != 0 {
			t.Errorf("%s: Validate allocates %v times per call", op, n)
		}
	}
}

func BenchmarkValidateUpdateUserAttributes(b *testing.B) {
	in := decodeInput(b, "UpdateUserAttributes", `{"AccessToken":"abc.def.ghi","UserAttributes":[{"Name":"email","Value":"a@example.com"},{"Name":"name","Value":"A"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		_ = in.Validate()
	}
}

// Cognito accepts a space inside a password and refuses one at either end,
// with the pattern it really checks (tools/apigen livePatterns).
func TestPasswordPatternAsTheLiveService(t *testing.T) {
	for pw, ok := range map[string]bool{"Passw0rd!": true, "pass word 1A!": true, " Passw0rd!": false, "Passw0rd! ": false, "x": false} {
		in := &AdminSetUserPasswordRequest{UserPoolId: ptrTo("us-east-1_abcdefghi"), Username: ptrTo("alice"), Password: ptrTo(pw)}
		err := in.Validate()
		if (err == nil) != ok {
			t.Errorf("%q: err = %v, want ok=%v", pw, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), `regular expression pattern: ^[\S]+.*[\S]+$`) {
			t.Errorf("%q: %v", pw, err)
		}
	}
}

// Values and violation lists are bounded (validation.go): a long value is
// cut at a character boundary and marked, violations past MaxMessageBytes
// are counted, not listed.
func TestValidationMessageBounds(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"short", "abc", "abc"},
		{"at the cap", strings.Repeat("a", MaxEchoedValue), strings.Repeat("a", MaxEchoedValue)},
		{"over the cap", strings.Repeat("a", MaxEchoedValue+1), strings.Repeat("a", MaxEchoedValue) + "..."},
		{"inside a character", strings.Repeat("a", MaxEchoedValue-1) + "é", strings.Repeat("a", MaxEchoedValue-1) + "..."},
	} {
		if got := clip(tc.in); got != tc.want {
			t.Errorf("%s: clip gave %d bytes ending %q", tc.name, len(got), got[max(0, len(got)-6):])
		}
	}
	var v violations
	for range 100_000 {
		v.add(nil, "name", false, "", "Member must have length greater than or equal to 1")
	}
	err := v.err().(*ValidationError)
	if err.Omitted == 0 || len(err.Violations)+err.Omitted != 100_000 {
		t.Fatalf("%d listed, %d omitted", len(err.Violations), err.Omitted)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "100000 validation errors detected: Value '' at 'name' failed") ||
		!strings.HasSuffix(msg, "; ... ("+strconv.Itoa(err.Omitted)+" more)") || len(msg) > MaxMessageBytes+200 {
		t.Errorf("message of %d bytes: %.100q … %q", len(msg), msg, msg[len(msg)-40:])
	}
	var list []string
	for range 50_000 {
		list = append(list, "x")
	}
	if got := renderList(list, renderString); len(got) > MaxEchoedValue+10 {
		t.Errorf("renderList printed %d bytes", len(got))
	}
}
