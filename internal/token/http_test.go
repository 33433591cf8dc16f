package token

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// serve mounts the handlers as internal/server does.
func (f *fixture) serve(t testing.TB) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /{poolID}/.well-known/jwks.json", f.svc.JWKSHandler())
	mux.Handle("GET /{poolID}/.well-known/openid-configuration", f.svc.DiscoveryHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t testing.TB, url string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// Tokens verify with independent libraries (go-jose for the JWKS,
// golang-jwt's parser for the tokens) against the JWKS as served.
func TestTokensVerifyAgainstServedJWKS(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	srv := f.serve(t)
	tok := f.issue(t, poolA)

	res, body := get(t, srv.URL+"/"+poolA+"/.well-known/jwks.json")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" ||
		res.Header.Get("Cache-Control") != "public, max-age=3600" {
		t.Fatalf("%d %v %s", res.StatusCode, res.Header, body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 {
		t.Fatalf("%d keys", len(set.Keys))
	}
	for _, k := range set.Keys {
		if k.Algorithm != "RS256" || k.Use != "sig" || !k.Valid() || !k.IsPublic() {
			t.Errorf("key %+v", k)
		}
	}
	keyfunc := func(tk *jwt.Token) (any, error) {
		kid, _ := tk.Header["kid"].(string)
		keys := set.Key(kid)
		if len(keys) != 1 {
			return nil, jwt.ErrTokenUnverifiable
		}
		return keys[0].Key, nil
	}
	parse := func(raw string) jwt.MapClaims {
		claims := jwt.MapClaims{}
		_, err := jwt.NewParser(
			jwt.WithValidMethods([]string{"RS256"}),
			jwt.WithIssuer(testPublicURL+"/"+poolA),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(func() time.Time { return start }),
		).ParseWithClaims(raw, claims, keyfunc)
		if err != nil {
			t.Fatal(err)
		}
		return claims
	}
	a := parse(tok.AccessToken)
	id := parse(tok.IDToken)
	if a["token_use"] != "access" || a["client_id"] != subject(poolA).ClientID {
		t.Errorf("access claims %v", a)
	}
	if id["token_use"] != "id" || id["aud"] != subject(poolA).ClientID || id["email_verified"] != true {
		t.Errorf("id claims %v", id)
	}
	ah, _, _ := parts(t, tok.AccessToken)
	ih, _, _ := parts(t, tok.IDToken)
	if string(ah) == string(ih) {
		t.Error("access and ID tokens signed with the same key")
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	srv := f.serve(t)
	res, body := get(t, srv.URL+"/"+poolA+"/.well-known/openid-configuration")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %v %s", res.StatusCode, res.Header, body)
	}
	want := `{"id_token_signing_alg_values_supported":["RS256"],` +
		`"issuer":"` + testPublicURL + `/` + poolA + `",` +
		`"jwks_uri":"` + testPublicURL + `/` + poolA + `/.well-known/jwks.json",` +
		`"response_types_supported":["code","token"],` +
		`"scopes_supported":["openid","email","phone","profile"],` +
		`"subject_types_supported":["public"],` +
		`"token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"]}`
	if string(body) != want {
		t.Errorf("got  %s\nwant %s", body, want)
	}
}

func TestWellKnownUnknownPool(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	srv := f.serve(t)
	for _, path := range []string{
		"/" + poolB + "/.well-known/jwks.json",
		"/" + poolB + "/.well-known/openid-configuration",
		"/not-a-pool-id/.well-known/jwks.json",
	} {
		res, body := get(t, srv.URL+path)
		if res.StatusCode != 404 || res.Header.Get("Content-Type") != "application/json" ||
			res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %v", path, res.StatusCode, res.Header)
		}
		var m map[string]string
		if err := json.Unmarshal(body, &m); err != nil || m["message"] == "" {
			t.Errorf("%s: body %s", path, body)
		}
	}
	_, body := get(t, srv.URL+"/"+poolB+"/.well-known/jwks.json")
	if string(body) != `{"message":"User pool `+poolB+` does not exist."}` {
		t.Errorf("body %s", body)
	}
}
