package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeedFill: cognate seed fill makes a pool of real, signed-in-able
// users quickly, skips names already taken, and adds to a given pool.
func TestSeedFill(t *testing.T) {
	db := filepath.Join(t.TempDir(), "fill.db")
	var out bytes.Buffer
	must(t, runSeed(t.Context(), []string{"fill", "--db", db, "--users", "25"}, env(nil), &out))
	poolID := strings.TrimSpace(out.String())
	if !strings.HasPrefix(poolID, "us-east-1_") {
		t.Fatalf("fill printed %q, want a pool id", out.String())
	}
	out.Reset()
	must(t, runSeed(t.Context(), []string{"fill", "--db", db, "--pool", poolID, "--from", "20", "--users", "10"}, env(nil), &out))

	err := runServe(t, []string{"--db", db}, func(addr string) {
		list := call(t, addr, "ListUsers", fmt.Sprintf(`{"UserPoolId":%q}`, poolID))
		if n := strings.Count(list, `"Username":`); n != 30 {
			t.Errorf("ListUsers found %d users, want 30 (25, then 20…29 with five taken)", n)
		}
		user := call(t, addr, "AdminGetUser", fmt.Sprintf(`{"UserPoolId":%q,"Username":"filler0000007@example.com"}`, poolID))
		for _, want := range []string{`"UserStatus":"CONFIRMED"`, `{"Name":"email","Value":"filler0000007@example.com"}`, `{"Name":"custom:bench","Value":"0"}`, `{"Name":"sub","Value":"`} {
			if !strings.Contains(user, want) {
				t.Errorf("AdminGetUser lacks %s: %s", want, user)
			}
		}
		client := field(call(t, addr, "CreateUserPoolClient", fmt.Sprintf(
			`{"UserPoolId":%q,"ClientName":"c","ExplicitAuthFlows":["ALLOW_USER_PASSWORD_AUTH","ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}`, poolID)), "ClientId")
		auth := call(t, addr, "InitiateAuth", fmt.Sprintf(
			`{"ClientId":%s,"AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"filler0000029@example.com","PASSWORD":"Filler-Passw0rd!"}}`, client))
		if !strings.Contains(auth, `"AccessToken":`) {
			t.Errorf("a filler user cannot sign in with its password: %s", auth)
		}
		// No SRP verifier: the handshake starts as for any user and can
		// only fail at PASSWORD_VERIFIER, never with a server error.
		srp := call(t, addr, "InitiateAuth", fmt.Sprintf(
			`{"ClientId":%s,"AuthFlow":"USER_SRP_AUTH","AuthParameters":{"USERNAME":"filler0000001@example.com","SRP_A":%q}}`, client, strings.Repeat("7", 768)))
		if !strings.Contains(srp, `"ChallengeName":"PASSWORD_VERIFIER"`) {
			t.Errorf("USER_SRP_AUTH of a filler user: %s", srp)
		}
	})
	must(t, err)

	for _, args := range [][]string{{"fill", "--db", db}, {"fill", "--db", db, "--users", "0"}, {"fill", "--db", ":memory:", "--users", "1"}, {"fill", "--db", db, "--users", "1", "--pool", "us-east-1_nosuchpool"}} {
		if err := runSeed(t.Context(), args, env(nil), &out); err == nil {
			t.Errorf("cognate seed %v: no error", args)
		}
	}
}
