package server_test

// Issue 12, item 2: with PreventUserExistenceErrors ENABLED a caller cannot
// tell a login that names no user from a real user's, by the answer, its
// shape, the limits it meets, or how long it takes (AWS's "Managing user
// existence error responses"). On SQLite and PostgreSQL.

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

var uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// enumEnv is a pool whose username is the email, a client that hides user
// existence, a confirmed user and an unconfirmed one.
type enumEnv struct {
	*userEnv
	poolID, clientID string
}

const (
	enumKnown       = "known@example.com"
	enumUnconfirmed = "pending@example.com"
	enumUnknown     = "nobody@example.com"
)

func newEnumEnv(t *testing.T, b backend) *enumEnv {
	t.Helper()
	e := &enumEnv{userEnv: newUserEnv(t, b, withClock(userFrozenClock()))}
	ctx := context.Background()
	e.poolID = e.newPool(t, &cip.CreateUserPoolInput{
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	e.clientID = aws.ToString(e.newClient(t, e.poolID, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = userTestFlows
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}).ClientId)
	e.confirmedUser(t, e.poolID, enumKnown, userPassword, userAttrs("email_verified", "true")...)
	if _, err := e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(e.clientID), Username: aws.String(enumUnconfirmed), Password: aws.String(userPassword)}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	return e
}

// answer is an error as a caller sees it, or "ok".
func answer(err error) string {
	if err == nil {
		return "ok"
	}
	return errText(err)
}

// errText is an error as "<type>: <message>".
func errText(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

func TestEnumerationAnswers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newEnumEnv(t, b)
		ctx := context.Background()

		t.Run("password sign-in and its lockout", func(t *testing.T) {
			for _, login := range []string{enumKnown, enumUnknown} {
				var seq []string
				for range 8 {
					_, err := e.passwordAuth(e.clientID, login, "Wr0ng-Passw0rd!")
					seq = append(seq, answer(err))
				}
				want := []string{wrongPassword, wrongPassword, wrongPassword, wrongPassword, wrongPassword, wrongPassword, lockedOut, lockedOut}
				if !slices.Equal(seq, want) {
					t.Errorf("%s: answers %q, want %q", login, seq, want)
				}
			}
		})

		t.Run("SRP", func(t *testing.T) {
			start := func(login string) map[string]string {
				t.Helper()
				out, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(e.clientID),
					AuthParameters: map[string]string{"USERNAME": login, "SRP_A": newUserSRPClient(t).srpA()}})
				if err != nil {
					t.Fatalf("InitiateAuth USER_SRP_AUTH %s: %v", login, err)
				}
				return out.ChallengeParameters
			}
			k, u1, u2 := start(enumKnown), start(enumUnknown), start(enumUnknown)
			if !uuidShape.MatchString(u1["USER_ID_FOR_SRP"]) || !uuidShape.MatchString(k["USER_ID_FOR_SRP"]) {
				t.Errorf("USER_ID_FOR_SRP known %q, unknown %q: want both UUID-shaped", k["USER_ID_FOR_SRP"], u1["USER_ID_FOR_SRP"])
			}
			if u1["SALT"] != u2["SALT"] || u1["USER_ID_FOR_SRP"] != u2["USER_ID_FOR_SRP"] {
				t.Errorf("an unknown name got salt %s then %s, id %s then %s: AWS gives the same for the same name",
					u1["SALT"], u2["SALT"], u1["USER_ID_FOR_SRP"], u2["USER_ID_FOR_SRP"])
			}
			if len(u1["SALT"]) != len(k["SALT"]) {
				t.Errorf("SALT lengths differ: known %d, unknown %d", len(k["SALT"]), len(u1["SALT"]))
			}
			kb, _ := base64.StdEncoding.DecodeString(k["SECRET_BLOCK"])
			ub, _ := base64.StdEncoding.DecodeString(u1["SECRET_BLOCK"])
			// B's bytes may have a leading zero less, one time in 256.
			if d := len(kb) - len(ub); d < -1 || d > 1 {
				t.Errorf("SECRET_BLOCK lengths differ: known %d, unknown %d", len(kb), len(ub))
			}
			if !slices.Equal(sortedKeys(k), sortedKeys(u1)) {
				t.Errorf("ChallengeParameters keys differ: %v and %v", sortedKeys(k), sortedKeys(u1))
			}
			// PASSWORD_VERIFIER fails alike, and locks alike.
			for _, login := range []string{enumKnown, enumUnknown} {
				if _, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.poolID),
					Username: aws.String(enumKnown), Password: aws.String(userPassword), Permanent: true}); err != nil {
					t.Fatal(err)
				}
				var seq []string
				for range 7 {
					cl := newUserSRPClient(t)
					out, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(e.clientID),
						AuthParameters: map[string]string{"USERNAME": login, "SRP_A": cl.srpA()}})
					if err != nil {
						t.Fatalf("InitiateAuth: %v", err)
					}
					_, err = e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(e.clientID),
						ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: cl.respond(t, e.poolID, "Wr0ng-Passw0rd!", out.ChallengeParameters, userFrozenClock().Now())})
					seq = append(seq, answer(err))
				}
				want := []string{wrongPassword, wrongPassword, wrongPassword, wrongPassword, wrongPassword, wrongPassword, lockedOut}
				if login == enumUnknown {
					// The password sign-ins above already locked the unknown name.
					want = []string{lockedOut, lockedOut, lockedOut, lockedOut, lockedOut, lockedOut, lockedOut}
				}
				if !slices.Equal(seq, want) {
					t.Errorf("%s PASSWORD_VERIFIER answers %q, want %q", login, seq, want)
				}
			}
		})

		t.Run("ForgotPassword", func(t *testing.T) {
			for _, login := range []string{enumKnown, enumUnknown, enumUnconfirmed} {
				var seq []string
				var dest string
				for range 6 {
					out, err := e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.clientID), Username: aws.String(login)})
					seq = append(seq, answer(err))
					if err == nil {
						dest = string(out.CodeDeliveryDetails.DeliveryMedium) + " " + aws.ToString(out.CodeDeliveryDetails.Destination)
					}
				}
				want := []string{"ok", "ok", "ok", "ok", "ok", "LimitExceededException: Attempt limit exceeded, please try after some time."}
				if !slices.Equal(seq, want) {
					t.Errorf("%s: ForgotPassword answers %q, want %q", login, seq, want)
				}
				if want := "EMAIL " + login[:1] + "***@e***"; dest != want {
					t.Errorf("%s: CodeDeliveryDetails %q, want %q", login, dest, want)
				}
			}
		})

		t.Run("ConfirmForgotPassword", func(t *testing.T) {
			for _, login := range []string{enumUnknown, "other@example.com"} {
				var seq []string
				for range 6 {
					_, err := e.c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(e.clientID), Username: aws.String(login),
						ConfirmationCode: aws.String("123456"), Password: aws.String("N3w-Passw0rd!")})
					seq = append(seq, answer(err))
				}
				mismatch := "CodeMismatchException: Invalid verification code provided, please try again."
				want := []string{mismatch, mismatch, mismatch, mismatch, mismatch, "LimitExceededException: Attempt limit exceeded, please try after some time."}
				if !slices.Equal(seq, want) {
					t.Errorf("%s: answers %q, want %q (those of a real user with a code)", login, seq, want)
				}
			}
		})

		t.Run("sign-up confirmation", func(t *testing.T) {
			for _, login := range []string{enumUnconfirmed, enumUnknown} {
				var seq []string
				for range 6 {
					_, err := e.c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(e.clientID), Username: aws.String(login)})
					seq = append(seq, answer(err))
				}
				// The sign-up sent one already: four more, then the limit.
				want := []string{"ok", "ok", "ok", "ok", "LimitExceededException: Attempt limit exceeded, please try after some time.", "LimitExceededException: Attempt limit exceeded, please try after some time."}
				if login == enumUnknown {
					want = []string{"ok", "ok", "ok", "ok", "ok", "LimitExceededException: Attempt limit exceeded, please try after some time."}
				}
				if !slices.Equal(seq, want) {
					t.Errorf("%s: ResendConfirmationCode answers %q, want %q", login, seq, want)
				}
				seq = nil
				for range 6 {
					_, err := e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.clientID), Username: aws.String(login), ConfirmationCode: aws.String("000001")})
					seq = append(seq, answer(err))
				}
				mismatch := "CodeMismatchException: Invalid verification code provided, please try again."
				if want := []string{mismatch, mismatch, mismatch, mismatch, mismatch, "LimitExceededException: Attempt limit exceeded, please try after some time."}; !slices.Equal(seq, want) {
					t.Errorf("%s: ConfirmSignUp answers %q, want %q", login, seq, want)
				}
			}
		})
	})
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestEnumerationTiming compares how long the answers for a real user and
// for a login that names no user take, as distributions of interleaved
// samples: their medians and 75th percentiles must agree within a factor.
func TestEnumerationTiming(t *testing.T) {
	eachBackendSerial(t, func(t *testing.T, b backend) {
		e := newEnumEnv(t, b)
		ctx := context.Background()
		srpA := newUserSRPClient(t).srpA() // made once: the client's work is not measured
		for _, c := range []struct {
			name string
			call func(login string) error
		}{
			{"USER_SRP_AUTH", func(login string) error {
				_, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(e.clientID),
					AuthParameters: map[string]string{"USERNAME": login, "SRP_A": srpA}})
				return err
			}},
			{"ForgotPassword", func(login string) error {
				_, err := e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.clientID), Username: aws.String(login)})
				if err != nil && errText(err) == "LimitExceededException: Attempt limit exceeded, please try after some time." {
					return nil // the answers' timing is what is measured
				}
				return err
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				// A machine's noise (a checkpoint, another test's burst)
				// can skew one round; a leak skews every round, so the
				// test fails only when three rounds in a row tell the
				// two apart.
				var failures []string
				for round := range 3 {
					failures = timingRound(t, c.name, c.call)
					if len(failures) == 0 {
						return
					}
					t.Logf("round %d: %s", round+1, strings.Join(failures, "; "))
				}
				t.Errorf("%s: three rounds tell a real user from no user: %s", c.name, strings.Join(failures, "; "))
			})
		}
	})
}

// timingRound measures interleaved answers for the known and the unknown
// login and says which quantiles tell them apart.
func timingRound(t *testing.T, name string, call func(login string) error) (failures []string) {
	t.Helper()
	const n = 100
	var known, unknown []time.Duration
	for i := range 2 * n {
		login := enumKnown
		if i%2 == 1 {
			login = enumUnknown
		}
		start := time.Now()
		if err := call(login); err != nil {
			t.Fatalf("%s %s: %v", name, login, err)
		}
		d := time.Since(start)
		if i < 10 {
			continue // warm-up: the pacer learns from real answers
		}
		if login == enumKnown {
			known = append(known, d)
		} else {
			unknown = append(unknown, d)
		}
	}
	for _, q := range []float64{0.5, 0.75} {
		k, u := quantile(known, q), quantile(unknown, q)
		ratio := float64(u) / float64(k)
		t.Logf("%s p%.0f: known %v, unknown %v (%.2f)", name, q*100, k, u, ratio)
		if ratio < 0.67 || ratio > 1.5 {
			failures = append(failures, fmt.Sprintf("p%.0f known %v, unknown %v", q*100, k, u))
		}
	}
	return failures
}

func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}
