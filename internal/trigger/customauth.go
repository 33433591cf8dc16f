package trigger

import (
	"context"
	"fmt"
)

// Custom authentication trigger sources.
const (
	DefineAuthChallengeAuthentication         = "DefineAuthChallenge_Authentication"
	CreateAuthChallengeAuthentication         = "CreateAuthChallenge_Authentication"
	VerifyAuthChallengeResponseAuthentication = "VerifyAuthChallengeResponse_Authentication"
)

// ChallengeResult is one element of a custom flow's session list
// (events.CognitoEventUserPoolsDefineAuthChallengeRequest's session).
type ChallengeResult struct {
	ChallengeName     string `json:"challengeName"`
	ChallengeResult   bool   `json:"challengeResult"`
	ChallengeMetadata string `json:"challengeMetadata,omitempty"`
}

// ChallengeEvent is what the three custom challenge triggers share: the
// user, the session list so far and the call's ClientMetadata.
type ChallengeEvent struct {
	UserEvent
	Session      []ChallengeResult
	UserNotFound bool
}

func (e ChallengeEvent) session() []ChallengeResult {
	if e.Session == nil {
		return []ChallengeResult{}
	}
	return e.Session
}

type defineAuthChallengeRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	UserNotFound   bool              `json:"userNotFound"`
}

// DefineAuthChallengeResponse is the DefineAuthChallenge answer
// (events.CognitoEventUserPoolsDefineAuthChallengeResponse).
type DefineAuthChallengeResponse struct {
	ChallengeName      string `json:"challengeName"`
	IssueTokens        bool   `json:"issueTokens"`
	FailAuthentication bool   `json:"failAuthentication"`
}

var defineAuthChallenge = Source[defineAuthChallengeRequest, DefineAuthChallengeResponse]{Name: "DefineAuthChallenge"}

// DefineAuthChallenge runs a pool's DefineAuthChallenge trigger.
func (inv *Invoker) DefineAuthChallenge(ctx context.Context, functionARN string, e ChallengeEvent) (DefineAuthChallengeResponse, error) {
	if e.TriggerSource != DefineAuthChallengeAuthentication {
		return DefineAuthChallengeResponse{}, fmt.Errorf("trigger: %q is not a DefineAuthChallenge trigger source", e.TriggerSource)
	}
	return Invoke(ctx, inv, defineAuthChallenge, functionARN, e.header(), defineAuthChallengeRequest{
		UserAttributes: e.attributes(), Session: e.session(), ClientMetadata: e.ClientMetadata, UserNotFound: e.UserNotFound,
	})
}

type createAuthChallengeRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ChallengeName  string            `json:"challengeName"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	UserNotFound   bool              `json:"userNotFound"`
}

// CreateAuthChallengeResponse is the CreateAuthChallenge answer
// (events.CognitoEventUserPoolsCreateAuthChallengeResponse).
type CreateAuthChallengeResponse struct {
	PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeMetadata          string            `json:"challengeMetadata"`
}

var createAuthChallenge = Source[createAuthChallengeRequest, CreateAuthChallengeResponse]{Name: "CreateAuthChallenge"}

// CreateAuthChallenge runs a pool's CreateAuthChallenge trigger for the
// challenge DefineAuthChallenge named.
func (inv *Invoker) CreateAuthChallenge(ctx context.Context, functionARN, challenge string, e ChallengeEvent) (CreateAuthChallengeResponse, error) {
	if e.TriggerSource != CreateAuthChallengeAuthentication {
		return CreateAuthChallengeResponse{}, fmt.Errorf("trigger: %q is not a CreateAuthChallenge trigger source", e.TriggerSource)
	}
	return Invoke(ctx, inv, createAuthChallenge, functionARN, e.header(), createAuthChallengeRequest{
		UserAttributes: e.attributes(), ChallengeName: challenge, Session: e.session(), ClientMetadata: e.ClientMetadata, UserNotFound: e.UserNotFound,
	})
}

type verifyAuthChallengeRequest struct {
	UserAttributes             map[string]string `json:"userAttributes"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeAnswer            string            `json:"challengeAnswer"`
	ClientMetadata             map[string]string `json:"clientMetadata,omitempty"`
	UserNotFound               bool              `json:"userNotFound"`
}

// verifyAuthChallengeResponse is the VerifyAuthChallengeResponse answer
// (events.CognitoEventUserPoolsVerifyAuthChallengeResponse).
type verifyAuthChallengeResponse struct {
	AnswerCorrect bool `json:"answerCorrect"`
}

var verifyAuthChallenge = Source[verifyAuthChallengeRequest, verifyAuthChallengeResponse]{Name: "VerifyAuthChallengeResponse"}

// VerifyAuthChallengeResponse runs a pool's VerifyAuthChallengeResponse
// trigger and reports whether the function judged the answer correct.
func (inv *Invoker) VerifyAuthChallengeResponse(ctx context.Context, functionARN string, e ChallengeEvent, private map[string]string, answer string) (bool, error) {
	if e.TriggerSource != VerifyAuthChallengeResponseAuthentication {
		return false, fmt.Errorf("trigger: %q is not a VerifyAuthChallengeResponse trigger source", e.TriggerSource)
	}
	if private == nil {
		private = map[string]string{}
	}
	resp, err := Invoke(ctx, inv, verifyAuthChallenge, functionARN, e.header(), verifyAuthChallengeRequest{
		UserAttributes: e.attributes(), PrivateChallengeParameters: private, ChallengeAnswer: answer,
		ClientMetadata: e.ClientMetadata, UserNotFound: e.UserNotFound,
	})
	return resp.AnswerCorrect, err
}
