package api

import "testing"

func TestMayBeMiscased(t *testing.T) {
	for body, want := range map[string]bool{
		`{"UserPoolId":"us-east-1_x","Username":"a"}`:                     false,
		`{"userPoolId":"us-east-1_x"}`:                                    true,
		`{"AccessToken":"t","UserAttributes":[{"name":"email"}]}`:         true,
		`{"ClientMetadata":{"campaign":"x","Name":"y"}}`:                  false,
		`{"ClientMetadata":{"username":"x"}}`:                             true, // folds to a member: careful path, same result
		`{"AuthParameters":{"USERNAME":"a","PASSWORD":"b"}}`:              true,
		`{"Unknown":"x","Other":1}`:                                       false,
		`{"Name":"a\"b"}`:                                                 false,
		`{"Na\u006de":"x"}`:                                               true,
		`{"UserPoolId" : "x", "Username"  :"y"}`:                          false,
		`{"UserAttributes":[{"Name":"email","Value":"\"Name\":tricky"}]}`: false,
	} {
		if got := mayBeMiscased([]byte(body)); got != want {
			t.Errorf("%s: got %v, want %v", body, got, want)
		}
	}
}

func TestHasNUL(t *testing.T) {
	for body, want := range map[string]bool{
		`{"Name":"a\u0000b"}`:  true,
		`{"Name":"a\\u0000b"}`: false, // an escaped backslash, then text
		`{"Name":"a\u00000"}`:  true,
		`{"Name":"a\u0001"}`:   false,
		`{"Name":"plain"}`:     false,
	} {
		if got := hasNUL([]byte(body)); got != want {
			t.Errorf("%s: got %v, want %v", body, got, want)
		}
	}
}
