// Package token owns the user pools' signing keys and the tokens signed with
// them: it generates each pool's two RSA keys (one for access tokens, one for
// ID tokens, as Cognito does), issues RS256 access and ID tokens whose claims
// and claim order are Cognito's, verifies access tokens with Cognito's error
// texts, mints opaque refresh tokens, and serves the JWKS and OpenID discovery
// documents and GetSigningCertificate. Revocation and user checks are not
// here: they need the user's row, so the user package does them after
// VerifyAccess.
package token
