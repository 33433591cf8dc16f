package user

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
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
	f, ok := authFlows[flow]
	if !ok {
		// USER_AUTH arrives with the passwordless work; say so rather
		// than pretend.
		return nil, model.Errorf("NotImplementedException", "Cognate does not implement the %s flow yet.", flow)
	}
	if (f.adminOnly && !admin) || (f.clientOnly && admin) {
		return nil, invalidParameter("Initiate Auth method not supported.")
	}
	if !c.flowAllowed(flow) {
		return nil, flowNotEnabled(flow, admin)
	}
	// Refresh-token rotation is incompatible with REFRESH_TOKEN_AUTH, which
	// would refresh without rotating (AWS developer guide, refresh tokens);
	// such clients refresh with GetTokensFromRefreshToken. Text inferred.
	if f.refresh && c.rotates() {
		return nil, flowNotEnabled(flow, admin)
	}
	return f.start(s, ctx, c, params, meta)
}

// authFlow starts one AuthFlow of InitiateAuth and AdminInitiateAuth.
type authFlow struct {
	// adminOnly flows are refused by InitiateAuth, clientOnly ones by
	// AdminInitiateAuth ("Initiate Auth method not supported.").
	adminOnly, clientOnly bool
	// refresh marks the refresh-token flows, refused to clients that
	// rotate refresh tokens.
	refresh bool
	start   func(s *Service, ctx context.Context, c appClient, params, meta map[string]string) (*authResult, error)
}

// authFlows is the table of the flows Cognate starts; any other is
// NotImplementedException.
var authFlows = map[string]authFlow{
	model.AuthFlowTypeUserPasswordAuth:      {clientOnly: true, start: (*Service).passwordAuth},
	model.AuthFlowTypeAdminUserPasswordAuth: {adminOnly: true, start: (*Service).passwordAuth},
	model.AuthFlowTypeAdminNoSrpAuth:        {adminOnly: true, start: (*Service).passwordAuth},
	model.AuthFlowTypeUserSrpAuth:           {start: (*Service).startSRP},
	model.AuthFlowTypeRefreshTokenAuth:      {refresh: true, start: refreshFlow},
	model.AuthFlowTypeRefreshToken:          {refresh: true, start: refreshFlow},
	model.AuthFlowTypeCustomAuth:            {start: (*Service).customAuth},
}

// refreshFlow is REFRESH_TOKEN_AUTH, which takes no ClientMetadata.
func refreshFlow(s *Service, ctx context.Context, c appClient, params, _ map[string]string) (*authResult, error) {
	return s.refresh(ctx, c, params)
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
		// and as slow (core_shadow.go).
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
	err := s.postAuthentication(ctx, c, u.Key, meta)
	if err != nil {
		if serr := s.settleAttempt(ctx, c.pool, u.Key, a); serr != nil {
			return nil, serr
		}
		return nil, err
	}
	if s.triggerARN(c.pool, postAuthenticationARN) != "" {
		// The PostAuthentication function may have changed the user: the
		// tokens say what it left.
		if u, r, err = s.readUser(ctx, c.pool, u.Key); err != nil {
			return nil, err
		}
	}
	// Otherwise u and r are the row as the password check's reservation
	// (or the migration) left it: no second read.
	return s.signInSettling(ctx, c, u, r, trigger.TokenGenerationAuthentication, meta, a)
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
