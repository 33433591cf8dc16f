package trigger

import (
	"context"
	"fmt"
)

// PreAuthentication and PostAuthentication trigger sources.
const (
	PreAuthenticationAuthentication  = "PreAuthentication_Authentication"
	PostAuthenticationAuthentication = "PostAuthentication_Authentication"
)

// preAuthenticationRequest is the PreAuthentication event's "request"
// member (events.CognitoEventUserPoolsPreAuthenticationRequest). Cognito
// passes InitiateAuth's ClientMetadata as validationData.
type preAuthenticationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ValidationData map[string]string `json:"validationData"`
	UserNotFound   bool              `json:"userNotFound,omitempty"`
}

var preAuthentication = Source[preAuthenticationRequest, empty]{Name: "PreAuthentication"}

// PreAuthentication runs a pool's PreAuthentication trigger. e's
// ValidationData is sent as validationData; its ClientMetadata is not sent.
func (inv *Invoker) PreAuthentication(ctx context.Context, functionARN string, e UserEvent) error {
	if e.TriggerSource != PreAuthenticationAuthentication {
		return fmt.Errorf("trigger: %q is not a PreAuthentication trigger source", e.TriggerSource)
	}
	_, err := Invoke(ctx, inv, preAuthentication, functionARN, e.header(), preAuthenticationRequest{
		UserAttributes: e.attributes(), ValidationData: e.ValidationData,
	})
	return err
}

// postAuthenticationRequest is the PostAuthentication event's "request"
// member (events.CognitoEventUserPoolsPostAuthenticationRequest).
type postAuthenticationRequest struct {
	NewDeviceUsed  bool              `json:"newDeviceUsed"`
	UserAttributes map[string]string `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

var postAuthentication = Source[postAuthenticationRequest, empty]{Name: "PostAuthentication"}

// PostAuthentication runs a pool's PostAuthentication trigger. Cognate
// does not track devices, so newDeviceUsed is false.
func (inv *Invoker) PostAuthentication(ctx context.Context, functionARN string, e UserEvent) error {
	if e.TriggerSource != PostAuthenticationAuthentication {
		return fmt.Errorf("trigger: %q is not a PostAuthentication trigger source", e.TriggerSource)
	}
	_, err := Invoke(ctx, inv, postAuthentication, functionARN, e.header(), postAuthenticationRequest{
		UserAttributes: e.attributes(), ClientMetadata: e.ClientMetadata,
	})
	return err
}
