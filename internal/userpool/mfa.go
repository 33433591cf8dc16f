package userpool

import (
	"context"
	"encoding/json"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// MFA is the part of a pool's MFA settings that DescribeUserPool does not
// show (the mode itself is Config.MfaConfiguration). It is kept in the
// settings document under its own key. SmsMfaConfiguration and
// EmailMfaConfiguration turn on the SMS_MFA and EMAIL_OTP challenges (and
// carry their message templates); WebAuthnConfiguration is stored only.
type MFA struct {
	SmsMfaConfiguration           *model.SmsMfaConfigType           `json:"SmsMfaConfiguration,omitempty"`
	SoftwareTokenMfaConfiguration *model.SoftwareTokenMfaConfigType `json:"SoftwareTokenMfaConfiguration,omitempty"`
	EmailMfaConfiguration         *model.EmailMfaConfigType         `json:"EmailMfaConfiguration,omitempty"`
	WebAuthnConfiguration         *model.WebAuthnConfigurationType  `json:"WebAuthnConfiguration,omitempty"`
}

const mfaKey = "cognate:mfa"

// SoftwareTokenEnabled reports whether the pool offers TOTP MFA.
func (m MFA) SoftwareTokenEnabled() bool {
	return m.SoftwareTokenMfaConfiguration != nil && deref(m.SoftwareTokenMfaConfiguration.Enabled)
}

func decodeMFA(settings []byte) MFA {
	var doc struct {
		MFA MFA `json:"cognate:mfa"`
	}
	_ = json.Unmarshal(settings, &doc)
	return doc.MFA
}

// keepMFA carries the MFA settings of the stored document old into a newly
// encoded document doc.
func keepMFA(old, doc []byte) []byte {
	var raw map[string]json.RawMessage
	if json.Unmarshal(old, &raw) != nil || raw[mfaKey] == nil {
		return doc
	}
	return withMFA(doc, raw[mfaKey])
}

func withMFA(doc []byte, mfa json.RawMessage) []byte {
	var raw map[string]json.RawMessage
	if json.Unmarshal(doc, &raw) != nil {
		return doc
	}
	raw[mfaKey] = mfa
	out, err := json.Marshal(raw)
	if err != nil {
		return doc
	}
	return out
}

// SetUserPoolMfaConfig replaces the pool's MFA configuration.
func (s *Service) SetUserPoolMfaConfig(ctx context.Context, in *model.SetUserPoolMfaConfigRequest) (*model.SetUserPoolMfaConfigResponse, error) {
	id := *in.UserPoolId
	m := MFA{
		SmsMfaConfiguration: in.SmsMfaConfiguration, SoftwareTokenMfaConfiguration: in.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration: in.EmailMfaConfiguration, WebAuthnConfiguration: in.WebAuthnConfiguration,
	}
	mode := deref(in.MfaConfiguration)
	if mode == "" {
		mode = model.UserPoolMfaTypeOff
	}
	if mode != model.UserPoolMfaTypeOff && !m.SoftwareTokenEnabled() && m.SmsMfaConfiguration == nil && m.EmailMfaConfiguration == nil {
		// The real response to SetUserPoolMfaConfig with OPTIONAL and no
		// factor, quoted in aws/aws-sdk-js#4186 (also anomalyco/sst#5177).
		return nil, invalidParameter("Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")
	}
	defer s.forgetPool(id)
	_, err := s.Store.UpdateUserPool(ctx, id, func(rec store.UserPool) (store.UserPool, error) {
		p, err := decodePool(rec)
		if err != nil {
			return rec, err
		}
		p.Config.MfaConfiguration = ptr(mode)
		doc, err := encodeSettings(p.Config)
		if err != nil {
			return rec, err
		}
		enc, err := json.Marshal(m)
		if err != nil {
			return rec, err
		}
		rec.Settings = withMFA(doc, enc)
		rec.UpdatedAt = s.now()
		return rec, nil
	})
	if err != nil {
		return nil, poolError(err, id)
	}
	return &model.SetUserPoolMfaConfigResponse{
		SmsMfaConfiguration: m.SmsMfaConfiguration, SoftwareTokenMfaConfiguration: m.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration: m.EmailMfaConfiguration, WebAuthnConfiguration: m.WebAuthnConfiguration,
		MfaConfiguration: ptr(mode),
	}, nil
}

// GetUserPoolMfaConfig returns the pool's MFA configuration.
func (s *Service) GetUserPoolMfaConfig(ctx context.Context, in *model.GetUserPoolMfaConfigRequest) (*model.GetUserPoolMfaConfigResponse, error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	m := p.MFA
	return &model.GetUserPoolMfaConfigResponse{
		SmsMfaConfiguration: m.SmsMfaConfiguration, SoftwareTokenMfaConfiguration: m.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration: m.EmailMfaConfiguration, WebAuthnConfiguration: m.WebAuthnConfiguration,
		MfaConfiguration: orDefault(p.Config.MfaConfiguration, model.UserPoolMfaTypeOff),
	}, nil
}
