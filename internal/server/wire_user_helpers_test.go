package server_test

// Helpers of the user-operation wire tests (wire_user_*_test.go): pools and
// app clients set up for sign-in, users in a known state, the local
// inspection API (messages with their codes, the server clock), and a Go
// SRP client for USER_SRP_AUTH without node.

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/srp"
)

// userPassword satisfies the default password policy.
const userPassword = "Passw0rd!"

// userTestFlows are the flows of the walk-through's app client.
var userTestFlows = []types.ExplicitAuthFlowsType{
	types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
	types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
	types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
}

// userEnv is one server with an SDK client that reports the first failure.
type userEnv struct {
	w *wire
	c *cip.Client
}

func newUserEnv(t *testing.T, b backend, opts ...wireOption) *userEnv {
	t.Helper()
	w := newWire(t, b, opts...)
	return &userEnv{w: w, c: w.client("us-east-1", noRetry)}
}

// userFrozenClock is a machine clock that stands still, so that only advances
// through the inspection API (or the test) move the server's time.
func userFrozenClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 4, 10, 20, 30, 100_000_000, time.UTC)}
}

// newPool creates a pool and returns its id.
func (e *userEnv) newPool(t *testing.T, in *cip.CreateUserPoolInput) string {
	t.Helper()
	if in.PoolName == nil {
		in.PoolName = aws.String("users")
	}
	return aws.ToString(createPool(t, e.c, in).Id)
}

// newClient creates an app client of a pool with the walk-through's flows
// unless edit says otherwise.
func (e *userEnv) newClient(t *testing.T, poolID string, edit func(*cip.CreateUserPoolClientInput)) *types.UserPoolClientType {
	t.Helper()
	in := &cip.CreateUserPoolClientInput{
		UserPoolId:        aws.String(poolID),
		ClientName:        aws.String("app"),
		ExplicitAuthFlows: userTestFlows,
	}
	if edit != nil {
		edit(in)
	}
	return createClient(t, e.c, in)
}

// attrs builds an attribute list from name, value pairs.
func userAttrs(nv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(nv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(nv[i]), Value: aws.String(nv[i+1])})
	}
	return out
}

// userAttrMap is an attribute list as a map.
func userAttrMap(list []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// confirmedUser creates a CONFIRMED user with a permanent password through
// the admin API (no message sent) and returns its username as Cognito
// stores it.
func (e *userEnv) confirmedUser(t *testing.T, poolID, username, password string, attributes ...types.AttributeType) string {
	t.Helper()
	ctx := context.Background()
	out, err := e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username),
		UserAttributes: attributes, MessageAction: types.MessageActionTypeSuppress,
	})
	if err != nil {
		t.Fatalf("AdminCreateUser(%s): %v", username, err)
	}
	name := aws.ToString(out.User.Username)
	if _, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(poolID), Username: aws.String(name), Password: aws.String(password), Permanent: true,
	}); err != nil {
		t.Fatalf("AdminSetUserPassword(%s): %v", name, err)
	}
	return name
}

// passwordAuth is InitiateAuth USER_PASSWORD_AUTH.
func (e *userEnv) passwordAuth(clientID, username, password string, extra ...string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return e.c.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID), AuthParameters: params,
	})
}

// signIn signs in with USER_PASSWORD_AUTH and returns the tokens.
func (e *userEnv) signIn(t *testing.T, clientID, username, password string) *types.AuthenticationResultType {
	t.Helper()
	out, err := e.passwordAuth(clientID, username, password)
	if err != nil {
		t.Fatalf("InitiateAuth(%s): %v", username, err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth(%s): no tokens, challenge %q", username, out.ChallengeName)
	}
	return out.AuthenticationResult
}

// refreshAuth is InitiateAuth REFRESH_TOKEN_AUTH.
func (e *userEnv) refreshAuth(clientID, refreshToken string) (*cip.InitiateAuthOutput, error) {
	return e.c.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(clientID),
		AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken},
	})
}

// getUser is GetUser with an access token.
func (e *userEnv) getUser(accessToken string) (*cip.GetUserOutput, error) {
	return e.c.GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(accessToken)})
}

// mustGetUser asserts that an access token still works.
func (e *userEnv) mustGetUser(t *testing.T, accessToken string) *cip.GetUserOutput {
	t.Helper()
	out, err := e.getUser(accessToken)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	return out
}

func (e *userEnv) adminGetUser(t *testing.T, poolID, username string) *cip.AdminGetUserOutput {
	t.Helper()
	out, err := e.c.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(username)})
	if err != nil {
		t.Fatalf("AdminGetUser(%s): %v", username, err)
	}
	return out
}

// userMessage is one entry of GET /_cognate/messages.
type userMessage struct {
	MessageId      string
	UserPoolId     string
	Username       string
	DeliveryMedium string
	Destination    string
	AttributeName  string
	TriggerSource  string
	Subject        string
	Body           string
	Code           string
}

// messages reads the messages Cognate sent to a user, oldest first.
func (e *userEnv) messages(t *testing.T, poolID, username string) []userMessage {
	t.Helper()
	q := url.Values{"UserPoolId": {poolID}, "Username": {username}}
	resp, err := http.Get(e.w.URL + "/_cognate/messages?" + q.Encode())
	if err != nil {
		t.Fatalf("GET /_cognate/messages: %v", err)
	}
	defer resp.Body.Close()
	var body struct{ Messages []userMessage }
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /_cognate/messages: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET /_cognate/messages: %v", err)
	}
	return body.Messages
}

// lastMessage is the newest message sent to a user.
func (e *userEnv) lastMessage(t *testing.T, poolID, username string) userMessage {
	t.Helper()
	msgs := e.messages(t, poolID, username)
	if len(msgs) == 0 {
		t.Fatalf("no message was sent to %s", username)
	}
	return msgs[len(msgs)-1]
}

// lastCode is the code (or temporary password) of the newest message.
func (e *userEnv) lastCode(t *testing.T, poolID, username string) string {
	t.Helper()
	m := e.lastMessage(t, poolID, username)
	if m.Code == "" {
		t.Fatalf("the newest message to %s carries no code: %+v", username, m)
	}
	return m.Code
}

// advance moves the server clock forward through the inspection API.
func (e *userEnv) advance(t *testing.T, d time.Duration) {
	t.Helper()
	userAdvanceClock(t, e.w.URL, d)
}

func userAdvanceClock(t *testing.T, base string, d time.Duration) {
	t.Helper()
	body := fmt.Sprintf(`{"AdvanceSeconds":%g}`, d.Seconds())
	resp, err := http.Post(base+"/_cognate/clock", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST /_cognate/clock: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /_cognate/clock: HTTP %d", resp.StatusCode)
	}
}

// userOtherCode is a well-formed code that is not code.
func userOtherCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// userJWTClaims decodes a JWT's payload without checking it.
func userJWTClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return m
}

// secretHash is SECRET_HASH: Base64(HMAC-SHA256(secret, username+clientId)).
func userSecretHash(secret, username, clientID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// The SRP group of amazon-cognito-identity-js (RFC 5054, 3072 bits).
var (
	userSRPN, _ = new(big.Int).SetString("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"+
		"29024E088A67CC74020BBEA63B139B22514A08798E3404DD"+
		"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"+
		"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"+
		"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"+
		"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"+
		"83655D23DCA3AD961C62F356208552BB9ED529077096966D"+
		"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"+
		"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"+
		"DE2BCBF6955817183995497CEA956AE515D2261898FA0510"+
		"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"+
		"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"+
		"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"+
		"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"+
		"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"+
		"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
	userSRPG = big.NewInt(2)
	userSRPK = new(big.Int).SetBytes(userSRPHash(userSRPPad(userSRPN), userSRPPad(userSRPG)))
)

// userSRPPad is the JS client's padHex: minimal big-endian bytes, with a 0x00
// in front when the top bit is set.
func userSRPPad(x *big.Int) []byte {
	b := x.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

func userSRPHash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// userSRPClient is the client half of USER_SRP_AUTH, written from
// amazon-cognito-identity-js's AuthenticationHelper and
// CognitoUser.authenticateUserDefaultAuth.
type userSRPClient struct {
	a, pubA *big.Int
}

func newUserSRPClient(t *testing.T) *userSRPClient {
	t.Helper()
	raw := make([]byte, 128)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	a := new(big.Int).SetBytes(raw)
	return &userSRPClient{a: a, pubA: new(big.Int).Exp(userSRPG, a, userSRPN)}
}

// srpA is SRP_A as the JS client sends it.
func (c *userSRPClient) srpA() string { return c.pubA.Text(16) }

// respond computes the PASSWORD_VERIFIER answer for the challenge
// parameters of InitiateAuth USER_SRP_AUTH.
func (c *userSRPClient) respond(t *testing.T, poolID, password string, params map[string]string, now time.Time) map[string]string {
	t.Helper()
	return c.respondStamped(t, poolID, password, params, now.UTC().Format(srp.TimestampLayout))
}

// respondStamped is respond with the TIMESTAMP as given, signed as given.
func (c *userSRPClient) respondStamped(t *testing.T, poolID, password string, params map[string]string, timestamp string) map[string]string {
	t.Helper()
	userID := params["USER_ID_FOR_SRP"]
	saltBytes, err := srp.DecodeHex(params["SALT"])
	if err != nil {
		t.Fatalf("SALT: %v", err)
	}
	bBytes, err := srp.DecodeHex(params["SRP_B"])
	if err != nil {
		t.Fatalf("SRP_B: %v", err)
	}
	block, err := base64.StdEncoding.DecodeString(params["SECRET_BLOCK"])
	if err != nil {
		t.Fatalf("SECRET_BLOCK: %v", err)
	}
	pubB := new(big.Int).SetBytes(bBytes)
	u := new(big.Int).SetBytes(userSRPHash(userSRPPad(c.pubA), userSRPPad(pubB)))
	poolName := srp.PoolName(poolID)
	inner := sha256.Sum256([]byte(poolName + userID + ":" + password))
	x := new(big.Int).SetBytes(userSRPHash(userSRPPad(new(big.Int).SetBytes(saltBytes)), inner[:]))
	// S = (B − k·g^x)^(a + u·x) mod N
	base := new(big.Int).Exp(userSRPG, x, userSRPN)
	base.Mul(base, userSRPK)
	base.Sub(pubB, base).Mod(base, userSRPN)
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, c.a)
	s := new(big.Int).Exp(base, exp, userSRPN)
	key, err := hkdf.Key(sha256.New, userSRPPad(s), userSRPPad(u), "Caldera Derived Key", 16)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(poolName))
	mac.Write([]byte(userID))
	mac.Write(block)
	mac.Write([]byte(timestamp))
	return map[string]string{
		"USERNAME":                    userID,
		"PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		"TIMESTAMP":                   timestamp,
	}
}

// userSRPSignIn runs USER_SRP_AUTH: InitiateAuth through begin, and
// RespondToAuthChallenge PASSWORD_VERIFIER through finish.
func userSRPSignIn(t *testing.T, begin, finish *cip.Client, poolID, clientID, username, password string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	ctx := context.Background()
	cl := newUserSRPClient(t)
	out, err := begin.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(clientID),
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": cl.srpA()},
	})
	if err != nil {
		t.Fatalf("InitiateAuth USER_SRP_AUTH: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("InitiateAuth USER_SRP_AUTH: challenge %q, want PASSWORD_VERIFIER", out.ChallengeName)
	}
	return finish.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypePasswordVerifier,
		ChallengeResponses: cl.respond(t, poolID, password, out.ChallengeParameters, time.Now()),
	})
}
