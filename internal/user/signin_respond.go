package user

import (
	"context"
	"slices"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

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
