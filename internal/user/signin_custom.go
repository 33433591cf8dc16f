package user

import (
	"context"
	"errors"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/srp"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

// challengeSRPA names the first result of a custom flow that starts with
// SRP password verification (InitiateAuth CUSTOM_AUTH with SRP_A).
const challengeSRPA = "SRP_A"

// maxCustomRounds caps the challenge results a custom flow may gather
// before DefineAuthChallenge must decide. Cognito documents no number and
// no public report of one was found; the cap and the refusal's text are
// inferred.
const maxCustomRounds = 8

// customAuth is CUSTOM_AUTH: DefineAuthChallenge decides, round by round,
// whether to issue tokens, fail, or ask CreateAuthChallenge for another
// challenge.
func (s *Service) customAuth(ctx context.Context, c appClient, params map[string]string, meta map[string]string) (*authResult, error) {
	username, err := param(params, "USERNAME")
	if err != nil {
		return nil, err
	}
	if err := c.checkSecretHash(username, secretHashParam(params)); err != nil {
		return nil, err
	}
	if s.triggerARN(c.pool, func(lc *model.LambdaConfigType) *string { return lc.DefineAuthChallenge }) == "" {
		// Real responses in aws-amplify/amplify-js#5623 and #6327.
		return nil, invalidParameter("Custom auth lambda trigger is not configured for the user pool.")
	}
	u, err := s.lookup(ctx, c.pool, username)
	if errors.Is(err, store.ErrNotFound) {
		if c.preventExistenceErrors() {
			// The Define Auth Challenge trigger's documentation
			// (user-pool-lambda-define-auth-challenge.html, userNotFound):
			// with PreventUserExistenceErrors ENABLED Cognito runs the
			// custom flow for an unknown user, userNotFound true, so that
			// the caller cannot tell. The empty userAttributes are inferred.
			return s.customRound(ctx, c, store.User{Username: username}, &Record{}, nil, meta, nil, nil)
		}
		return nil, model.Errorf(model.UserNotFoundException, "User does not exist.")
	}
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, notAuthorized("User is disabled.")
	}
	if err := s.preAuthentication(ctx, c, u, r, meta); err != nil {
		return nil, err
	}
	// With SRP_A the flow may start with password verification, as AWS's
	// Define Auth Challenge page describes: the first DefineAuthChallenge
	// sees the session [SRP_A: true] and answers PASSWORD_VERIFIER, which
	// Cognito returns as USER_SRP_AUTH does (also the working function in
	// aws-amplify/amplify-js#3159).
	var srpA []byte
	var results []trigger.ChallengeResult
	if aHex, ok := params["SRP_A"]; ok {
		if srpA, err = srp.DecodeHex(aHex); err != nil || len(srpA) == 0 {
			return nil, invalidParameter("Invalid SRP_A")
		}
		results = []trigger.ChallengeResult{{ChallengeName: challengeSRPA, ChallengeResult: true}}
	}
	// InitiateAuth's ClientMetadata is not PostAuthentication's.
	return s.customRound(ctx, c, u, r, results, meta, nil, srpA)
}

// customSRP answers DefineAuthChallenge's PASSWORD_VERIFIER with the SRP
// handshake's first half;
// the sealed SECRET_BLOCK marks the handshake as part of a custom flow.
func (s *Service) customSRP(c appClient, u store.User, r *Record, login string, A []byte) (*authResult, error) {
	if len(r.SRP) == 0 {
		// No verifier (cognate seed fill): as for USER_SRP_AUTH, the
		// handshake goes on and fails at PASSWORD_VERIFIER.
		return s.decoySRP(c, login, u.Username, A, true)
	}
	sr, err := s.openSRP(c.pool, u.Username, r)
	if err != nil {
		return nil, err
	}
	b, B, err := srp.Begin(sr.Verifier, s.rand())
	if err != nil {
		return nil, err
	}
	return s.verifierChallenge(c, srpBlock{UserKey: u.Key, Login: login, A: A, B: B, PrivateB: b, Custom: true}, u.Username, sr.Salt)
}

// customRound asks DefineAuthChallenge what follows the results so far.
// postMeta is the clientMetadata PostAuthentication receives.
// srpA, the client's SRP_A, is set only for the first round of the SRP_A
// variant.
func (s *Service) customRound(ctx context.Context, c appClient, u store.User, r *Record, results []trigger.ChallengeResult, meta, postMeta map[string]string, srpA []byte) (*authResult, error) {
	e := challengeEvent(c, u, r, trigger.DefineAuthChallengeAuthentication, results, meta)
	arn := s.triggerARN(c.pool, func(lc *model.LambdaConfigType) *string { return lc.DefineAuthChallenge })
	if arn == "" {
		return nil, invalidParameter("Custom auth lambda trigger is not configured for the user pool.")
	}
	def, err := s.Triggers.DefineAuthChallenge(ctx, arn, e)
	if err != nil {
		return nil, err
	}
	switch {
	case e.UserNotFound && (def.IssueTokens || def.ChallengeName == model.ChallengeNameTypePasswordVerifier):
		// No user to sign in or to check a password of (inferred).
		return nil, notAuthorized("Incorrect username or password.")
	case def.IssueTokens:
		return s.afterPassword(ctx, c, u, r, attempt{}, postMeta)
	case def.FailAuthentication:
		return nil, notAuthorized("Incorrect username or password.")
	case def.ChallengeName == model.ChallengeNameTypePasswordVerifier && srpA != nil:
		return s.customSRP(c, u, r, u.Username, srpA)
	case def.ChallengeName != model.ChallengeNameTypeCustomChallenge:
		// Text inferred, in Cognito's "Invalid lambda function output" form.
		return nil, model.Errorf(model.InvalidLambdaResponseException, "Invalid lambda function output : Invalid challengeName %s", def.ChallengeName)
	case len(results) >= maxCustomRounds:
		return nil, notAuthorized("Incorrect username or password.")
	}
	createARN := s.triggerARN(c.pool, func(lc *model.LambdaConfigType) *string { return lc.CreateAuthChallenge })
	if createARN == "" {
		// Text inferred.
		return nil, invalidParameter("Create auth challenge lambda trigger is not configured for the user pool.")
	}
	e.TriggerSource = trigger.CreateAuthChallengeAuthentication
	ch, err := s.Triggers.CreateAuthChallenge(ctx, createARN, def.ChallengeName, e)
	if err != nil {
		return nil, err
	}
	sess, err := s.sealSession(sessionState{
		Pool: c.pool.id(), Client: c.Record.ID, UserKey: u.Key, Challenge: model.ChallengeNameTypeCustomChallenge,
		Expires: s.now().Add(c.sessionValidity()).UnixMilli(),
		Custom:  results, Private: ch.PrivateChallengeParameters, Metadata: ch.ChallengeMetadata,
		NotFound: notFoundName(e.UserNotFound, u.Username), Round: r.SessionRound,
	})
	if err != nil {
		return nil, err
	}
	params := make(map[string]string, len(ch.PublicChallengeParameters)+1)
	for k, v := range ch.PublicChallengeParameters {
		params[k] = v
	}
	params["USERNAME"] = u.Username
	return &authResult{ChallengeName: ptr(model.ChallengeNameTypeCustomChallenge), Session: ptr(sess), ChallengeParameters: params}, nil
}

// customChallenge answers CUSTOM_CHALLENGE: VerifyAuthChallengeResponse
// judges the ANSWER, and DefineAuthChallenge sees the result.
func (s *Service) customChallenge(ctx context.Context, c appClient, resp map[string]string, session string, meta map[string]string) (*authResult, error) {
	st, err := s.openSession(session, c, model.ChallengeNameTypeCustomChallenge)
	if err != nil {
		return nil, err
	}
	answer, err := param(resp, "ANSWER")
	if err != nil {
		return nil, err
	}
	if err := s.challengeSecretHash(ctx, c, resp, st); err != nil {
		return nil, err
	}
	u, r := store.User{Username: st.NotFound}, &Record{}
	if st.NotFound == "" {
		if u, r, err = s.consumeSession(ctx, c.pool, st); err != nil {
			return nil, notFound(err)
		}
	}
	arn := s.triggerARN(c.pool, func(lc *model.LambdaConfigType) *string { return lc.VerifyAuthChallengeResponse })
	if arn == "" {
		// Text inferred.
		return nil, invalidParameter("Verify auth challenge response lambda trigger is not configured for the user pool.")
	}
	e := challengeEvent(c, u, r, trigger.VerifyAuthChallengeResponseAuthentication, st.Custom, meta)
	ok, err := s.Triggers.VerifyAuthChallengeResponse(ctx, arn, e, st.Private, answer)
	if err != nil {
		return nil, err
	}
	results := append(st.Custom, trigger.ChallengeResult{
		ChallengeName: model.ChallengeNameTypeCustomChallenge, ChallengeResult: ok, ChallengeMetadata: st.Metadata,
	})
	return s.customRound(ctx, c, u, r, results, meta, meta, nil)
}

// challengeEvent is a custom challenge trigger's event; a user without a
// key is an unknown one (userNotFound, no attributes).
func challengeEvent(c appClient, u store.User, r *Record, source string, results []trigger.ChallengeResult, meta map[string]string) trigger.ChallengeEvent {
	e := trigger.ChallengeEvent{UserEvent: userEvent(c.pool, &c, u, r, source), Session: results, UserNotFound: u.Key == ""}
	if e.UserNotFound {
		e.UserAttributes = nil
	}
	e.ClientMetadata = meta
	return e
}

func notFoundName(notFound bool, username string) string {
	if notFound {
		return username
	}
	return ""
}
