package token

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/cognate/cognate/internal/store"
)

// jwksMaxAge is how long clients may cache a JWKS or discovery document. A
// pool's keys never change today; when rotation comes, a new key must be
// published this long before it signs (verifiers also refetch on an
// unknown kid, as aws-jwt-verify does).
const jwksMaxAge = 3600

// JWKSHandler serves GET /{poolID}/.well-known/jwks.json: the pool's public
// keys, {"keys":[…]} with every key as Cognito writes it. It reads the store
// on every request rather than the cache, so that a deleted pool is gone at
// once on every instance; clients cache the document anyway.
func (s *Service) JWKSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		poolID := r.PathValue("poolID")
		keys, err := s.publicKeys(r.Context(), poolID)
		if err != nil {
			s.writeError(w, r, poolID, err)
			return
		}
		var b bytes.Buffer
		b.WriteString(`{"keys":[`)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(k.Public)
		}
		b.WriteString("]}")
		writeJSON(w, http.StatusOK, b.Bytes(), true)
	})
}

// DiscoveryHandler serves GET /{poolID}/.well-known/openid-configuration.
//
// The document has the members Cognito's has for a pool without a domain,
// in Cognito's (alphabetical) order. The authorization, token and userinfo
// endpoints are left out: Cognito lists them only when the pool has a
// domain, and Cognate does not serve /oauth2/* yet, so listing them would
// send OIDC clients to endpoints that answer 404.
func (s *Service) DiscoveryHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		poolID := r.PathValue("poolID")
		if _, err := s.publicKeys(r.Context(), poolID); err != nil {
			s.writeError(w, r, poolID, err)
			return
		}
		var o object
		o.strs("id_token_signing_alg_values_supported", []string{"RS256"})
		o.str("issuer", s.Issuer(poolID))
		// The keys are always here, also when the issuer is AWS-shaped.
		o.str("jwks_uri", s.publicURL+"/"+poolID+"/.well-known/jwks.json")
		o.strs("response_types_supported", []string{"code", "token"})
		o.strs("scopes_supported", []string{"openid", "email", "phone", "profile"})
		o.strs("subject_types_supported", []string{"public"})
		o.strs("token_endpoint_auth_methods_supported", []string{"client_secret_basic", "client_secret_post"})
		writeJSON(w, http.StatusOK, o.close(), true)
	})
}

// publicKeys returns the pool's keys from the store; errNoPool when there
// are none.
func (s *Service) publicKeys(ctx context.Context, poolID string) ([]store.SigningKey, error) {
	if !validPoolID(poolID) {
		return nil, errNoPool
	}
	keys, err := s.keys.ListSigningKeys(ctx, poolID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && len(keys) == 0) {
		return nil, errNoPool
	}
	return keys, err
}

// writeError answers an unknown pool with 404 and a JSON message naming it
// (Cognito's text for a missing pool; the body's exact shape on Cognito's
// .well-known endpoints is not documented), and a store failure with 500.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, poolID string, err error) {
	if errors.Is(err, errNoPool) {
		var o object
		o.str("message", "User pool "+poolID+" does not exist.")
		writeJSON(w, http.StatusNotFound, o.close(), false)
		return
	}
	s.log.ErrorContext(r.Context(), "token: reading signing keys", "pool", poolID, "error", err)
	writeJSON(w, http.StatusInternalServerError, []byte(`{"message":"Internal server error"}`), false)
}

func writeJSON(w http.ResponseWriter, status int, body []byte, cacheable bool) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if cacheable {
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(jwksMaxAge))
	} else {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
