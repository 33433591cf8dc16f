package server_test

// UpdateUserAttributes acceptance suite, part 4: what takes time (token
// expiry, 24-hour codes), on a server of its own whose clock moves through
// the inspection API.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func (e *attrsEnv) advance(t *testing.T, d time.Duration) {
	t.Helper()
	resp, err := http.Post(e.w.URL+"/_cognate/clock", "application/json", strings.NewReader(fmt.Sprintf(`{"AdvanceSeconds":%g}`, d.Seconds())))
	if err != nil {
		t.Fatalf("POST /_cognate/clock: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /_cognate/clock: HTTP %d", resp.StatusCode)
	}
}

func TestAttrsClock(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := attrsStart(t, b)
		p := attrsMainPool(t, e)
		ctx := context.Background()
		expiring := p.user(t, attrsUserOpts{attrs: []string{"name", "Ann"}})
		coded := p.user(t, attrsUserOpts{})
		if _, err := coded.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: aws.String(coded.Access()), AttributeName: aws.String("email"),
		}); err != nil {
			t.Fatalf("GetUserAttributeVerificationCode: %v", err)
		}
		code := coded.lastMessage(t).Code

		// Just inside the code's 24 hours, a new code is still refused a
		// wrong guess and the clock has not expired it yet.
		e.advance(t, 24*time.Hour-time.Minute)
		coded.tokens = coded.signIn(t, coded.Login)
		attrsReject[*types.CodeMismatchException](t, coded.rec, coded.verify(attrsOtherCode(code)), attrsMsgMismatch, "verify_mismatch")
		e.advance(t, time.Minute)

		t.Run("expired access token", func(t *testing.T) {
			before := expiring.snapshot(t)
			_, err := expiring.update(nil, "name", "Bob", "email", attrsEmail(e.next()))
			attrsReject[*types.NotAuthorizedException](t, expiring.rec, err, "Access Token has expired", "token_expired")
			expiring.unchanged(t, before)
		})
		t.Run("code expired after 24 hours", func(t *testing.T) {
			coded.tokens = coded.signIn(t, coded.Login)
			before := coded.snapshot(t)
			attrsReject[*types.ExpiredCodeException](t, coded.rec, coded.verify(code), attrsMsgExpiredCode, "verify_expired")
			coded.unchanged(t, before)
			attrsWant(t, coded.getUser(t), "email_verified", "true")
		})
	})
}
