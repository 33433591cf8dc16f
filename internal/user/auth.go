package user

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/trigger"
)

// flowAllowed reports whether an app client allows an auth flow, by its
// ExplicitAuthFlows: unset means SRP, custom and refresh; the legacy values
// keep their old meaning (SRP and refresh always allowed unless
// CUSTOM_AUTH_FLOW_ONLY).
func (c appClient) flowAllowed(flow string) bool {
	flows := c.Config.ExplicitAuthFlows
	if len(flows) == 0 {
		flows = []string{model.ExplicitAuthFlowsTypeAllowUserSrpAuth, model.ExplicitAuthFlowsTypeAllowCustomAuth, model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	}
	has := func(v string) bool { return slices.Contains(flows, v) }
	legacy := has(model.ExplicitAuthFlowsTypeAdminNoSrpAuth) || has(model.ExplicitAuthFlowsTypeCustomAuthFlowOnly) || has(model.ExplicitAuthFlowsTypeUserPasswordAuth)
	switch flow {
	case model.AuthFlowTypeUserPasswordAuth:
		return has(model.ExplicitAuthFlowsTypeAllowUserPasswordAuth) || has(model.ExplicitAuthFlowsTypeUserPasswordAuth)
	case model.AuthFlowTypeAdminUserPasswordAuth, model.AuthFlowTypeAdminNoSrpAuth:
		return has(model.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth) || has(model.ExplicitAuthFlowsTypeAdminNoSrpAuth)
	case model.AuthFlowTypeUserSrpAuth:
		return has(model.ExplicitAuthFlowsTypeAllowUserSrpAuth) || (legacy && !has(model.ExplicitAuthFlowsTypeCustomAuthFlowOnly))
	case model.AuthFlowTypeRefreshTokenAuth, model.AuthFlowTypeRefreshToken:
		return has(model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth) || legacy
	case model.AuthFlowTypeCustomAuth:
		return has(model.ExplicitAuthFlowsTypeAllowCustomAuth) || has(model.ExplicitAuthFlowsTypeCustomAuthFlowOnly)
	}
	return false
}

func flowNotEnabled(flow string, admin bool) *model.Error {
	if admin && (flow == model.AuthFlowTypeAdminUserPasswordAuth || flow == model.AuthFlowTypeAdminNoSrpAuth) {
		return invalidParameter("Auth flow not enabled for this client")
	}
	return invalidParameter("%s flow not enabled for this client", flow)
}

func param(params map[string]string, name string) (string, error) {
	v, ok := params[name]
	if !ok || v == "" {
		return "", invalidParameter("Missing required parameter %s", name)
	}
	return v, nil
}

// InitiateAuth starts a sign-in through an app client.
func (s *Service) InitiateAuth(ctx context.Context, in *model.InitiateAuthRequest) (*model.InitiateAuthResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	res, err := s.initiate(ctx, c, *in.AuthFlow, in.AuthParameters, false, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return (*model.InitiateAuthResponse)(res), nil
}

// AdminInitiateAuth starts a sign-in on behalf of a user (IAM-authorized).
func (s *Service) AdminInitiateAuth(ctx context.Context, in *model.AdminInitiateAuthRequest) (*model.AdminInitiateAuthResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if c.Record.PoolID != *in.UserPoolId {
		return nil, model.Errorf(model.ResourceNotFoundException, "User pool client %s does not exist.", c.Record.ID)
	}
	res, err := s.initiate(ctx, c, *in.AuthFlow, in.AuthParameters, true, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return (*model.AdminInitiateAuthResponse)(res), nil
}

// authResult is the shape shared by the four sign-in responses.
type authResult = model.InitiateAuthResponse

// meta is the call's ClientMetadata, which Cognito passes to
// PreAuthentication as validationData.
func (s *Service) initiate(ctx context.Context, c appClient, flow string, params map[string]string, admin bool, meta map[string]string) (*authResult, error) {
	switch flow {
	case model.AuthFlowTypeUserPasswordAuth, model.AuthFlowTypeUserSrpAuth, model.AuthFlowTypeRefreshTokenAuth, model.AuthFlowTypeRefreshToken,
		model.AuthFlowTypeCustomAuth:
	case model.AuthFlowTypeAdminUserPasswordAuth, model.AuthFlowTypeAdminNoSrpAuth:
		if !admin {
			return nil, invalidParameter("Initiate Auth method not supported.")
		}
	default:
		if admin && flow == model.AuthFlowTypeUserPasswordAuth {
			return nil, invalidParameter("Initiate Auth method not supported.")
		}
		// USER_AUTH arrives with the passwordless work; say so rather
		// than pretend.
		return nil, model.Errorf("NotImplementedException", "Cognate does not implement the %s flow yet.", flow)
	}
	if admin && flow == model.AuthFlowTypeUserPasswordAuth {
		return nil, invalidParameter("Initiate Auth method not supported.")
	}
	if !c.flowAllowed(flow) {
		return nil, flowNotEnabled(flow, admin)
	}
	// Refresh-token rotation is incompatible with REFRESH_TOKEN_AUTH, which
	// would refresh without rotating (AWS developer guide, refresh tokens);
	// such clients refresh with GetTokensFromRefreshToken. Text inferred.
	if (flow == model.AuthFlowTypeRefreshTokenAuth || flow == model.AuthFlowTypeRefreshToken) && c.rotates() {
		return nil, flowNotEnabled(flow, admin)
	}
	switch flow {
	case model.AuthFlowTypeUserSrpAuth:
		return s.startSRP(ctx, c, params, meta)
	case model.AuthFlowTypeRefreshTokenAuth, model.AuthFlowTypeRefreshToken:
		return s.refresh(ctx, c, params)
	case model.AuthFlowTypeCustomAuth:
		return s.customAuth(ctx, c, params, meta)
	default:
		return s.passwordAuth(ctx, c, params, meta)
	}
}

// passwordAuth is USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH.
func (s *Service) passwordAuth(ctx context.Context, c appClient, params map[string]string, meta map[string]string) (*authResult, error) {
	username, err := param(params, "USERNAME")
	if err != nil {
		return nil, err
	}
	pw, err := param(params, "PASSWORD")
	if err != nil {
		return nil, err
	}
	if err := c.checkSecretHash(username, secretHashParam(params)); err != nil {
		return nil, err
	}
	p := c.pool
	start := time.Now()
	u, err := s.lookup(ctx, p, username)
	if errors.Is(err, store.ErrNotFound) {
		mu, mr, _, ok, merr := s.migrateUser(ctx, c, username, pw, trigger.UserMigrationAuthentication, meta)
		if merr != nil {
			return nil, merr
		}
		if ok {
			// The function vouched for the password.
			return s.afterPassword(ctx, c, mu, mr, attempt{}, nil)
		}
		if !c.preventExistenceErrors() {
			return nil, model.Errorf(model.UserNotFoundException, "User does not exist.")
		}
		// As a wrong password of a real user: counted, locked out alike,
		// and as slow (shadow.go).
		if err := s.shadowGuess(ctx, p, username); !isWrongPassword(err) {
			s.pace.answer(ctx, paceWrongPassword, true, start, err)
			return nil, err
		}
		_ = s.Passwords.VerifyDummy(ctx, pw)
		s.pace.even(ctx, paceWrongPassword, true, start)
		return nil, notAuthorized("Incorrect username or password.")
	}
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	if err := s.preAuthentication(ctx, c, u, r, meta); err != nil {
		return nil, err
	}
	a, u, r, ok, err := s.guess(ctx, p, u.Key, confirmedFirst, func(_ store.User, r *Record) (bool, error) {
		return s.Passwords.Verify(ctx, r.PasswordHash, pw)
	})
	if err != nil {
		if c.preventExistenceErrors() {
			s.pace.answer(ctx, paceWrongPassword, false, start, err)
		}
		return nil, err
	}
	if !ok {
		if c.preventExistenceErrors() {
			s.pace.even(ctx, paceWrongPassword, false, start)
		}
		return nil, notAuthorized("Incorrect username or password.")
	}
	// InitiateAuth's ClientMetadata is not PostAuthentication's
	// clientMetadata (API reference, InitiateAuth ClientMetadata).
	return s.afterPassword(ctx, c, u, r, a, nil)
}

// isWrongPassword reports whether err is the answer to a wrong password.
func isWrongPassword(err error) bool {
	me, ok := err.(*model.Error)
	return ok && me.Type == model.NotAuthorizedException && me.Message == "Incorrect username or password."
}

func secretHashParam(params map[string]string) *string {
	if v, ok := params["SECRET_HASH"]; ok {
		return &v
	}
	return nil
}

// afterPassword decides what follows a correct password: the user's state
// may refuse the sign-in or ask for a new password; otherwise tokens. a is
// the attempt that proved the password, settled with the tokens' write or
// on its own when no tokens follow. meta is the clientMetadata
// PostAuthentication receives.
func (s *Service) afterPassword(ctx context.Context, c appClient, u store.User, r *Record, a attempt, meta map[string]string) (*authResult, error) {
	if a.seq != 0 && (!u.Enabled || u.Status != model.UserStatusTypeConfirmed || mfaMode(c.pool) != model.UserPoolMfaTypeOff) {
		// No sign-in write settles it below.
		if err := s.settleAttempt(ctx, c.pool, u.Key, a); err != nil {
			return nil, err
		}
		a = attempt{}
	}
	if !u.Enabled {
		return nil, notAuthorized("User is disabled.")
	}
	switch u.Status {
	case model.UserStatusTypeUnconfirmed:
		return nil, userNotConfirmed()
	case model.UserStatusTypeResetRequired:
		if c.preventExistenceErrors() {
			// AWS's Managing user existence error responses: the generic
			// failure instead of PasswordResetRequiredException.
			return nil, notAuthorized("Incorrect username or password.")
		}
		return nil, model.Errorf(model.PasswordResetRequiredException, "Password reset required for the user")
	case model.UserStatusTypeForceChangePassword:
		days := int32(7)
		if pp := c.pool.passwordPolicy(); pp != nil && pp.TemporaryPasswordValidityDays != nil {
			days = *pp.TemporaryPasswordValidityDays
		}
		if days > 0 && s.now().UnixMilli() > r.PasswordSetAt+int64(days)*24*time.Hour.Milliseconds() {
			return nil, notAuthorized("Temporary password has expired and must be reset by an administrator.")
		}
		return s.newPasswordChallenge(c, u, r)
	}
	if res, ok, err := s.mfaChallenge(ctx, c, u, r); ok {
		return res, err
	}
	if err := s.postAuthentication(ctx, c, u.Key, meta); err != nil {
		if serr := s.settleAttempt(ctx, c.pool, u.Key, a); serr != nil {
			return nil, serr
		}
		return nil, err
	}
	return s.signInSettling(ctx, c, u.Key, trigger.TokenGenerationAuthentication, meta, a)
}

// confirmedFirst is the state check that comes before a password check.
func confirmedFirst(u store.User, _ *Record) error { return checkConfirmed(u) }

func userNotConfirmed() *model.Error {
	return model.Errorf(model.UserNotConfirmedException, "User is not confirmed.")
}

// checkConfirmed refuses an unconfirmed user before the password is
// checked: Cognito answers UserNotConfirmedException even for a wrong
// password, and AWS staff called that intended (cognito-behaviour.md §8.4).
func checkConfirmed(u store.User) error {
	if u.Status == model.UserStatusTypeUnconfirmed {
		return userNotConfirmed()
	}
	return nil
}

// newPasswordChallenge asks a user with a temporary password for a new one.
func (s *Service) newPasswordChallenge(c appClient, u store.User, r *Record) (*authResult, error) {
	attrs := map[string]string{}
	for _, a := range r.Attributes {
		if a.Name != "sub" && c.readable(a.Name) {
			attrs[a.Name] = a.Value
		}
	}
	userAttrs, _ := json.Marshal(attrs)
	var required []string
	for _, v := range missingRequired(c.pool, r) {
		required = append(required, "userAttributes."+v.name)
	}
	requiredJSON, _ := json.Marshal(append([]string{}, required...))
	sess, err := s.sealSession(sessionState{
		Pool: c.pool.id(), Client: c.Record.ID, UserKey: u.Key, Challenge: model.ChallengeNameTypeNewPasswordRequired,
		Expires: s.now().Add(c.sessionValidity()).UnixMilli(),
	})
	if err != nil {
		return nil, err
	}
	return &authResult{
		ChallengeName: ptr(model.ChallengeNameTypeNewPasswordRequired),
		Session:       ptr(sess),
		ChallengeParameters: map[string]string{
			"USER_ID_FOR_SRP":    u.Username,
			"requiredAttributes": string(requiredJSON),
			"userAttributes":     string(userAttrs),
		},
	}, nil
}

// sessionValidity is the client's AuthSessionValidity (3 minutes default).
func (c appClient) sessionValidity() time.Duration {
	m := deref(c.Config.AuthSessionValidity)
	if m == 0 {
		m = 3
	}
	return time.Duration(m) * time.Minute
}

// signIn issues tokens for a user who has proved who they are: a new token
// family, its refresh token written with the user's sign-in bookkeeping in
// one transaction. The PreTokenGeneration trigger (source, with the call's
// ClientMetadata meta) runs before that transaction, so that a failing
// trigger leaves no refresh token behind.
func (s *Service) signIn(ctx context.Context, c appClient, key, source string, meta map[string]string) (*authResult, error) {
	return s.signInSettling(ctx, c, key, source, meta, attempt{})
}

// signInSettling is signIn that also settles the attempt that proved the
// password, in the same write.
func (s *Service) signInSettling(ctx context.Context, c appClient, key, source string, meta map[string]string, a attempt) (*authResult, error) {
	refresh, refreshHash, err := token.NewRefreshToken()
	if err != nil {
		return nil, err
	}
	family := ""
	if deref(c.Config.EnableTokenRevocation) {
		family = uuid.NewString()
	}
	now := s.now()
	validity := c.Validity()
	cur, err := s.Store.GetUser(ctx, c.pool.id(), key)
	if err != nil {
		return nil, notFound(err)
	}
	r, err := decodeRecord(cur)
	if err != nil {
		return nil, err
	}
	sub, err := s.subject(ctx, c, cur, r, now, family)
	if err != nil {
		return nil, err
	}
	if err := s.preTokenGeneration(ctx, c, cur, r, source, meta, &sub); err != nil {
		return nil, err
	}
	_, err = s.update(ctx, c.pool, key, func(u *store.User, r *Record) (store.UserChange, error) {
		r.settle(a)
		return store.UserChange{RefreshTokens: []store.RefreshToken{{
			Hash: refreshHash, PoolID: c.pool.id(), UserKey: u.Key, ClientID: c.Record.ID,
			OriginJTI: family, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(validity.Refresh),
		}}}, nil
	})
	if err != nil {
		return nil, err
	}
	toks, err := s.Tokens.Issue(ctx, sub)
	if err != nil {
		return nil, err
	}
	return &authResult{
		ChallengeParameters: map[string]string{},
		AuthenticationResult: &model.AuthenticationResultType{
			AccessToken: ptr(toks.AccessToken), ExpiresIn: ptr(toks.ExpiresIn), TokenType: ptr("Bearer"),
			RefreshToken: ptr(refresh), IdToken: ptr(toks.IDToken),
		},
	}, nil
}

// subject is what the tokens of a user say before any trigger changes
// them: the attributes the client may read and the groups the user is in
// now.
func (s *Service) subject(ctx context.Context, c appClient, u store.User, r *Record, authTime time.Time, family string) (token.Subject, error) {
	validity := c.Validity()
	var claims []token.Claim
	for _, a := range r.Attributes {
		if a.Name == "sub" || !c.readable(a.Name) {
			continue
		}
		claims = append(claims, token.Claim{Name: a.Name, Value: a.Value})
	}
	groups, roles, preferred, err := s.groupClaims(ctx, c.pool.id(), u.Key)
	if err != nil {
		return token.Subject{}, err
	}
	return token.Subject{
		PoolID: c.pool.id(), Region: regionOf(c.pool.id()), ClientID: c.Record.ID,
		Username: u.Username, Sub: u.Sub, IDClaims: claims, AuthTime: authTime, OriginJTI: family,
		AccessValidity: validity.Access, IDValidity: validity.ID,
		Groups: groups, Roles: roles, PreferredRole: preferred,
	}, nil
}

// refreshSubject is the tokens of a refresh, after the PreTokenGeneration
// trigger (TokenGeneration_RefreshTokens) has had its say.
func (s *Service) refreshSubject(ctx context.Context, c appClient, u store.User, r *Record, rt store.RefreshToken, meta map[string]string) (token.Subject, error) {
	sub, err := s.subject(ctx, c, u, r, rt.AuthTime, rt.OriginJTI)
	if err != nil {
		return token.Subject{}, err
	}
	if err := s.preTokenGeneration(ctx, c, u, r, trigger.TokenGenerationRefreshTokens, meta, &sub); err != nil {
		return token.Subject{}, err
	}
	return sub, nil
}

func regionOf(poolID string) string {
	for i := range poolID {
		if poolID[i] == '_' {
			return poolID[:i]
		}
	}
	return ""
}

// refresh is REFRESH_TOKEN_AUTH: new access and ID tokens of the same
// family, keeping the original auth_time.
func (s *Service) refresh(ctx context.Context, c appClient, params map[string]string) (*authResult, error) {
	raw, err := param(params, "REFRESH_TOKEN")
	if err != nil {
		return nil, err
	}
	u, r, rt, err := s.liveRefreshToken(ctx, c, raw)
	if err != nil {
		return nil, err
	}
	if c.Config.ClientSecret != nil {
		if err := c.checkSecretHash(u.Username, secretHashParam(params)); err != nil {
			// Clients compute it with the username they signed in with,
			// which for alias sign-ins is not the stored username.
			if err2 := c.checkSecretHash(params["USERNAME"], secretHashParam(params)); err2 != nil || params["USERNAME"] == "" {
				return nil, err
			}
		}
	}
	sub, err := s.refreshSubject(ctx, c, u, r, rt, nil)
	if err != nil {
		return nil, err
	}
	toks, err := s.Tokens.Issue(ctx, sub)
	if err != nil {
		return nil, err
	}
	return &authResult{
		ChallengeParameters: map[string]string{},
		AuthenticationResult: &model.AuthenticationResultType{
			AccessToken: ptr(toks.AccessToken), ExpiresIn: ptr(toks.ExpiresIn), TokenType: ptr("Bearer"), IdToken: ptr(toks.IDToken),
		},
	}, nil
}

// invalidRefreshToken is the answer for a refresh token Cognito does not
// know, with its full stop (aws/aws-sdk-cpp#1789, aws/aws-sdk-java-v2#1687).
func invalidRefreshToken() *model.Error { return notAuthorized("Invalid Refresh Token.") }

// liveRefreshToken finds a refresh token of the client and checks that it
// and its user can still be used.
func (s *Service) liveRefreshToken(ctx context.Context, c appClient, raw string) (store.User, *Record, store.RefreshToken, error) {
	fail := func(err error) (store.User, *Record, store.RefreshToken, error) {
		return store.User{}, nil, store.RefreshToken{}, err
	}
	rt, err := s.Store.GetRefreshToken(ctx, c.pool.id(), token.HashRefreshToken(raw))
	if errors.Is(err, store.ErrNotFound) {
		return fail(invalidRefreshToken())
	}
	if err != nil {
		return fail(err)
	}
	if rt.ClientID != c.Record.ID {
		return fail(invalidRefreshToken())
	}
	now := s.now()
	// A rotated token carries a revocation time in the future: the end of
	// its grace period.
	if !rt.RevokedAt.IsZero() && !now.Before(rt.RevokedAt) {
		return fail(notAuthorized("Refresh Token has been revoked"))
	}
	if !now.Before(rt.ExpiresAt) {
		return fail(notAuthorized("Refresh Token has expired"))
	}
	u, err := s.Store.GetUser(ctx, c.pool.id(), rt.UserKey)
	if errors.Is(err, store.ErrNotFound) {
		return fail(notAuthorized("Refresh Token has been revoked"))
	}
	if err != nil {
		return fail(err)
	}
	r, err := decodeRecord(u)
	if err != nil {
		return fail(err)
	}
	if err := stillLive(u, r, rt); err != nil {
		return fail(err)
	}
	return u, r, rt, nil
}

// stillLive checks what the user's record says about one of its refresh
// tokens: the user is enabled, and has neither signed out since the token
// was issued nor revoked its family.
func stillLive(u store.User, r *Record, rt store.RefreshToken) error {
	if !u.Enabled {
		return notAuthorized("User is disabled.")
	}
	if r.SignedOutAt != 0 && rt.CreatedAt.UnixMilli() < r.SignedOutAt {
		return notAuthorized("Refresh Token has been revoked")
	}
	// RevokeToken revokes the whole family, including a rotated-out token
	// still inside its grace period.
	if _, gone := r.RevokedFamilies[rt.OriginJTI]; gone && rt.OriginJTI != "" {
		return notAuthorized("Refresh Token has been revoked")
	}
	return nil
}

// RespondToAuthChallenge answers a challenge of InitiateAuth.
func (s *Service) RespondToAuthChallenge(ctx context.Context, in *model.RespondToAuthChallengeRequest) (*model.RespondToAuthChallengeResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	res, err := s.respond(ctx, c, *in.ChallengeName, in.ChallengeResponses, deref(in.Session), in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return &model.RespondToAuthChallengeResponse{ChallengeName: res.ChallengeName, Session: res.Session,
		ChallengeParameters: res.ChallengeParameters, AuthenticationResult: res.AuthenticationResult}, nil
}

// AdminRespondToAuthChallenge answers a challenge of AdminInitiateAuth.
func (s *Service) AdminRespondToAuthChallenge(ctx context.Context, in *model.AdminRespondToAuthChallengeRequest) (*model.AdminRespondToAuthChallengeResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if c.Record.PoolID != *in.UserPoolId {
		return nil, model.Errorf(model.ResourceNotFoundException, "User pool client %s does not exist.", c.Record.ID)
	}
	res, err := s.respond(ctx, c, *in.ChallengeName, in.ChallengeResponses, deref(in.Session), in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return &model.AdminRespondToAuthChallengeResponse{ChallengeName: res.ChallengeName, Session: res.Session,
		ChallengeParameters: res.ChallengeParameters, AuthenticationResult: res.AuthenticationResult}, nil
}

// challenge answers one ChallengeName of RespondToAuthChallenge. Every
// challenge but PASSWORD_VERIFIER, whose state travels in SECRET_BLOCK,
// continues a Session.
type challenge struct {
	session bool
	answer  func(s *Service, ctx context.Context, c appClient, name string, resp map[string]string, session string, meta map[string]string) (*authResult, error)
}

// challenges is the table of the challenges Cognate answers.
var challenges = map[string]challenge{
	model.ChallengeNameTypePasswordVerifier: {false, func(s *Service, ctx context.Context, c appClient, _ string, resp map[string]string, _ string, meta map[string]string) (*authResult, error) {
		return s.finishSRP(ctx, c, resp, meta)
	}},
	model.ChallengeNameTypeNewPasswordRequired: {true, func(s *Service, ctx context.Context, c appClient, _ string, resp map[string]string, session string, meta map[string]string) (*authResult, error) {
		return s.newPassword(ctx, c, resp, session, meta)
	}},
	model.ChallengeNameTypeSoftwareTokenMfa: {true, func(s *Service, ctx context.Context, c appClient, _ string, resp map[string]string, session string, meta map[string]string) (*authResult, error) {
		return s.softwareTokenMFA(ctx, c, resp, session, meta)
	}},
	model.ChallengeNameTypeMfaSetup: {true, func(s *Service, ctx context.Context, c appClient, _ string, resp map[string]string, session string, meta map[string]string) (*authResult, error) {
		return s.mfaSetup(ctx, c, resp, session, meta)
	}},
	model.ChallengeNameTypeSmsMfa:   {true, (*Service).codeMFAResponse},
	model.ChallengeNameTypeEmailOtp: {true, (*Service).codeMFAResponse},
	model.ChallengeNameTypeSelectMfaType: {true, func(s *Service, ctx context.Context, c appClient, _ string, resp map[string]string, session string, _ map[string]string) (*authResult, error) {
		return s.selectMFAType(ctx, c, resp, session)
	}},
	model.ChallengeNameTypeCustomChallenge: {true, func(s *Service, ctx context.Context, c appClient, _ string, resp map[string]string, session string, meta map[string]string) (*authResult, error) {
		return s.customChallenge(ctx, c, resp, session, meta)
	}},
}

func (s *Service) respond(ctx context.Context, c appClient, name string, resp map[string]string, session string, meta map[string]string) (*authResult, error) {
	ch, ok := challenges[name]
	if !ok {
		return nil, model.Errorf("NotImplementedException", "Cognate does not implement the %s challenge yet.", name)
	}
	if ch.session && session == "" {
		// Cognito's text (amazon-archives/amazon-cognito-identity-js#627).
		return nil, invalidParameter("Missing required parameter Session")
	}
	return ch.answer(s, ctx, c, name, resp, session, meta)
}

// newPassword answers NEW_PASSWORD_REQUIRED: the new password, and any
// required attributes the user lacked.
func (s *Service) newPassword(ctx context.Context, c appClient, resp map[string]string, session string, meta map[string]string) (*authResult, error) {
	st, err := s.openSession(session, c, model.ChallengeNameTypeNewPasswordRequired)
	if err != nil {
		return nil, err
	}
	newPw, err := param(resp, "NEW_PASSWORD")
	if err != nil {
		return nil, err
	}
	p := c.pool
	u, err := s.Store.GetUser(ctx, p.id(), st.UserKey)
	if err != nil {
		return nil, notFound(err)
	}
	if err := c.checkSecretHash(resp["USERNAME"], secretHashParam(resp)); err != nil && c.checkSecretHash(u.Username, secretHashParam(resp)) != nil {
		return nil, err
	}
	var given []model.AttributeType
	for k, v := range resp {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			given = append(given, model.AttributeType{Name: ptr(name), Value: ptr(v)})
		}
	}
	slices.SortFunc(given, func(a, b model.AttributeType) int { return strings.Compare(*a.Name, *b.Name) })
	// The attributes follow UpdateUserAttributes' rules for a client: no
	// sub, no verified flags, only attributes the client may write, and an
	// immutable attribute only when the user has no value for it yet. A
	// changed email or phone number is no longer verified; no code is sent
	// for it here.
	before, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	changes, err := planUpdate(p, writer{client: &c, unset: unsetIn(before)}, given)
	if err != nil {
		return nil, err
	}
	if err := password.DoesNotConform.Check(p.passwordPolicy(), newPw); err != nil {
		return nil, err
	}
	hash, srpSealed, err := s.credentials(ctx, p, u.Username, newPw)
	if err != nil {
		return nil, err
	}
	changed, err := s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		if !u.Enabled {
			return store.UserChange{}, notAuthorized("User is disabled.")
		}
		if u.Status != model.UserStatusTypeForceChangePassword {
			return store.UserChange{}, notAuthorized("Invalid session for the user.")
		}
		for _, ch := range changes {
			// An immutable attribute given a value since the check above
			// keeps it.
			if a, ok := p.schema(ch.name); ok && !deref(a.Mutable) && !unsetIn(r)(ch.name) {
				return store.UserChange{}, userPrefixed(ch.name, "Attribute cannot be updated.")
			}
		}
		applyUpdate(p, r, changes, false)
		if vs := missingRequired(p, r); len(vs) > 0 {
			// Cognito names the first missing attribute
			// (aws-amplify/aws-sdk-android#1402, aws/aws-sdk-net#972).
			return store.UserChange{}, invalidParameter("Invalid attributes given, %s is missing", vs[0].name)
		}
		now := s.now()
		r.PasswordHash, r.SRP, r.PasswordSetAt = hash, srpSealed, now.UnixMilli()
		r.resetFailures()
		u.Status = model.UserStatusTypeConfirmed
		u.UpdatedAt = now
		return store.UserChange{}, nil
	})
	if err != nil {
		return nil, conflictError(err, p, "User already exists")
	}
	if cr, err := decodeRecord(changed); err != nil {
		return nil, err
	} else if res, ok, err := s.mfaChallenge(ctx, c, changed, cr); ok {
		return res, err
	}
	if err := s.postAuthentication(ctx, c, u.Key, meta); err != nil {
		return nil, err
	}
	return s.signIn(ctx, c, u.Key, trigger.TokenGenerationNewPasswordChallenge, meta)
}

// unsetIn reports the attributes r has no value for.
func unsetIn(r *Record) func(string) bool {
	return func(name string) bool {
		v, ok := r.Get(name)
		return !ok || v == ""
	}
}

// GetTokensFromRefreshToken exchanges a refresh token for new tokens; with
// refresh-token rotation on, the refresh token is replaced too.
func (s *Service) GetTokensFromRefreshToken(ctx context.Context, in *model.GetTokensFromRefreshTokenRequest) (*model.GetTokensFromRefreshTokenResponse, error) {
	c, err := s.client(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if secret := deref(c.Config.ClientSecret); secret != "" && deref(in.ClientSecret) != secret {
		return nil, notAuthorized("Unable to verify secret hash for client %s", c.Record.ID)
	}
	if !c.flowAllowed(model.AuthFlowTypeRefreshTokenAuth) && !c.rotates() {
		return nil, flowNotEnabled(model.AuthFlowTypeRefreshTokenAuth, false)
	}
	u, r, rt, err := s.liveRefreshToken(ctx, c, *in.RefreshToken)
	if err != nil {
		return nil, err
	}
	sub, err := s.refreshSubject(ctx, c, u, r, rt, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	out := &model.AuthenticationResultType{TokenType: ptr("Bearer")}
	if rot := c.Config.RefreshTokenRotation; c.rotates() {
		next, nextHash, err := token.NewRefreshToken()
		if err != nil {
			return nil, err
		}
		now := s.now()
		// The old token stays usable for the grace period, so that a
		// client retrying after a lost response is not locked out.
		grace := time.Duration(deref(rot.RetryGracePeriodSeconds)) * time.Second
		// The old token is rotated out in the write's transaction, which
		// fails once another rotation took it past its grace period: of
		// parallel refreshes with one token only those inside the grace
		// period win (one, with a grace of 0). A sign-out or a revocation
		// since the token was read is checked there too.
		_, err = s.update(ctx, c.pool, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
			if err := stillLive(*u, r, rt); err != nil {
				return store.UserChange{}, err
			}
			return store.UserChange{
				RefreshTokens: []store.RefreshToken{{
					Hash: nextHash, PoolID: c.pool.id(), UserKey: u.Key, ClientID: c.Record.ID, OriginJTI: rt.OriginJTI,
					AuthTime: rt.AuthTime, CreatedAt: now, ExpiresAt: now.Add(c.Validity().Refresh),
				}},
				RotateToken: rt.Hash, RotatedAt: now, RevokedAt: now.Add(grace),
			}, nil
		})
		if errors.Is(err, store.ErrRevoked) {
			return nil, notAuthorized("Refresh Token has been revoked")
		}
		if err != nil {
			return nil, err
		}
		out.RefreshToken = ptr(next)
	}
	toks, err := s.Tokens.Issue(ctx, sub)
	if err != nil {
		return nil, err
	}
	out.AccessToken, out.IdToken, out.ExpiresIn = ptr(toks.AccessToken), ptr(toks.IDToken), ptr(toks.ExpiresIn)
	return &model.GetTokensFromRefreshTokenResponse{AuthenticationResult: out}, nil
}

// rotates reports whether the client rotates refresh tokens.
func (c appClient) rotates() bool {
	rot := c.Config.RefreshTokenRotation
	return rot != nil && deref(rot.Feature) == model.FeatureTypeEnabled
}
