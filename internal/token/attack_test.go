package token

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/api/model"
)

// Every forged, foreign or malformed token gets Cognito's one answer,
// "Invalid Access Token", whatever was wrong with it.
func TestVerifyAccessRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	f.pool(t, poolB)
	tok := f.issue(t, poolA)
	other := f.issue(t, poolB)

	access := f.key(t, poolA, UseAccess)
	idKey := f.key(t, poolA, UseID)
	foreign := f.key(t, poolB, UseAccess)

	p := strings.Split(tok.AccessToken, ".")
	_, payloadBytes, _ := parts(t, tok.AccessToken)
	payload := string(payloadBytes)
	header := func(alg, kid string) string { return `{"kid":"` + kid + `","alg":"` + alg + `"}` }
	withClaim := func(name, value string) string {
		var m map[string]any
		if err := json.Unmarshal(payloadBytes, &m); err != nil {
			t.Fatal(err)
		}
		m[name] = value
		b, _ := json.Marshal(m)
		return string(b)
	}
	rs256 := rsaSigner(t, access.priv, crypto.SHA256)
	hmacWith := func(secret []byte) func(string) []byte {
		return func(signing string) []byte {
			m := hmac.New(sha256.New, secret)
			m.Write([]byte(signing))
			return m.Sum(nil)
		}
	}
	pkix, _ := x509.MarshalPKIXPublicKey(access.pub)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	var jwk []byte
	{
		keys, _ := f.svc.publicKeys(context.Background(), poolA)
		jwk = keys[0].Public
	}

	cases := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "this is not a token"},
		{"two parts", p[0] + "." + p[1]},
		{"four parts", tok.AccessToken + ".e30"},
		{"empty signature", p[0] + "." + p[1] + "."},
		{"header not base64url", "!!!." + p[1] + "." + p[2]},
		{"header not JSON", enc.EncodeToString([]byte("kid")) + "." + p[1] + "." + p[2]},
		{"payload not an object", forge(header("RS256", access.kid), `["iss"]`, rs256)},
		{"tampered payload", p[0] + "." + enc.EncodeToString([]byte(strings.Replace(payload, `"username":"jane"`, `"username":"root"`, 1))) + "." + p[2]},
		{"tampered signature", p[0] + "." + p[1] + "." + enc.EncodeToString(make([]byte, 256))},
		{"alg none, no signature", enc.EncodeToString([]byte(header("none", access.kid))) + "." + p[1] + "."},
		{"alg none, signature kept", enc.EncodeToString([]byte(header("none", access.kid))) + "." + p[1] + "." + p[2]},
		{"alg None", forge(header("None", access.kid), payload, rs256)},
		{"HS256 with the PEM public key", forge(header("HS256", access.kid), payload, hmacWith(pemKey))},
		{"HS256 with the DER public key", forge(header("HS256", access.kid), payload, hmacWith(pkix))},
		{"HS256 with the JWK", forge(header("HS256", access.kid), payload, hmacWith(jwk))},
		{"RS512 with the right key", forge(header("RS512", access.kid), payload, rsaSigner(t, access.priv, crypto.SHA512))},
		{"PS256 label on RS256", forge(header("PS256", access.kid), payload, rs256)},
		{"alg lower case", forge(header("rs256", access.kid), payload, rs256)},
		{"no kid", forge(`{"alg":"RS256"}`, payload, rs256)},
		{"empty kid", forge(header("RS256", ""), payload, rs256)},
		{"unknown kid", forge(header("RS256", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), payload, rs256)},
		{"crit header", forge(`{"kid":"`+access.kid+`","alg":"RS256","crit":["exp"]}`, payload, rs256)},
		{"another pool's key, this pool's kid", forge(header("RS256", access.kid), payload, rsaSigner(t, foreign.priv, crypto.SHA256))},
		{"another pool's key and kid", forge(header("RS256", foreign.kid), payload, rsaSigner(t, foreign.priv, crypto.SHA256))},
		{"the pool's ID key", forge(header("RS256", idKey.kid), payload, rsaSigner(t, idKey.priv, crypto.SHA256))},
		{"an ID token", tok.IDToken},
		{"token_use id signed by the access key", forge(header("RS256", access.kid), withClaim("token_use", "id"), rs256)},
		{"no token_use", forge(header("RS256", access.kid), strings.Replace(payload, `"token_use":"access",`, "", 1), rs256)},
		{"another pool's ID token", other.IDToken},
		{"an unknown pool", forge(header("RS256", access.kid), withClaim("iss", testPublicURL+"/us-east-1_NoSuchPoo"), rs256)},
		{"issuer of another server", forge(header("RS256", access.kid), withClaim("iss", "https://evil.example/"+poolA), rs256)},
		{"issuer with a trailing slash", forge(header("RS256", access.kid), withClaim("iss", testPublicURL+"/"+poolA+"/"), rs256)},
		{"issuer with a path", forge(header("RS256", access.kid), withClaim("iss", testPublicURL+"/x/"+poolA), rs256)},
		{"AWS issuer on a local server", forge(header("RS256", access.kid), withClaim("iss", "https://cognito-idp.us-east-1.amazonaws.com/"+poolA), rs256)},
		{"issuer of the other pool", forge(header("RS256", access.kid), withClaim("iss", testPublicURL+"/"+poolB), rs256)},
		{"issuer changed, signature kept", p[0] + "." + enc.EncodeToString([]byte(strings.Replace(payload, poolA, poolB, 1))) + "." + p[2]},
		{"no issuer", forge(header("RS256", access.kid), strings.Replace(payload, `"iss":"`+testPublicURL+`/`+poolA+`",`, "", 1), rs256)},
		{"exp as a string", forge(header("RS256", access.kid), withClaim("exp", "9999999999"), rs256)},
		{"too long", strings.Repeat("a", maxTokenLen+1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.svc.VerifyAccess(context.Background(), c.token)
			if got != nil {
				t.Errorf("claims returned: %+v", got)
			}
			wantAPIError(t, err, model.NotAuthorizedException, "Invalid Access Token")
		})
	}
	// The real token still passes: the table rejects forgeries, not tokens.
	if _, err := f.svc.VerifyAccess(context.Background(), tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VerifyAccess(context.Background(), other.AccessToken); err != nil {
		t.Fatal(err)
	}
	// A correctly signed token missing a claim the caller relies on.
	noSub := forge(header("RS256", access.kid), strings.Replace(payload, `"sub":"`+subject(poolA).Sub+`",`, "", 1), rs256)
	_, err := f.svc.VerifyAccess(context.Background(), noSub)
	wantAPIError(t, err, model.NotAuthorizedException, "Invalid Access Token")
}
