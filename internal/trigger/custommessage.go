package trigger

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/cognate/cognate/internal/api/model"
)

// Placeholders a CustomMessage event offers; Cognito substitutes them in the
// function's messages (behaviour reference §3.2).
const (
	CodeParameter     = "{####}"
	LinkParameter     = "{##Click Here##}"
	UsernameParameter = "{username}"
)

// CustomMessage trigger sources.
const (
	CustomMessageSignUp              = "CustomMessage_SignUp"
	CustomMessageAdminCreateUser     = "CustomMessage_AdminCreateUser"
	CustomMessageResendCode          = "CustomMessage_ResendCode"
	CustomMessageForgotPassword      = "CustomMessage_ForgotPassword"
	CustomMessageUpdateUserAttribute = "CustomMessage_UpdateUserAttribute"
	CustomMessageVerifyUserAttribute = "CustomMessage_VerifyUserAttribute"
	CustomMessageAuthentication      = "CustomMessage_Authentication"
)

// Length limits in UTF-8 characters (code points), code placeholder
// included (behaviour reference §3.3).
const (
	maxEmailMessage = 20000
	maxSMSMessage   = 140
)

// Cognito checks a CustomMessage answer with its template patterns. These
// are the service model's, translated for RE2 as internal/api/model does
// (Java's \s is [ \t\n\x0B\f\r]; its . stops at every line terminator).
var (
	// [\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*
	reEmailMessage = regexp.MustCompile(`^(?:[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\x0B\f\r *]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\x0B\f\r *]*)$`)
	// .*\{####\}.*
	reSMSMessage = regexp.MustCompile(`^(?:[^\n\r\x{85}\x{2028}\x{2029}]*\{####\}[^\n\r\x{85}\x{2028}\x{2029}]*)$`)
)

const (
	patternEmailMessage = `[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`
	patternSMSMessage   = `.*\{####\}.*`
)

// CustomMessageRequest is what the caller knows about the message to send.
type CustomMessageRequest struct {
	Region, PoolID, ClientID, UserName string
	// TriggerSource is one of the CustomMessage_* constants.
	TriggerSource string
	// UserAttributes are the user's attributes as strings, plus the internal
	// keys Cognito adds: cognito:user_status, and cognito:email_alias /
	// cognito:phone_number_alias when the pool makes them aliases.
	UserAttributes map[string]string
	// UsernameParameter is sent only for CustomMessage_AdminCreateUser,
	// where nil means UsernameParameter ("{username}"); other sources send
	// null whatever it holds.
	UsernameParameter *string
	// ClientMetadata is the API call's ClientMetadata; empty leaves
	// "clientMetadata" out of the event, as Cognito does.
	ClientMetadata map[string]string
	// LinkParameter is the link placeholder; empty means LinkParameter.
	LinkParameter string
}

// CustomMessageResponse is the function's answer, as the event's
// "response" member. A nil member means "use the pool's template" (a null
// from the function, or an empty string, which is what Go functions built
// on aws-lambda-go's events send for members they leave unset).
// Placeholders are left in place for the caller to substitute.
type CustomMessageResponse struct {
	SMSMessage   *string `json:"smsMessage"`
	EmailMessage *string `json:"emailMessage"`
	EmailSubject *string `json:"emailSubject"`
}

// customMessageRequest is the event's "request" member.
type customMessageRequest struct {
	UserAttributes    map[string]string `json:"userAttributes"`
	CodeParameter     string            `json:"codeParameter"`
	LinkParameter     string            `json:"linkParameter"`
	UsernameParameter *string           `json:"usernameParameter"`
	ClientMetadata    map[string]string `json:"clientMetadata,omitempty"`

	// developer: the pool's EmailSendingAccount is DEVELOPER (not sent).
	developer bool
}

var customMessage = Source[customMessageRequest, CustomMessageResponse]{
	Name:  "CustomMessage",
	Check: checkCustomMessage,
}

// CustomMessage runs a pool's CustomMessage trigger and returns the
// messages it chose. emailSendingAccountDeveloper tells whether the pool's
// EmailConfiguration.EmailSendingAccount is DEVELOPER. Errors are
// *model.Error (see Invoke).
func (inv *Invoker) CustomMessage(ctx context.Context, functionARN string, req CustomMessageRequest, emailSendingAccountDeveloper bool) (CustomMessageResponse, error) {
	switch req.TriggerSource {
	case CustomMessageSignUp, CustomMessageAdminCreateUser, CustomMessageResendCode, CustomMessageForgotPassword,
		CustomMessageUpdateUserAttribute, CustomMessageVerifyUserAttribute, CustomMessageAuthentication:
	default:
		return CustomMessageResponse{}, fmt.Errorf("trigger: %q is not a CustomMessage trigger source", req.TriggerSource)
	}
	wire := customMessageRequest{
		UserAttributes: req.UserAttributes,
		CodeParameter:  CodeParameter,
		LinkParameter:  req.LinkParameter,
		ClientMetadata: req.ClientMetadata,
		developer:      emailSendingAccountDeveloper,
	}
	if wire.UserAttributes == nil {
		wire.UserAttributes = map[string]string{}
	}
	if wire.LinkParameter == "" {
		wire.LinkParameter = LinkParameter
	}
	if req.TriggerSource == CustomMessageAdminCreateUser {
		// Non-null only here (DefinitelyTyped/DefinitelyTyped#62357, from
		// captured events).
		u := UsernameParameter
		if req.UsernameParameter != nil {
			u = *req.UsernameParameter
		}
		wire.UsernameParameter = &u
	}
	return Invoke(ctx, inv, customMessage, functionARN, Header{
		Region:        req.Region,
		UserPoolID:    req.PoolID,
		UserName:      req.UserName,
		ClientID:      req.ClientID,
		TriggerSource: req.TriggerSource,
	}, wire)
}

// checkCustomMessage applies Cognito's rules to a CustomMessage answer, in
// this order:
//
//  1. An empty member is a null one: the template is used.
//  2. emailMessage or emailSubject while EmailSendingAccount is not
//     DEVELOPER → InvalidLambdaResponseException (behaviour reference §3.3).
//     The text is inferred: none was found in public material. It follows
//     Cognito's "Invalid lambda function output : …" form.
//  3. CustomMessage_AdminCreateUser: a message without both the username
//     and the code placeholder is dropped silently and the template is used
//     ("If this is not the case, the default message is used instead and no
//     warning is given": awsdocs/amazon-cognito-developer-guide#31, merged by
//     AWS; the effect is seen in aws-amplify/amplify-cli#12911).
//  4. A message over its limit (email 20,000, SMS 140 characters) is dropped
//     silently and the template is used, as observed in
//     amazon-archives/amazon-cognito-identity-js#155 and #396 (an oversized
//     HTML body "reverts back to the default message").
//  5. Any other message must match the template pattern, {####} included.
//     Cognito does not answer InvalidLambdaResponseException here but a
//     model-style InvalidParameterException, quoted verbatim for emails in
//     amazon-archives/amazon-cognito-identity-js#99 and #446,
//     aws-amplify/amplify-js#6917 and aws/aws-lambda-go#330:
//     "1 validation error detected: Value '<body>' at 'emailBody' failed to
//     satisfy constraint: Member must satisfy regular expression pattern:
//     [\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*".
//     The SMS text (member 'smsMessage', pattern .*\{####\}.*, the model's
//     SmsVerificationMessageType) is inferred. The email is checked first.
//     Both members are checked whatever the medium: Cognito may check only
//     the one it sends (unknown).
func checkCustomMessage(req *customMessageRequest, resp *CustomMessageResponse) error {
	for _, m := range []**string{&resp.SMSMessage, &resp.EmailMessage, &resp.EmailSubject} {
		if *m != nil && **m == "" {
			*m = nil
		}
	}
	if !req.developer && (resp.EmailMessage != nil || resp.EmailSubject != nil) {
		return model.Errorf(model.InvalidLambdaResponseException,
			"Invalid lambda function output : emailMessage and emailSubject require EmailSendingAccount DEVELOPER")
	}
	if u := req.UsernameParameter; u != nil {
		for _, m := range []**string{&resp.SMSMessage, &resp.EmailMessage} {
			if *m != nil && !(strings.Contains(**m, req.CodeParameter) && strings.Contains(**m, *u)) {
				*m = nil
			}
		}
	}
	if m := resp.EmailMessage; m != nil && utf8.RuneCountInString(*m) > maxEmailMessage {
		resp.EmailMessage = nil
	}
	if m := resp.SMSMessage; m != nil && utf8.RuneCountInString(*m) > maxSMSMessage {
		resp.SMSMessage = nil
	}
	if req.UsernameParameter != nil {
		return nil
	}
	if m := resp.EmailMessage; m != nil && !reEmailMessage.MatchString(*m) {
		return patternViolation(*m, "emailBody", patternEmailMessage)
	}
	if m := resp.SMSMessage; m != nil && !reSMSMessage.MatchString(*m) {
		return patternViolation(*m, "smsMessage", patternSMSMessage)
	}
	return nil
}

func patternViolation(value, member, pattern string) error {
	return model.Errorf(model.InvalidParameterException,
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
		value, member, pattern)
}
