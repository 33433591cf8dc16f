package message

import (
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/api/model"
)

func ptr[T any](v T) *T { return &v }

var composeNow = time.Date(2030, 3, 4, 5, 6, 7, 891_234_567, time.UTC)

func baseParams(s Sealer) Params {
	return Params{
		ID: "0190a8c4-0000-7000-8000-000000000001", PoolID: "us-east-1_abcdefghi",
		UserKey: "alice", Username: "alice", Kind: SignUp, Medium: model.DeliveryMediumTypeEmail,
		Destination: "alice@example.com", AttributeName: "email", Code: "123456",
		Now: composeNow, Sealer: s, ClientID: "client1", PublicURL: "http://localhost:9229/",
	}
}

func TestCompose(t *testing.T) {
	s := newSealer(t)
	custom := &model.UserPoolType{
		VerificationMessageTemplate: &model.VerificationMessageTemplateType{
			EmailSubject: ptr("Welcome"), EmailMessage: ptr("Code: {####}!"), SmsMessage: ptr("SMS code {####}"),
		},
		AdminCreateUserConfig: &model.AdminCreateUserConfigType{InviteMessageTemplate: &model.MessageTemplateType{
			EmailSubject: ptr("Join us"), EmailMessage: ptr("Hi {username}, password {####}"), SMSMessage: ptr("{username}/{####}"),
		}},
		SmsAuthenticationMessage: ptr("MFA {####}"),
	}
	legacy := &model.UserPoolType{
		EmailVerificationSubject: ptr("Legacy subject"), EmailVerificationMessage: ptr("Legacy {####}"),
		SmsVerificationMessage: ptr("Legacy SMS {####}"),
		// An empty template member does not hide the legacy one.
		VerificationMessageTemplate: &model.VerificationMessageTemplateType{EmailMessage: ptr("")},
	}
	linkPool := func(msg, subj *string) *model.UserPoolType {
		return &model.UserPoolType{VerificationMessageTemplate: &model.VerificationMessageTemplateType{
			DefaultEmailOption: ptr(model.DefaultEmailOptionTypeConfirmWithLink),
			EmailMessageByLink: msg, EmailSubjectByLink: subj,
			EmailMessage: ptr("Code style {####}"), EmailSubject: ptr("Code subject"),
		}}
	}
	const link = `<a href="http://localhost:9229/confirm?client_id=client1&confirmation_code=123456&user_name=alice">`
	sms := model.DeliveryMediumTypeSms
	tests := []struct {
		name    string
		edit    func(*Params)
		subject string
		body    string
		code    string
		trigger string
	}{
		{"sign-up default", nil,
			"Your verification code", "Your verification code is 123456. ", "123456", "CustomMessage_SignUp"},
		{"sign-up template", func(p *Params) { p.Pool = custom },
			"Welcome", "Code: 123456!", "123456", "CustomMessage_SignUp"},
		{"sign-up legacy members", func(p *Params) { p.Pool = legacy },
			"Legacy subject", "Legacy 123456", "123456", "CustomMessage_SignUp"},
		{"sign-up SMS default", func(p *Params) { p.Medium = sms; p.Destination = "+12345551234" },
			"", "Your verification code is 123456. ", "123456", "CustomMessage_SignUp"},
		{"sign-up SMS template", func(p *Params) { p.Medium = sms; p.Pool = custom },
			"", "SMS code 123456", "123456", "CustomMessage_SignUp"},
		{"sign-up SMS legacy", func(p *Params) { p.Medium = sms; p.Pool = legacy },
			"", "Legacy SMS 123456", "123456", "CustomMessage_SignUp"},
		{"resend", func(p *Params) { p.Kind = ResendCode; p.Pool = custom },
			"Welcome", "Code: 123456!", "123456", "CustomMessage_ResendCode"},
		{"forgot password default", func(p *Params) { p.Kind = ForgotPassword },
			"Your verification code", "Your password reset code is 123456", "123456", "CustomMessage_ForgotPassword"},
		{"forgot password SMS default", func(p *Params) { p.Kind = ForgotPassword; p.Medium = sms },
			"", "Your password reset code is 123456", "123456", "CustomMessage_ForgotPassword"},
		{"forgot password uses the verification template", func(p *Params) { p.Kind = ForgotPassword; p.Pool = custom },
			"Welcome", "Code: 123456!", "123456", "CustomMessage_ForgotPassword"},
		{"update attribute", func(p *Params) { p.Kind = UpdateUserAttribute; p.Pool = custom },
			"Welcome", "Code: 123456!", "123456", "CustomMessage_UpdateUserAttribute"},
		{"verify attribute default", func(p *Params) { p.Kind = VerifyUserAttribute },
			"Your verification code", "Your verification code is 123456. ", "123456", "CustomMessage_VerifyUserAttribute"},
		{"invitation default", func(p *Params) { p.Kind = AdminCreateUser; p.Code = ""; p.TemporaryPassword = "Tmp#pass1" },
			"Your temporary password", "Your username is alice and temporary password is Tmp#pass1.", "Tmp#pass1", "CustomMessage_AdminCreateUser"},
		{"invitation SMS default", func(p *Params) {
			p.Kind = AdminCreateUser
			p.Medium = sms
			p.TemporaryPassword = "Tmp#pass1"
		}, "", "Your username is alice and temporary password is Tmp#pass1", "Tmp#pass1", "CustomMessage_AdminCreateUser"},
		{"invitation template", func(p *Params) { p.Kind = AdminCreateUser; p.Pool = custom; p.TemporaryPassword = "Tmp#pass1" },
			"Join us", "Hi alice, password Tmp#pass1", "Tmp#pass1", "CustomMessage_AdminCreateUser"},
		{"invitation: a username holding {####} is not substituted again", func(p *Params) {
			p.Kind = AdminCreateUser
			p.Medium = sms
			p.Pool = custom
			p.Username = "{####}"
			p.TemporaryPassword = "Tmp#pass1"
		}, "", "{####}/Tmp#pass1", "Tmp#pass1", "CustomMessage_AdminCreateUser"},
		{"verification leaves {username} alone", func(p *Params) {
			p.Pool = &model.UserPoolType{VerificationMessageTemplate: &model.VerificationMessageTemplateType{EmailMessage: ptr("Hi {username} {####}")}}
		}, "Your verification code", "Hi {username} 123456", "123456", "CustomMessage_SignUp"},
		{"MFA SMS default", func(p *Params) { p.Kind = Authentication; p.Medium = sms },
			"", "Your authentication code is 123456. ", "123456", "CustomMessage_Authentication"},
		{"MFA SMS pool text", func(p *Params) { p.Kind = Authentication; p.Medium = sms; p.Pool = custom },
			"", "MFA 123456", "123456", "CustomMessage_Authentication"},
		{"MFA email override", func(p *Params) {
			p.Kind = Authentication
			p.Override = &Override{EmailSubject: "Sign in", EmailMessage: "Use {####}"}
		}, "Sign in", "Use 123456", "123456", "CustomMessage_Authentication"},
		{"link style default texts", func(p *Params) { p.Pool = linkPool(nil, nil) },
			"Your verification link",
			"Please click the link below to verify your email address. " + link + "Verify Email</a> ",
			"123456", "CustomMessage_SignUp"},
		{"link style template", func(p *Params) { p.Pool = linkPool(ptr("Go: {##Click Here##} now"), ptr("Confirm")) },
			"Confirm", "Go: " + link + "Click Here</a> now", "123456", "CustomMessage_SignUp"},
		{"link style on resend", func(p *Params) { p.Kind = ResendCode; p.Pool = linkPool(ptr("{##Go##}"), nil) },
			"Your verification link", link + "Go</a>", "123456", "CustomMessage_ResendCode"},
		{"link style pool still sends attribute updates a code", func(p *Params) { p.Kind = UpdateUserAttribute; p.Pool = linkPool(nil, nil) },
			"Code subject", "Code style 123456", "123456", "CustomMessage_UpdateUserAttribute"},
		{"link style pool sends a reset code", func(p *Params) { p.Kind = ForgotPassword; p.Pool = linkPool(nil, nil) },
			"Code subject", "Code style 123456", "123456", "CustomMessage_ForgotPassword"},
		{"link style pool sends SMS codes", func(p *Params) { p.Medium = sms; p.Pool = linkPool(nil, nil) },
			"", "Your verification code is 123456. ", "123456", "CustomMessage_SignUp"},
		{"link escapes the username", func(p *Params) { p.Pool = linkPool(ptr("{##x##}"), nil); p.Username = `a"b&c d` },
			"Your verification link",
			`<a href="http://localhost:9229/confirm?client_id=client1&confirmation_code=123456&user_name=a%22b%26c+d">x</a>`,
			"123456", "CustomMessage_SignUp"},
		{"Lambda override", func(p *Params) { p.Pool = custom; p.Override = &Override{EmailMessage: "Lambda {####}"} },
			"Welcome", "Lambda 123456", "123456", "CustomMessage_SignUp"},
		{"Lambda override SMS", func(p *Params) {
			p.Medium = sms
			p.Override = &Override{SMSMessage: "L {####}", EmailMessage: "unused"}
		},
			"", "L 123456", "123456", "CustomMessage_SignUp"},
		{"subject never substituted", func(p *Params) { p.Override = &Override{EmailSubject: "Code {####}"} },
			"Code {####}", "Your verification code is 123456. ", "123456", "CustomMessage_SignUp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := baseParams(s)
			if tc.edit != nil {
				tc.edit(&p)
			}
			m, err := Compose(p)
			if err != nil {
				t.Fatal(err)
			}
			if m.TriggerSource != tc.trigger {
				t.Errorf("TriggerSource = %q, want %q", m.TriggerSource, tc.trigger)
			}
			if m.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.subject)
			}
			if strings.Contains(string(m.Body), tc.code) || strings.Contains(string(m.Code), tc.code) {
				t.Error("the code is readable in the sealed columns")
			}
			o, err := Open(m, s)
			if err != nil {
				t.Fatal(err)
			}
			if o.Body != tc.body || o.Code != tc.code || o.Subject != tc.subject {
				t.Errorf("Open = %+v\nwant body %q code %q", o, tc.body, tc.code)
			}
			if m.ID != p.ID || m.PoolID != p.PoolID || m.UserKey != p.UserKey || m.DeliveryMedium != p.Medium ||
				m.Destination != p.Destination || m.AttributeName != p.AttributeName {
				t.Errorf("row = %+v", m)
			}
			if want := composeNow.Truncate(time.Millisecond); !m.CreatedAt.Equal(want) || !m.NextAttemptAt.Equal(want) {
				t.Errorf("CreatedAt %v NextAttemptAt %v, want %v", m.CreatedAt, m.NextAttemptAt, want)
			}
			if m.Delivered || m.Attempts != 0 || m.LastError != "" {
				t.Errorf("delivery state of a new message: %+v", m)
			}
		})
	}
}

func TestComposeRejects(t *testing.T) {
	s := newSealer(t)
	link := &model.UserPoolType{VerificationMessageTemplate: &model.VerificationMessageTemplateType{
		DefaultEmailOption: ptr(model.DefaultEmailOptionTypeConfirmWithLink)}}
	tests := []struct {
		name string
		edit func(*Params)
	}{
		{"no id", func(p *Params) { p.ID = "" }},
		{"no pool", func(p *Params) { p.PoolID = "" }},
		{"no user", func(p *Params) { p.UserKey = "" }},
		{"unknown kind", func(p *Params) { p.Kind = 0 }},
		{"unknown medium", func(p *Params) { p.Medium = "VOICE" }},
		{"no destination", func(p *Params) { p.Destination = "" }},
		{"no sealer", func(p *Params) { p.Sealer = nil }},
		{"no time", func(p *Params) { p.Now = time.Time{} }},
		{"no code", func(p *Params) { p.Code = "" }},
		{"link without public URL", func(p *Params) { p.Pool = link; p.PublicURL = "" }},
		{"link without client", func(p *Params) { p.Pool = link; p.ClientID = "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := baseParams(s)
			tc.edit(&p)
			if _, err := Compose(p); err == nil {
				t.Fatal("Compose accepted it")
			}
		})
	}
}

type sealedCols struct {
	pool, id   string
	body, code []byte
}

// The sealed columns are bound to their pool, message and column: copied
// elsewhere they do not open.
func TestSealedColumnsAreBound(t *testing.T) {
	s := newSealer(t)
	m, err := Compose(baseParams(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(m, s); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(m *sealedCols)
	}{
		{"other message id", func(m *sealedCols) { m.id += "x" }},
		{"other pool", func(m *sealedCols) { m.pool = "us-east-1_zzzzzzzzz" }},
		{"body and code swapped", func(m *sealedCols) { m.body, m.code = m.code, m.body }},
		{"tampered body", func(m *sealedCols) { m.body = append([]byte(nil), m.body...); m.body[len(m.body)-1] ^= 1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := sealedCols{m.PoolID, m.ID, m.Body, m.Code}
			tc.edit(&v)
			c := m
			c.PoolID, c.ID, c.Body, c.Code = v.pool, v.id, v.body, v.code
			if _, err := Open(c, s); err == nil {
				t.Fatal("opened")
			}
		})
	}
	if _, err := Open(m, newSealer(t)); err == nil {
		t.Fatal("opened with another key")
	}
}

func TestKindNames(t *testing.T) {
	if SignUp.String() != "SignUp" || Kind(99).String() != "Kind(99)" || Kind(99).TriggerSource() != "" {
		t.Fatal(SignUp.String(), Kind(99).String())
	}
}
