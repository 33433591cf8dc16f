package trigger

import (
	"context"
	"encoding/json"
	"fmt"
)

// PreTokenGeneration trigger sources.
const (
	TokenGenerationAuthentication       = "TokenGeneration_Authentication"
	TokenGenerationNewPasswordChallenge = "TokenGeneration_NewPasswordChallenge"
	TokenGenerationRefreshTokens        = "TokenGeneration_RefreshTokens"
)

// GroupConfiguration is the event's groupConfiguration and the answer's
// groupOverrideDetails (events.GroupConfiguration). Cognito sends empty
// lists, not null, for a user in no group.
type GroupConfiguration struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

// PreTokenEvent is what a caller knows about the tokens about to be
// issued: the user, the groups the tokens would carry, and (V2) the
// access token's scopes.
type PreTokenEvent struct {
	UserEvent
	Groups GroupConfiguration
	Scopes []string
}

// PreTokenOverrides is the function's answer, whatever the event version:
// claims to add or override (raw JSON values; a V1 answer's strings are
// JSON strings) and to suppress in each token, scopes to add and suppress,
// and the group override (nil: none). Protected claims are not filtered
// here: that is the token issuer's caller's policy.
type PreTokenOverrides struct {
	IDAdd          map[string]json.RawMessage
	IDSuppress     []string
	AccessAdd      map[string]json.RawMessage
	AccessSuppress []string
	ScopesAdd      []string
	ScopesSuppress []string
	Groups         *GroupConfiguration
	// V2 is set for a V2_0 or V3_0 answer.
	V2 bool
}

// preTokenRequestV1 is the V1_0 event's "request" member
// (events.CognitoEventUserPoolsPreTokenGenRequest).
type preTokenRequestV1 struct {
	UserAttributes     map[string]string  `json:"userAttributes"`
	GroupConfiguration GroupConfiguration `json:"groupConfiguration"`
	ClientMetadata     map[string]string  `json:"clientMetadata,omitempty"`
}

// preTokenResponseV1 is the V1_0 event's "response" member
// (events.CognitoEventUserPoolsPreTokenGenResponse); Cognito sends
// {"claimsOverrideDetails":null}.
type preTokenResponseV1 struct {
	ClaimsOverrideDetails *struct {
		ClaimsToAddOrOverride map[string]string   `json:"claimsToAddOrOverride"`
		ClaimsToSuppress      []string            `json:"claimsToSuppress"`
		GroupOverrideDetails  *GroupConfiguration `json:"groupOverrideDetails"`
	} `json:"claimsOverrideDetails"`
}

// preTokenRequestV2 is the V2_0 event's "request" member
// (events.CognitoEventUserPoolsPreTokenGenV2Request): V1's plus the access
// token's scopes.
type preTokenRequestV2 struct {
	UserAttributes     map[string]string  `json:"userAttributes"`
	GroupConfiguration GroupConfiguration `json:"groupConfiguration"`
	ClientMetadata     map[string]string  `json:"clientMetadata,omitempty"`
	Scopes             []string           `json:"scopes"`
}

type tokenGeneration struct {
	ClaimsToAddOrOverride map[string]json.RawMessage `json:"claimsToAddOrOverride"`
	ClaimsToSuppress      []string                   `json:"claimsToSuppress"`
	ScopesToAdd           []string                   `json:"scopesToAdd,omitempty"`
	ScopesToSuppress      []string                   `json:"scopesToSuppress,omitempty"`
}

// preTokenResponseV2 is the V2_0 event's "response" member
// (events.CognitoEventUserPoolsPreTokenGenV2Response); V2 claim values may
// be any JSON value.
type preTokenResponseV2 struct {
	ClaimsAndScopeOverrideDetails *struct {
		IDTokenGeneration     *tokenGeneration    `json:"idTokenGeneration"`
		AccessTokenGeneration *tokenGeneration    `json:"accessTokenGeneration"`
		GroupOverrideDetails  *GroupConfiguration `json:"groupOverrideDetails"`
	} `json:"claimsAndScopeOverrideDetails"`
}

var (
	preTokenV1 = Source[preTokenRequestV1, preTokenResponseV1]{Name: "PreTokenGeneration"}
	preTokenV2 = Source[preTokenRequestV2, preTokenResponseV2]{Name: "PreTokenGeneration"}
)

// PreTokenGeneration runs a pool's PreTokenGeneration trigger. version is
// LambdaConfig.PreTokenGenerationConfig.LambdaVersion: "" or V1_0 sends
// the V1 event, V2_0 and V3_0 (identical for user sign-ins) the V2 event.
// Errors are *model.Error (see Invoke).
func (inv *Invoker) PreTokenGeneration(ctx context.Context, functionARN, version string, e PreTokenEvent) (PreTokenOverrides, error) {
	switch e.TriggerSource {
	case TokenGenerationAuthentication, TokenGenerationNewPasswordChallenge, TokenGenerationRefreshTokens:
	default:
		return PreTokenOverrides{}, fmt.Errorf("trigger: %q is not a PreTokenGeneration trigger source", e.TriggerSource)
	}
	groups := e.Groups
	if groups.GroupsToOverride == nil {
		groups.GroupsToOverride = []string{}
	}
	if groups.IAMRolesToOverride == nil {
		groups.IAMRolesToOverride = []string{}
	}
	var out PreTokenOverrides
	if version == "V2_0" || version == "V3_0" {
		scopes := e.Scopes
		if scopes == nil {
			scopes = []string{}
		}
		// The V2 event says "version": "2" (the V2/V3 event of AWS's
		// Powertools for Lambda parser schemas); "3" for V3_0 is inferred.
		h := e.header()
		h.Version = "2"
		if version == "V3_0" {
			h.Version = "3"
		}
		resp, err := Invoke(ctx, inv, preTokenV2, functionARN, h, preTokenRequestV2{
			UserAttributes: e.attributes(), GroupConfiguration: groups, ClientMetadata: e.ClientMetadata, Scopes: scopes,
		})
		if err != nil {
			return out, err
		}
		out.V2 = true
		if d := resp.ClaimsAndScopeOverrideDetails; d != nil {
			if g := d.IDTokenGeneration; g != nil {
				out.IDAdd, out.IDSuppress = g.ClaimsToAddOrOverride, g.ClaimsToSuppress
			}
			if g := d.AccessTokenGeneration; g != nil {
				out.AccessAdd, out.AccessSuppress = g.ClaimsToAddOrOverride, g.ClaimsToSuppress
				out.ScopesAdd, out.ScopesSuppress = g.ScopesToAdd, g.ScopesToSuppress
			}
			out.Groups = d.GroupOverrideDetails
		}
		return out, nil
	}
	resp, err := Invoke(ctx, inv, preTokenV1, functionARN, e.header(), preTokenRequestV1{
		UserAttributes: e.attributes(), GroupConfiguration: groups, ClientMetadata: e.ClientMetadata,
	})
	if err != nil {
		return out, err
	}
	if d := resp.ClaimsOverrideDetails; d != nil {
		if len(d.ClaimsToAddOrOverride) > 0 {
			out.IDAdd = make(map[string]json.RawMessage, len(d.ClaimsToAddOrOverride))
			for k, v := range d.ClaimsToAddOrOverride {
				b, _ := json.Marshal(v) // a string always encodes
				out.IDAdd[k] = b
			}
		}
		out.IDSuppress, out.Groups = d.ClaimsToSuppress, d.GroupOverrideDetails
	}
	return out, nil
}
