package bench

import (
	"io"
	"net/http"
	"strings"
)

// fakeCognito is a trivial Cognito: it answers the setup's calls with the
// ids the tool needs and every other call with {}, doing no work, so that
// what a load against it costs is the tool's (and net/http's) own.
type fakeCognito struct {
	// fail, when set, may turn an operation into an error answer.
	fail func(op string) (status int, errType string)
}

func newFakeCognito() *fakeCognito { return &fakeCognito{} }

var fakeAnswers = map[string]string{
	"CreateUserPool":       `{"UserPool":{"Id":"us-east-1_fake00000"}}`,
	"CreateUserPoolClient": `{"UserPoolClient":{"ClientId":"fakeclient0000000000000000"}}`,
	"InitiateAuth":         `{"AuthenticationResult":{"AccessToken":"eyJmYWtlIjp0cnVlfQ.e30.c2ln","ExpiresIn":3600,"TokenType":"Bearer"}}`,
}

func (f *fakeCognito) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	w.Header().Set("Content-Type", contentType)
	if f.fail != nil {
		if status, typ := f.fail(op); status != 0 {
			w.Header().Set("X-Amzn-Errortype", typ+":")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"__type":"`+typ+`","message":"fake failure"}`)
			return
		}
	}
	answer, ok := fakeAnswers[op]
	if !ok {
		answer = "{}"
	}
	_, _ = io.WriteString(w, answer)
}
