package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"

	"github.com/cognate/cognate/internal/api/model"
)

// certValidityYears: "Issued certificates are valid for 10 years from the
// date of issue" (API reference, GetSigningCertificate).
const certValidityYears = 10

// GetSigningCertificate returns the pool's signing certificate.
//
// In Cognito this is the X.509 certificate of the key that signs SAML 2.0
// requests to identity providers, valid for 10 years and renewed yearly.
// Its value is the base64 of the DER certificate, without PEM armour or
// line breaks, as SAML metadata's X509Certificate carries it. Cognate has no
// SAML yet; it answers with a self-signed certificate of the pool's ID-token
// key, so tools that read the certificate (Terraform's
// aws_cognito_user_pool_signing_certificate) get a real one. The
// certificate is derived from the key alone (serial from the kid, validity
// from the key's creation), and PKCS #1 v1.5 signatures are deterministic,
// so every call and every instance returns the same bytes, as Cognito does
// until its yearly renewal.
func (s *Service) GetSigningCertificate(ctx context.Context, in *model.GetSigningCertificateRequest) (*model.GetSigningCertificateResponse, error) {
	if in == nil || in.UserPoolId == nil {
		return nil, model.Errorf(model.InvalidParameterException, "UserPoolId is required")
	}
	poolID := *in.UserPoolId
	if !validPoolID(poolID) {
		return nil, poolNotFound(poolID)
	}
	keys, err := s.poolKeys(ctx, poolID)
	if errors.Is(err, errNoPool) {
		return nil, poolNotFound(poolID)
	}
	if err != nil {
		return nil, err
	}
	k, err := keys.signer(UseID)
	if err != nil {
		return nil, err
	}
	k.certOnce.Do(func() { k.cert, k.certErr = certificate(poolID, k) })
	if k.certErr != nil {
		return nil, k.certErr
	}
	cert := base64.StdEncoding.EncodeToString(k.cert)
	return &model.GetSigningCertificateResponse{Certificate: &cert}, nil
}

func certificate(poolID string, k *keyEntry) ([]byte, error) {
	sum := sha256.Sum256([]byte(k.kid))
	serial := new(big.Int).SetBytes(sum[:16]) // 128 bits, positive
	start := k.createdAt.UTC().Truncate(1e9)
	name := pkix.Name{CommonName: poolID, Organization: []string{"Cognate"}}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		Issuer:                name,
		NotBefore:             start,
		NotAfter:              start.AddDate(certValidityYears, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.pub, k.priv)
	if err != nil {
		return nil, fmt.Errorf("token: signing certificate of pool %s: %w", poolID, err)
	}
	return der, nil
}
