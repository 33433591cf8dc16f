// Package trigger calls a user pool's Lambda triggers through the Lambda
// Invoke API, the way Cognito does: the shared event envelope, one
// synchronous RequestResponse call per trigger (5 s per attempt, transport
// failures retried up to 3 attempts, function errors never retried), and the
// mapping of every failure to Cognito's own exception and text.
//
// A trigger source is declared, not copied. It contributes its name (used in
// the error texts), the Go types of its "request" and "response" members, and
// an optional check of the answer; the envelope, the invocation, the logging
// and the error mapping are shared by [Invoke]. Implemented sources:
// CustomMessage, PreSignUp, PostConfirmation, PreAuthentication,
// PostAuthentication, PreTokenGeneration (V1 and V2 events), UserMigration and the custom
// challenge triggers (DefineAuthChallenge, CreateAuthChallenge,
// VerifyAuthChallengeResponse). PreSignUp, for example, takes its types, a [Source]
// value and a thin method (shown simplified; see signup.go):
//
//	// PreSignUpRequest is what a caller knows about the sign-up.
//	type PreSignUpRequest struct {
//		Region, PoolID, ClientID, UserName, TriggerSource string
//		UserAttributes, ValidationData, ClientMetadata map[string]string
//	}
//
//	type preSignUpRequest struct { // the event's "request" member
//		UserAttributes map[string]string `json:"userAttributes"`
//		ValidationData map[string]string `json:"validationData"`
//		ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
//	}
//
//	// PreSignUpResponse is the event's "response" member.
//	type PreSignUpResponse struct {
//		AutoConfirmUser bool `json:"autoConfirmUser"`
//		AutoVerifyEmail bool `json:"autoVerifyEmail"`
//		AutoVerifyPhone bool `json:"autoVerifyPhone"`
//	}
//
//	var preSignUp = Source[preSignUpRequest, PreSignUpResponse]{Name: "PreSignUp"}
//
//	func (inv *Invoker) PreSignUp(ctx context.Context, functionARN string, r PreSignUpRequest) (PreSignUpResponse, error) {
//		return Invoke(ctx, inv, preSignUp, functionARN,
//			Header{Region: r.Region, UserPoolID: r.PoolID, UserName: r.UserName, ClientID: r.ClientID, TriggerSource: r.TriggerSource},
//			preSignUpRequest{UserAttributes: r.UserAttributes, ValidationData: r.ValidationData, ClientMetadata: r.ClientMetadata})
//	}
//
// Facts a check needs but the function must not see (such as the pool's
// EmailSendingAccount for CustomMessage) travel in unexported fields of the
// request type, which encoding/json leaves out of the event.
//
// Event payloads carry codes and user attributes, so they are never logged:
// a call logs its source, function name, outcome and duration only.
package trigger
