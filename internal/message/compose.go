package message

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// Sealer seals and opens secrets at rest (internal/seal's Keyring). The
// additional data binds a sealed value to where it is stored, so a value
// copied to another row or column does not open.
type Sealer interface {
	Seal(plaintext, aad []byte) []byte
	Open(sealed, aad []byte) ([]byte, error)
}

// Kind is why a message is sent; it picks the template and the
// CustomMessage trigger source.
type Kind int

const (
	SignUp              Kind = iota + 1 // SignUp: confirm the new account
	ResendCode                          // ResendConfirmationCode
	ForgotPassword                      // ForgotPassword, AdminResetUserPassword
	UpdateUserAttribute                 // a changed email or phone_number
	VerifyUserAttribute                 // GetUserAttributeVerificationCode
	AdminCreateUser                     // the invitation with a temporary password
	Authentication                      // an MFA code at sign-in
)

var triggerSources = map[Kind]string{
	SignUp:              "CustomMessage_SignUp",
	ResendCode:          "CustomMessage_ResendCode",
	ForgotPassword:      "CustomMessage_ForgotPassword",
	UpdateUserAttribute: "CustomMessage_UpdateUserAttribute",
	VerifyUserAttribute: "CustomMessage_VerifyUserAttribute",
	AdminCreateUser:     "CustomMessage_AdminCreateUser",
	Authentication:      "CustomMessage_Authentication",
}

// TriggerSource is the CustomMessage trigger source of the kind (behaviour
// reference §3.1), "" for an unknown kind.
func (k Kind) TriggerSource() string { return triggerSources[k] }

func (k Kind) String() string {
	if s, ok := triggerSources[k]; ok {
		return strings.TrimPrefix(s, "CustomMessage_")
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Cognito's default texts, used when the pool sets none. Evidence, all
// public material:
//   - Verification subject and body: "Your verification code is {####}. "
//     was the text Cognito sent before the CDK began setting its own
//     (aws/aws-cdk#7597); the same subject, body and SMS text appear in
//     Terraform exports of console-made pools (email_verification_subject =
//     "Your verification code", sms_verification_message = "Your
//     verification code is {####}. ").
//   - ForgotPassword: a real email from a pool with no template
//     (WikiWatershed/monitor-my-watershed#636): From
//     no-reply@verificationemail.com, "Subject: Your verification code",
//     body "Your password reset code is 039126" — no trailing period. A
//     pool that sets a verification template gets that template instead
//     (the same issue fixed its wording there). The SMS text is inferred to
//     be the same.
//   - Link style: "Your verification link" and "Please click the link below
//     to verify your email address. {##Verify Email##} " in Terraform
//     exports of console-made pools and in aws-samples' ECS workshop.
//   - Invitation: the CDK's UserInvitationConfig documents Cognito's
//     defaults, subject "Your temporary password", email body "Your username
//     is {username} and temporary password is {####}." and SMS "Your username
//     is {username} and temporary password is {####}" (no period).
//   - MFA SMS: "Your authentication code is {####}. " in Terraform exports
//     (sms_authentication_message). The email subject and body for email
//     MFA are inferred; the pool's EmailMfaConfiguration comes in through
//     Params.Override.
const (
	DefaultVerificationSubject = "Your verification code"
	DefaultVerificationMessage = "Your verification code is {####}. "
	DefaultLinkSubject         = "Your verification link"
	DefaultLinkMessage         = "Please click the link below to verify your email address. {##Verify Email##} "
	DefaultForgotPasswordBody  = "Your password reset code is {####}"
	DefaultInviteSubject       = "Your temporary password"
	DefaultInviteEmailMessage  = "Your username is {username} and temporary password is {####}."
	DefaultInviteSMSMessage    = "Your username is {username} and temporary password is {####}"
	DefaultAuthenticationSMS   = "Your authentication code is {####}. "
	DefaultAuthenticationSubj  = "Your authentication code"             // inferred
	DefaultAuthenticationEmail = "Your authentication code is {####}. " // inferred
	codePlaceholder            = "{####}"
	usernamePlaceholder        = "{username}"
	confirmPath                = "/confirm"
	aadPrefix                  = "cognate/message/v1"
)

// linkPlaceholder matches {##Any Text##}; the text becomes the link's text.
// It needs at least one character between the markers so that the code
// placeholder {####} is never taken for a link.
var linkPlaceholder = regexp.MustCompile(`(?s)\{##(.+?)##\}`)

// Override replaces the pool's templates for one message: the answer of a
// CustomMessage Lambda, or the pool's email MFA configuration. Empty
// members keep the template (a null Lambda field means "use the pool's",
// behaviour reference §3.3). Placeholders are substituted as in templates.
type Override struct {
	EmailSubject string
	EmailMessage string
	SMSMessage   string
}

// Params is everything Compose needs; Compose reads nothing else.
type Params struct {
	ID       string // from NewID: time-ordered
	PoolID   string
	UserKey  string
	Username string // as Cognito shows it: {username} and the link's user_name
	Pool     *model.UserPoolType
	Kind     Kind
	Medium   string // model.DeliveryMediumTypeEmail or model.DeliveryMediumTypeSms
	// Destination is the address or phone number, unmasked.
	Destination   string
	AttributeName string // email, phone_number
	// Code replaces {####}. For AdminCreateUser the temporary password does
	// instead, and it is what Code holds in the outbox (so tests can read it).
	Code              string
	TemporaryPassword string
	Now               time.Time
	Sealer            Sealer
	// ClientID and PublicURL build the confirmation link of link-style
	// sign-up emails: <PublicURL>/confirm?client_id=…&user_name=…&confirmation_code=…
	// (Cognito's own link carries the same three parameters to its hosted
	// /confirmUser endpoint; amazon-cognito-identity-js#521).
	ClientID  string
	PublicURL string
	Override  *Override
	// AuthSubject and AuthMessage are the templates of an Authentication
	// message from the pool's MFA configuration (EmailMfaConfiguration,
	// SmsMfaConfiguration.SmsAuthenticationMessage); nil for the defaults.
	AuthSubject *string
	AuthMessage *string
}

// Compose renders a message from the pool's settings and returns the outbox
// row, with Body and Code sealed. It is pure (no I/O, no logging, no clock,
// no randomness), because it runs inside store updaters that may be retried.
func Compose(p Params) (store.Message, error) {
	if err := p.check(); err != nil {
		return store.Message{}, err
	}
	subject, body, err := render(p)
	if err != nil {
		return store.Message{}, err
	}
	code := p.Code
	if p.Kind == AdminCreateUser {
		code = p.TemporaryPassword
	}
	now := p.Now.UTC().Truncate(time.Millisecond)
	return store.Message{
		ID:             p.ID,
		PoolID:         p.PoolID,
		UserKey:        p.UserKey,
		CreatedAt:      now,
		DeliveryMedium: p.Medium,
		Destination:    p.Destination,
		AttributeName:  p.AttributeName,
		TriggerSource:  p.Kind.TriggerSource(),
		Subject:        subject,
		Body:           p.Sealer.Seal([]byte(body), aad(p.PoolID, p.ID, "body")),
		Code:           p.Sealer.Seal([]byte(code), aad(p.PoolID, p.ID, "code")),
		NextAttemptAt:  now,
	}, nil
}

func (p *Params) check() error {
	switch {
	case p.ID == "" || p.PoolID == "" || p.UserKey == "":
		return errors.New("message: Compose needs an id, a pool id and a user key")
	case p.Kind.TriggerSource() == "":
		return fmt.Errorf("message: unknown kind %d", int(p.Kind))
	case p.Medium != model.DeliveryMediumTypeEmail && p.Medium != model.DeliveryMediumTypeSms:
		return fmt.Errorf("message: unknown delivery medium %q", p.Medium)
	case p.Destination == "":
		return errors.New("message: no destination")
	case p.Sealer == nil:
		return errors.New("message: no sealer")
	case p.Now.IsZero():
		return errors.New("message: no time")
	case p.Kind != AdminCreateUser && p.Code == "":
		return errors.New("message: no code")
	}
	return nil
}

// render picks the templates and substitutes the placeholders. Subjects
// are never substituted: Cognito leaves {####} in a subject as it is
// (amplify-js#936), so a code never reaches the unsealed Subject column.
func render(p Params) (subject, body string, err error) {
	email := p.Medium == model.DeliveryMediumTypeEmail
	link := false
	switch p.Kind {
	case AdminCreateUser:
		var t model.MessageTemplateType
		if p.Pool != nil && p.Pool.AdminCreateUserConfig != nil && p.Pool.AdminCreateUserConfig.InviteMessageTemplate != nil {
			t = *p.Pool.AdminCreateUserConfig.InviteMessageTemplate
		}
		if email {
			subject = first(t.EmailSubject, nil, DefaultInviteSubject)
			body = first(t.EmailMessage, nil, DefaultInviteEmailMessage)
		} else {
			body = first(t.SMSMessage, nil, DefaultInviteSMSMessage)
		}
	case Authentication:
		if email {
			subject = first(p.AuthSubject, nil, DefaultAuthenticationSubj)
			body = first(p.AuthMessage, nil, DefaultAuthenticationEmail)
		} else {
			sms := p.AuthMessage
			if sms == nil && p.Pool != nil {
				sms = p.Pool.SmsAuthenticationMessage
			}
			body = first(sms, nil, DefaultAuthenticationSMS)
		}
	default: // the verification template: sign-up, resend, attributes, forgot password
		var t model.VerificationMessageTemplateType
		pool := p.Pool
		if pool == nil {
			pool = &model.UserPoolType{}
		}
		if pool.VerificationMessageTemplate != nil {
			t = *pool.VerificationMessageTemplate
		}
		defaultBody := DefaultVerificationMessage
		if p.Kind == ForgotPassword {
			defaultBody = DefaultForgotPasswordBody
		}
		// Only the sign-up confirmation can be a link: attribute updates
		// always send a code (behaviour reference §1.7, repost.aws
		// QUZIuScwnfRfSS72TEKdTaAQ), and a password reset needs the code
		// typed into ConfirmForgotPassword.
		link = email && (p.Kind == SignUp || p.Kind == ResendCode) &&
			deref(t.DefaultEmailOption) == model.DefaultEmailOptionTypeConfirmWithLink
		switch {
		case link:
			subject = first(t.EmailSubjectByLink, nil, DefaultLinkSubject)
			body = first(t.EmailMessageByLink, nil, DefaultLinkMessage)
		case email:
			subject = first(t.EmailSubject, pool.EmailVerificationSubject, DefaultVerificationSubject)
			body = first(t.EmailMessage, pool.EmailVerificationMessage, defaultBody)
		default:
			body = first(t.SmsMessage, pool.SmsVerificationMessage, defaultBody)
		}
	}
	if o := p.Override; o != nil {
		if email {
			subject = firstString(o.EmailSubject, subject)
			body = firstString(o.EmailMessage, body)
		} else {
			body = firstString(o.SMSMessage, body)
		}
	}

	if link {
		if p.PublicURL == "" || p.ClientID == "" {
			return "", "", errors.New("message: a link-style message needs the public URL and the client id")
		}
		u := strings.TrimRight(p.PublicURL, "/") + confirmPath + "?" + url.Values{
			"client_id":         {p.ClientID},
			"user_name":         {p.Username},
			"confirmation_code": {p.Code},
		}.Encode()
		// The link's text is the template's; the query values are escaped,
		// so nothing from the user can close the attribute or the tag.
		body = linkPlaceholder.ReplaceAllStringFunc(body, func(m string) string {
			text := linkPlaceholder.FindStringSubmatch(m)[1]
			return `<a href="` + u + `">` + text + `</a>`
		})
	}
	// One pass, so that a username holding "{####}" is not substituted again.
	if p.Kind == AdminCreateUser {
		body = strings.NewReplacer(usernamePlaceholder, p.Username, codePlaceholder, p.TemporaryPassword).Replace(body)
	} else {
		body = strings.ReplaceAll(body, codePlaceholder, p.Code)
	}
	if !email {
		subject = ""
	}
	return subject, body, nil
}

// Opened is a message's plain text, for the senders and the inspection API.
type Opened struct {
	Subject string
	Body    string
	Code    string
}

// Open unseals a message's body and code.
func Open(m store.Message, s Sealer) (Opened, error) {
	body, err := s.Open(m.Body, aad(m.PoolID, m.ID, "body"))
	if err != nil {
		return Opened{}, fmt.Errorf("message: opening the body of %s: %w", m.ID, err)
	}
	code, err := s.Open(m.Code, aad(m.PoolID, m.ID, "code"))
	if err != nil {
		return Opened{}, fmt.Errorf("message: opening the code of %s: %w", m.ID, err)
	}
	return Opened{Subject: m.Subject, Body: string(body), Code: string(code)}, nil
}

// aad binds a sealed value to its pool, message and column, so a sealed
// body cannot be passed off as a code or as another message's body.
func aad(poolID, id, column string) []byte {
	return []byte(aadPrefix + "\x00" + poolID + "\x00" + id + "\x00" + column)
}

// first returns the first of a (template member), b (legacy member) that
// is set and not empty, else def.
func first(a, b *string, def string) string {
	if a != nil && *a != "" {
		return *a
	}
	if b != nil && *b != "" {
		return *b
	}
	return def
}

func firstString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
