package token

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const (
	poolA = "us-east-1_AbCdEfGhI"
	poolB = "us-east-1_ZyXwVuTsR"
)

func TestNewPoolKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	keys, err := f.svc.NewPoolKeys(ctx, poolA)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].Use != UseAccess || keys[1].Use != UseID {
		t.Fatalf("keys = %+v, want one access key and one id key", keys)
	}
	if keys[0].KID == keys[1].KID {
		t.Fatal("access and id keys share a kid")
	}
	jwk := regexp.MustCompile(`^\{"alg":"RS256","e":"AQAB","kid":"([A-Za-z0-9+/]{43}=)","kty":"RSA","n":"([A-Za-z0-9_-]{342})","use":"sig"\}$`)
	for _, k := range keys {
		if k.PoolID != poolA || !k.CreatedAt.Equal(start) {
			t.Errorf("key %s: pool %q created %v", k.KID, k.PoolID, k.CreatedAt)
		}
		m := jwk.FindStringSubmatch(string(k.Public))
		if m == nil {
			t.Fatalf("public JWK %s is not in Cognito's shape", k.Public)
		}
		if m[1] != k.KID || len(k.KID) != 44 {
			t.Errorf("JWK kid %q, key kid %q", m[1], k.KID)
		}
		// The kid is the SHA-256 of the public key's PKIX DER.
		_, pub, err := parseJWK(k.Public)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKIXPublicKey(pub)
		sum := sha256.Sum256(der)
		if got := base64.StdEncoding.EncodeToString(sum[:]); got != k.KID {
			t.Errorf("kid %s, SHA-256 of the PKIX key %s", k.KID, got)
		}
		if pub.N.BitLen() != 2048 {
			t.Errorf("key of %d bits", pub.N.BitLen())
		}
		// The private key is sealed, and bound to the pool and the kid.
		if _, err := x509.ParsePKCS8PrivateKey(k.Private); err == nil {
			t.Error("private key stored in the clear")
		}
		if _, err := f.cfg.Sealer.Open(k.Private, keyAAD(poolA, k.KID)); err != nil {
			t.Errorf("private key does not open: %v", err)
		}
		if _, err := f.cfg.Sealer.Open(k.Private, keyAAD(poolB, k.KID)); err == nil {
			t.Error("private key opens as another pool's")
		}
	}
	if _, err := f.svc.NewPoolKeys(ctx, "not a pool id"); err == nil {
		t.Error("NewPoolKeys accepted an invalid pool id")
	}
}

// Run fills the buffer, and NewPoolKeys takes from it instead of
// generating while the caller waits.
func TestKeyBuffer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.Run(ctx); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for len(f.svc.ready) < readyKeys {
		if time.Now().After(deadline) {
			t.Fatalf("buffer holds %d keys after a minute", len(f.svc.ready))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if n := len(f.svc.ready); n != readyKeys {
		t.Fatalf("buffer holds %d keys, want the bound %d", n, readyKeys)
	}
	began := time.Now()
	if _, err := f.svc.NewPoolKeys(context.Background(), poolA); err != nil {
		t.Fatal(err)
	}
	if n := len(f.svc.ready); n != readyKeys-2 {
		t.Errorf("buffer holds %d keys after a pool, want %d", n, readyKeys-2)
	}
	t.Logf("NewPoolKeys from the buffer: %v", time.Since(began))
	// With the buffer empty, keys are generated on the spot.
	for len(f.svc.ready) > 0 {
		<-f.svc.ready
	}
	if _, err := f.svc.NewPoolKeys(context.Background(), poolB); err != nil {
		t.Fatal(err)
	}
}

// The claims, their order and their JSON types are Cognito's; any change
// shows up as a diff against testdata/golden.
func TestIssueGolden(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	f.deterministic(1)
	tok := f.issue(t, poolA)

	if tok.ExpiresIn != 3600 {
		t.Errorf("ExpiresIn = %d, want 3600", tok.ExpiresIn)
	}
	for _, c := range []struct {
		name, token, use, jti string
	}{
		{"access", tok.AccessToken, UseAccess, tok.AccessJTI},
		{"id", tok.IDToken, UseID, tok.IDJTI},
	} {
		header, payload, _ := parts(t, c.token)
		wantHeader := `{"kid":"` + f.key(t, poolA, c.use).kid + `","alg":"RS256"}`
		if string(header) != wantHeader {
			t.Errorf("%s header = %s, want %s", c.name, header, wantHeader)
		}
		golden(t, c.name+".json", payload)
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			t.Fatal(err)
		}
		if m["jti"] != c.jti {
			t.Errorf("%s jti %v, Tokens says %q", c.name, m["jti"], c.jti)
		}
	}

	// Without token revocation there is no origin_jti and no jti.
	sub := subject(poolA)
	sub.OriginJTI = ""
	sub.AccessValidity, sub.IDValidity = 0, 0 // Cognito's default, an hour
	tok, err := f.svc.Issue(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessJTI != "" || tok.IDJTI != "" {
		t.Errorf("jtis %q %q without revocation", tok.AccessJTI, tok.IDJTI)
	}
	_, access, _ := parts(t, tok.AccessToken)
	golden(t, "access-no-revocation.json", access)
	_, id, _ := parts(t, tok.IDToken)
	golden(t, "id-no-revocation.json", id)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	got = append(bytes.Clone(got), '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got %s\nwant %s", name, got, want)
	}
}

func TestIssueTimes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	tok := f.issue(t, poolA)
	type times struct {
		AuthTime int64  `json:"auth_time"`
		Exp      int64  `json:"exp"`
		Iat      int64  `json:"iat"`
		EventID  string `json:"event_id"`
	}
	var a, id times
	_, p, _ := parts(t, tok.AccessToken)
	if err := json.Unmarshal(p, &a); err != nil {
		t.Fatal(err)
	}
	_, p, _ = parts(t, tok.IDToken)
	if err := json.Unmarshal(p, &id); err != nil {
		t.Fatal(err)
	}
	if a.Iat != start.Unix() || a.Exp != start.Unix()+3600 || a.AuthTime != start.Add(-10*time.Minute).Unix() {
		t.Errorf("access times %+v", a)
	}
	if id.Iat != start.Unix() || id.Exp != start.Unix()+1800 {
		t.Errorf("id times %+v", id)
	}
	if a.EventID != id.EventID {
		t.Errorf("event ids differ: %s %s", a.EventID, id.EventID)
	}
	if again := f.issue(t, poolA); again.AccessToken == tok.AccessToken || again.AccessJTI == tok.AccessJTI {
		t.Error("two sign-ins gave the same token or jti")
	}
}

func TestVerifyAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	tok := f.issue(t, poolA)
	info := &caller.Info{}
	ctx := caller.With(context.Background(), info)
	c, err := f.svc.VerifyAccess(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	want := subject(poolA)
	if c.PoolID != poolA || c.ClientID != want.ClientID || c.Username != want.Username || c.Sub != want.Sub ||
		c.OriginJTI != want.OriginJTI || c.JTI != tok.AccessJTI || c.Scope != AdminScope || c.TokenUse != "access" ||
		!slices.Equal(c.Groups, want.Groups) || c.Issuer != testPublicURL+"/"+poolA {
		t.Errorf("claims = %+v", c)
	}
	if !c.AuthTime.Equal(want.AuthTime.Truncate(time.Second)) || !c.ExpiresAt.Equal(start.Truncate(time.Second).Add(time.Hour)) {
		t.Errorf("auth_time %v exp %v", c.AuthTime, c.ExpiresAt)
	}
	// The issue time comes back to the millisecond.
	if !c.IssuedAt.Equal(start) {
		t.Errorf("IssuedAt = %v, want %v", c.IssuedAt, start)
	}
	if info.PoolID != poolA {
		t.Errorf("caller pool id %q", info.PoolID)
	}
	// Another instance, with a cold cache, agrees.
	if _, err := f.sibling().VerifyAccess(context.Background(), tok.AccessToken); err != nil {
		t.Errorf("another instance: %v", err)
	}
}

// Decision 17: a sign-out revokes what was issued before it and nothing
// issued after it, also within one second. The rule VerifyAccess documents
// is IssuedAt < signedOutAt.
func TestRevocationIsExactToTheMillisecond(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	second := start.Truncate(time.Second)
	issueAt := func(at time.Time) *AccessClaims {
		f.clock.Set(at)
		tok := f.issue(t, poolA)
		c, err := f.svc.VerifyAccess(context.Background(), tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	signedOut := second.Add(500 * time.Millisecond)
	before := issueAt(second.Add(499 * time.Millisecond))
	after := issueAt(second.Add(501 * time.Millisecond))
	same := issueAt(signedOut)
	revoked := func(c *AccessClaims) bool { return c.IssuedAt.UnixMilli() < signedOut.UnixMilli() }
	if !revoked(before) {
		t.Error("a token issued 1 ms before the sign-out is not revoked")
	}
	if revoked(after) {
		t.Error("a token issued 1 ms after the sign-out, in the same second, is revoked")
	}
	if revoked(same) {
		t.Error("a token issued in the sign-out's millisecond is revoked")
	}
	// The sub-second time rides in the event_id, a version 7 UUID; iat
	// stays in whole seconds.
	if before.IssuedAt.Unix() != after.IssuedAt.Unix() {
		t.Fatal("test tokens are not in one second")
	}
	if tm, ok := uuidTime(after.EventID); !ok || !tm.Equal(after.IssuedAt) {
		t.Errorf("event_id %s carries %v", after.EventID, tm)
	}
}

func TestVerifyAccessExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	tok := f.issue(t, poolA)
	exp := start.Truncate(time.Second).Add(time.Hour)
	f.clock.Set(exp.Add(-time.Millisecond))
	if _, err := f.svc.VerifyAccess(context.Background(), tok.AccessToken); err != nil {
		t.Fatalf("1 ms before exp: %v", err)
	}
	f.clock.Set(exp)
	_, err := f.svc.VerifyAccess(context.Background(), tok.AccessToken)
	wantAPIError(t, err, model.NotAuthorizedException, "Access Token has expired")
	// An expired token that is also forged is invalid, not expired.
	p := strings.Split(tok.AccessToken, ".")
	bad := p[0] + "." + p[1] + "." + enc.EncodeToString(bytes.Repeat([]byte{1}, 256))
	_, err = f.svc.VerifyAccess(context.Background(), bad)
	wantAPIError(t, err, model.NotAuthorizedException, "Invalid Access Token")
	// So is an expired ID token.
	_, err = f.svc.VerifyAccess(context.Background(), tok.IDToken)
	wantAPIError(t, err, model.NotAuthorizedException, "Invalid Access Token")
}

func TestAWSIssuer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withAWSIssuer())
	f.pool(t, poolA)
	tok := f.issue(t, poolA)
	c, err := f.svc.VerifyAccess(context.Background(), tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != "https://cognito-idp.us-east-1.amazonaws.com/"+poolA {
		t.Errorf("issuer %s", c.Issuer)
	}
	// A service with the local issuer shares the store but not the issuer:
	// it does not take the token.
	local := New(Config{Keys: f.store, Sealer: f.cfg.Sealer, Now: f.clock.Now, PublicURL: testPublicURL})
	_, err = local.VerifyAccess(context.Background(), tok.AccessToken)
	wantAPIError(t, err, model.NotAuthorizedException, "Invalid Access Token")

	if _, err := f.svc.Issue(context.Background(), Subject{PoolID: poolA, Region: "eu-west-1", ClientID: "c", Username: "u", Sub: "s"}); err == nil {
		t.Error("Issue took a region that is not the pool's")
	}
}

func TestIssueUnknownPool(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.svc.Issue(context.Background(), subject(poolA)); err == nil {
		t.Fatal("issued tokens for a pool without keys")
	}
}

// A key added after the cache was filled (rotation, by another instance) is
// found once the throttle allows a reload.
func TestUnknownKidReloads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	ctx := context.Background()
	f.issue(t, poolA)                   // fills the cache
	f.clock.Set(start.Add(time.Minute)) // the new key is younger
	newKeys, err := f.svc.NewPoolKeys(ctx, poolA)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.AddSigningKeys(ctx, newKeys[0]); err != nil {
		t.Fatal(err)
	}
	// A token signed by the new key, which this instance has not loaded.
	other := f.sibling()
	otherKeys, err := other.poolKeys(ctx, poolA)
	if err != nil {
		t.Fatal(err)
	}
	k := otherKeys.find(newKeys[0].KID)
	if k == nil {
		t.Fatal("new key not loaded")
	}
	claims := &AccessClaims{Sub: "s", Issuer: f.svc.Issuer(poolA), ClientID: "c", EventID: "e", TokenUse: "access",
		Scope: AdminScope, AuthTime: start, ExpiresAt: start.Add(time.Hour), IssuedAt: start, Username: "u"}
	tok, err := sign(k, claims)
	if err != nil {
		t.Fatal(err)
	}
	// Within the throttle window the cache is not reloaded.
	_, err = f.svc.VerifyAccess(ctx, tok)
	wantAPIError(t, err, model.NotAuthorizedException, "Invalid Access Token")
	// Once the window has passed, it is.
	f.svc.mu.Lock()
	f.svc.cache[poolA].loaded = time.Now().Add(-refreshEvery)
	f.svc.mu.Unlock()
	if _, err := f.svc.VerifyAccess(ctx, tok); err != nil {
		t.Fatalf("after the reload: %v", err)
	}
	// The newest access key now signs.
	if got := f.key(t, poolA, UseAccess).kid; got != newKeys[0].KID {
		t.Errorf("signing kid %s, want the newest %s", got, newKeys[0].KID)
	}
}

func TestRefreshToken(t *testing.T) {
	t.Parallel()
	pattern := regexp.MustCompile(`^[A-Za-z0-9-_=.]+$`)
	seen := map[string]bool{}
	for range 100 {
		tok, hash, err := NewRefreshToken()
		if err != nil {
			t.Fatal(err)
		}
		if !pattern.MatchString(tok) {
			t.Fatalf("%s does not match TokenModelType", tok)
		}
		p := strings.Split(tok, ".")
		if len(p) != 5 {
			t.Fatalf("%d parts", len(p))
		}
		h, err := enc.DecodeString(p[0])
		if err != nil || string(h) != `{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}` {
			t.Fatalf("header %s (%v)", h, err)
		}
		random := 0
		for _, part := range p[1:] {
			b, err := enc.DecodeString(part)
			if err != nil {
				t.Fatal(err)
			}
			random += len(b)
		}
		if random*8 < 256 {
			t.Fatalf("%d random bits", random*8)
		}
		sum := sha256.Sum256([]byte(tok))
		if hash != HashRefreshToken(tok) || len(hash) != 64 || hash != strings.ToLower(hash) ||
			hash != base16(sum[:]) {
			t.Fatalf("hash %s", hash)
		}
		if seen[tok] {
			t.Fatal("refresh token repeated")
		}
		seen[tok] = true
	}
}

func base16(b []byte) string {
	const digits = "0123456789abcdef"
	var s strings.Builder
	for _, c := range b {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&15])
	}
	return s.String()
}

func TestGetSigningCertificate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pool(t, poolA)
	ctx := context.Background()
	id := poolA
	out, err := f.svc.GetSigningCertificate(ctx, &model.GetSigningCertificateRequest{UserPoolId: &id})
	if err != nil {
		t.Fatal(err)
	}
	der, err := base64.StdEncoding.DecodeString(*out.Certificate)
	if err != nil {
		t.Fatalf("certificate is not base64 DER: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if !f.key(t, poolA, UseID).pub.Equal(cert.PublicKey) {
		t.Error("certificate is not of the pool's ID-token key")
	}
	if cert.Subject.CommonName != poolA || cert.NotAfter.Sub(cert.NotBefore) < 10*365*24*time.Hour {
		t.Errorf("subject %s, valid %v to %v", cert.Subject, cert.NotBefore, cert.NotAfter)
	}
	// The same certificate on every call and every instance.
	again, err := f.sibling().GetSigningCertificate(ctx, &model.GetSigningCertificateRequest{UserPoolId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if *again.Certificate != *out.Certificate {
		t.Error("another instance returns another certificate")
	}

	missing := poolB
	_, err = f.svc.GetSigningCertificate(ctx, &model.GetSigningCertificateRequest{UserPoolId: &missing})
	wantAPIError(t, err, model.ResourceNotFoundException, "User pool "+poolB+" does not exist.")
}

func TestClaimShapes(t *testing.T) {
	t.Parallel()
	c := &IDClaims{Sub: "s", Issuer: "i", Username: "u", Audience: "a", EventID: "e", TokenUse: "id",
		Attributes: []Claim{
			{Name: "email_verified", Value: "maybe"},          // not a boolean: kept as a string
			{Name: "updated_at", Value: "soon"},               // not a number: kept as a string
			{Name: "identities", Value: "[not json"},          // not JSON: kept as a string
			{Name: "custom:n", Value: "7"},                    // custom attributes are strings
			{Name: "custom:flag", Value: "1", Kind: KindBool}, // an explicit kind wins
			{Name: "iss", Value: "forged"},                    // never repeats a claim
			{Name: "bad", Value: "a\x00b\xffc\u2028d"},
		}}
	got, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sub":"s","email_verified":"maybe","iss":"i","cognito:username":"u","aud":"a","event_id":"e","token_use":"id",` +
		`"auth_time":-62135596800,"exp":-62135596800,"iat":-62135596800,` +
		`"updated_at":"soon","identities":"[not json","custom:n":"7","custom:flag":true,"bad":"a\u0000b\ufffdc\u2028d"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !json.Valid(got) {
		t.Error("not valid JSON")
	}
}
