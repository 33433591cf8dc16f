package token

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// claimNames returns the member names of a JSON object in document order.
func claimNames(t *testing.T, payload []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("payload %s is not an object: %v", payload, err)
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// The group claims of an ID token are where AWS's sample payload has them:
// cognito:groups after sub, cognito:preferred_role between email_verified
// and iss, cognito:roles between origin_jti and aud.
func TestIDTokenGroupClaimOrder(t *testing.T) {
	c := &IDClaims{
		Sub: "s", Groups: []string{"admins", "editors"}, Issuer: "https://issuer", Username: "jane",
		OriginJTI: "o", Audience: "client", EventID: "e", TokenUse: "id",
		AuthTime: time.Unix(1, 0), ExpiresAt: time.Unix(3, 0), IssuedAt: time.Unix(2, 0), JTI: "j",
		Attributes: []Claim{
			{Name: "email_verified", Value: "true"}, {Name: "phone_number_verified", Value: "false"},
			{Name: "email", Value: "jane@example.com"},
		},
		Roles:         []string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"},
		PreferredRole: "arn:aws:iam::123456789012:role/a",
	}
	b, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sub", "cognito:groups", "email_verified", "cognito:preferred_role", "iss", "phone_number_verified",
		"cognito:username", "origin_jti", "cognito:roles", "aud", "event_id", "token_use", "auth_time", "exp", "iat", "jti", "email"}
	if got := claimNames(t, b); !slices.Equal(got, want) {
		t.Errorf("claims %q\nwant   %q", got, want)
	}
	var decoded struct {
		Roles     []string `json:"cognito:roles"`
		Preferred string   `json:"cognito:preferred_role"`
	}
	if err := json.Unmarshal(b, &decoded); err != nil || !slices.Equal(decoded.Roles, c.Roles) || decoded.Preferred != c.PreferredRole {
		t.Errorf("decoded roles %q, preferred %q, %v", decoded.Roles, decoded.Preferred, err)
	}

	// Without groups or roles, none of the three claims appears.
	c.Groups, c.Roles, c.PreferredRole = nil, nil, ""
	b, _ = c.MarshalJSON()
	for _, name := range claimNames(t, b) {
		if name == "cognito:groups" || name == "cognito:roles" || name == "cognito:preferred_role" {
			t.Errorf("claim %s present without groups: %s", name, b)
		}
	}
}
