package trigger

import (
	"context"
	"fmt"
)

// PreSignUp and PostConfirmation trigger sources.
const (
	PreSignUpSignUp                       = "PreSignUp_SignUp"
	PreSignUpAdminCreateUser              = "PreSignUp_AdminCreateUser"
	PostConfirmationConfirmSignUp         = "PostConfirmation_ConfirmSignUp"
	PostConfirmationConfirmForgotPassword = "PostConfirmation_ConfirmForgotPassword"
)

// UserEvent is what a caller knows about a user-level trigger event: the
// envelope, the user's attributes, and the API call's ValidationData and
// ClientMetadata (empty ClientMetadata leaves "clientMetadata" out of the
// event, as Cognito does).
type UserEvent struct {
	Region, PoolID, ClientID, UserName string
	TriggerSource                      string
	UserAttributes                     map[string]string
	ValidationData                     map[string]string
	ClientMetadata                     map[string]string
}

func (e UserEvent) header() Header {
	return Header{Region: e.Region, UserPoolID: e.PoolID, UserName: e.UserName, ClientID: e.ClientID, TriggerSource: e.TriggerSource}
}

func (e UserEvent) attributes() map[string]string {
	if e.UserAttributes == nil {
		return map[string]string{}
	}
	return e.UserAttributes
}

// preSignUpRequest is the PreSignUp event's "request" member
// (events.CognitoEventUserPoolsPreSignupRequest). validationData is null
// when the call sent none.
type preSignUpRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// PreSignUpResponse is the PreSignUp event's "response" member; Cognito
// sends all three false.
type PreSignUpResponse struct {
	AutoConfirmUser bool `json:"autoConfirmUser"`
	AutoVerifyEmail bool `json:"autoVerifyEmail"`
	AutoVerifyPhone bool `json:"autoVerifyPhone"`
}

var preSignUp = Source[preSignUpRequest, PreSignUpResponse]{Name: "PreSignUp"}

// PreSignUp runs a pool's PreSignUp trigger. Errors are *model.Error (see
// Invoke).
func (inv *Invoker) PreSignUp(ctx context.Context, functionARN string, e UserEvent) (PreSignUpResponse, error) {
	switch e.TriggerSource {
	case PreSignUpSignUp, PreSignUpAdminCreateUser:
	default:
		return PreSignUpResponse{}, fmt.Errorf("trigger: %q is not a PreSignUp trigger source", e.TriggerSource)
	}
	return Invoke(ctx, inv, preSignUp, functionARN, e.header(), preSignUpRequest{
		UserAttributes: e.attributes(), ValidationData: e.ValidationData, ClientMetadata: e.ClientMetadata,
	})
}

// postConfirmationRequest is the PostConfirmation event's "request" member
// (events.CognitoEventUserPoolsPostConfirmationRequest).
type postConfirmationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// empty is the "response" member of the triggers that answer nothing ({}).
type empty struct{}

var postConfirmation = Source[postConfirmationRequest, empty]{Name: "PostConfirmation"}

// PostConfirmation runs a pool's PostConfirmation trigger; its answer
// carries nothing. Errors are *model.Error (see Invoke).
func (inv *Invoker) PostConfirmation(ctx context.Context, functionARN string, e UserEvent) error {
	switch e.TriggerSource {
	case PostConfirmationConfirmSignUp, PostConfirmationConfirmForgotPassword:
	default:
		return fmt.Errorf("trigger: %q is not a PostConfirmation trigger source", e.TriggerSource)
	}
	_, err := Invoke(ctx, inv, postConfirmation, functionARN, e.header(), postConfirmationRequest{
		UserAttributes: e.attributes(), ClientMetadata: e.ClientMetadata,
	})
	return err
}
