package token

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/api/model"
)

// FuzzVerifyAccess: whatever the input, VerifyAccess does not panic and
// answers with claims or one of Cognito's two texts. The seed corpus
// (testdata/fuzz/FuzzVerifyAccess plus the tokens added here) runs with
// every go test; go test -fuzz=FuzzVerifyAccess explores further.
func FuzzVerifyAccess(f *testing.F) {
	fx := newFixture(f)
	fx.pool(f, poolA)
	tok := fx.issue(f, poolA)
	p := strings.Split(tok.AccessToken, ".")
	f.Add(tok.AccessToken)
	f.Add(tok.IDToken)
	f.Add(p[0] + "." + p[1])
	f.Add(p[0] + ".." + p[2])
	f.Add(enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + p[1] + ".")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := fx.svc.VerifyAccess(context.Background(), raw)
		if err == nil {
			if c == nil || c.TokenUse != "access" || c.PoolID != poolA {
				t.Fatalf("accepted %q with claims %+v", raw, c)
			}
			return
		}
		var e *model.Error
		if !errors.As(err, &e) || e.Type != model.NotAuthorizedException ||
			(e.Message != "Invalid Access Token" && e.Message != "Access Token has expired") {
			t.Fatalf("%q: error %v", raw, err)
		}
	})
}

func BenchmarkIssue(b *testing.B) {
	f := newFixture(b)
	f.pool(b, poolA)
	sub := subject(poolA)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Issue(ctx, sub); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyAccess(b *testing.B) {
	f := newFixture(b)
	f.pool(b, poolA)
	tok := f.issue(b, poolA)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.VerifyAccess(ctx, tok.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
}
