package userpool

import (
	"context"
	"encoding/json"

	"github.com/cognate/cognate/internal/api/model"
)

// SeedMfaConfig brings a pool's MFA configuration to in with
// SetUserPoolMfaConfig's semantics, writing nothing when nothing differs.
// It reports whether anything was written.
func (s *Service) SeedMfaConfig(ctx context.Context, in *model.SetUserPoolMfaConfigRequest) (changed bool, err error) {
	p, err := s.GetPool(ctx, *in.UserPoolId)
	if err != nil {
		return false, err
	}
	mode := orDefault(in.MfaConfiguration, model.UserPoolMfaTypeOff)
	want, err := json.Marshal(MFA{
		SmsMfaConfiguration: in.SmsMfaConfiguration, SoftwareTokenMfaConfiguration: in.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration: in.EmailMfaConfiguration, WebAuthnConfiguration: in.WebAuthnConfiguration,
	})
	if err != nil {
		return false, err
	}
	have, err := json.Marshal(p.MFA)
	if err != nil {
		return false, err
	}
	if string(want) == string(have) && *mode == deref(orDefault(p.Config.MfaConfiguration, model.UserPoolMfaTypeOff)) {
		return false, nil
	}
	if _, err := s.SetUserPoolMfaConfig(ctx, in); err != nil {
		return false, err
	}
	return true, nil
}

// ExportMfaConfig returns a pool's MFA configuration as the
// SetUserPoolMfaConfig request that would recreate it (without
// UserPoolId), or nil when MFA is OFF and nothing is configured.
func (s *Service) ExportMfaConfig(ctx context.Context, id string) (*model.SetUserPoolMfaConfigRequest, error) {
	p, err := s.GetPool(ctx, id)
	if err != nil {
		return nil, err
	}
	m := p.MFA
	mode := orDefault(p.Config.MfaConfiguration, model.UserPoolMfaTypeOff)
	if *mode == model.UserPoolMfaTypeOff && m == (MFA{}) {
		return nil, nil
	}
	return &model.SetUserPoolMfaConfigRequest{
		MfaConfiguration: mode, SmsMfaConfiguration: m.SmsMfaConfiguration,
		SoftwareTokenMfaConfiguration: m.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration:         m.EmailMfaConfiguration, WebAuthnConfiguration: m.WebAuthnConfiguration,
	}, nil
}
