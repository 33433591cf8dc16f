package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/seed"
)

const mfaSeed = `pools:
  - Id: us-east-1_mfa1
    PoolName: mfa
    MfaConfig:
      MfaConfiguration: "ON"
      SoftwareTokenMfaConfiguration: {Enabled: true}
    clients:
      - ClientId: mfaclient01
        ClientName: web
        ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    users:
      - Username: tina
        Password: Passw0rd!
        MFA:
          SoftwareTokenSecret: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
          SoftwareTokenEnabled: true
          Preferred: SOFTWARE_TOKEN_MFA
`

// totpNow is the current RFC 6238 code of a base32 secret.
func totpNow(t *testing.T, secret string) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(time.Now().Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1_000_000)
}

func TestSeedMFA(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cognate.db")
	seedPath := filepath.Join(dir, "seed.yaml")
	writeFile(t, seedPath, mfaSeed)
	args := []string{"--db", db, "--seed", seedPath}
	mfaStamps := func(addr string) string {
		pool := call(t, addr, "DescribeUserPool", `{"UserPoolId":"us-east-1_mfa1"}`)
		user := call(t, addr, "AdminGetUser", `{"UserPoolId":"us-east-1_mfa1","Username":"tina"}`)
		return field(pool, "LastModifiedDate") + " " + field(user, "UserLastModifiedDate")
	}
	var first string
	must(t, runServe(t, args, func(addr string) {
		first = mfaStamps(addr)
		cfg := call(t, addr, "GetUserPoolMfaConfig", `{"UserPoolId":"us-east-1_mfa1"}`)
		if !strings.Contains(cfg, `"MfaConfiguration":"ON"`) {
			t.Fatalf("pool MFA: %s", cfg)
		}
		user := call(t, addr, "AdminGetUser", `{"UserPoolId":"us-east-1_mfa1","Username":"tina"}`)
		if !strings.Contains(user, `"PreferredMfaSetting":"SOFTWARE_TOKEN_MFA"`) {
			t.Fatalf("user MFA: %s", user)
		}
		ch := call(t, addr, "InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"mfaclient01","AuthParameters":{"USERNAME":"tina","PASSWORD":"Passw0rd!"}}`)
		if !strings.Contains(ch, `"ChallengeName":"SOFTWARE_TOKEN_MFA"`) {
			t.Fatalf("challenge: %s", ch)
		}
		code := totpNow(t, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
		tok := call(t, addr, "RespondToAuthChallenge", `{"ClientId":"mfaclient01","ChallengeName":"SOFTWARE_TOKEN_MFA","Session":`+field(ch, "Session")+`,"ChallengeResponses":{"USERNAME":"tina","SOFTWARE_TOKEN_MFA_CODE":"`+code+`"}}`)
		if !strings.Contains(tok, "IdToken") {
			t.Fatalf("sign-in with the seeded secret's code: %s", tok)
		}
	}))
	time.Sleep(5 * time.Millisecond)
	must(t, runServe(t, args, func(addr string) {
		if again := mfaStamps(addr); again != first {
			t.Fatalf("second start with the same file wrote: %s, then %s", first, again)
		}
	}))
	exported := exportDB(t, db)
	for _, want := range []string{"MfaConfig:", "MfaConfiguration: ON", "SoftwareTokenEnabled: true", "Preferred: SOFTWARE_TOKEN_MFA", "secret cannot be exported"} {
		if !strings.Contains(exported, want) {
			t.Errorf("export lacks %q:\n%s", want, exported)
		}
	}
	// The export applied to the same database changes nothing either.
	writeFile(t, seedPath, exported)
	must(t, runServe(t, args, func(addr string) {
		if again := mfaStamps(addr); again != first {
			t.Fatalf("applying the export wrote: %s, then %s", first, again)
		}
	}))
}

func TestSeedMFAErrors(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"Preferred: SOFTWARE_TOKEN_MFA", "Preferred: TOTP", "seed.yaml:17: pools[0].users[0].MFA.Preferred: "},
		{"SoftwareTokenSecret: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "SoftwareTokenSecret: not-base32!", "seed.yaml:15: pools[0].users[0].MFA.SoftwareTokenSecret: "},
		{`MfaConfiguration: "ON"`, "MfaConfiguration: SOMETIMES", "seed.yaml:5: pools[0].MfaConfig.MfaConfiguration: "},
	} {
		_, err := seed.Parse("seed.yaml", []byte(strings.Replace(mfaSeed, tc.from, tc.to, 1)))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %s…", tc.to, err, tc.want)
		}
	}
}
