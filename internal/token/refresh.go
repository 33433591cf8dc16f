package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// refreshHeader is the protected header of Cognito's refresh tokens, which
// are JWEs (cognito-behaviour.md §2.6). Cognate's are opaque random strings
// in the same shape, so that code which splits or inspects a refresh token
// (and the model's TokenModelType pattern, [A-Za-z0-9-_=.]+) sees what it
// would see from Cognito.
const refreshHeader = `{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}`

// Sizes of the random parts, those of an RSA-OAEP (2048-bit) / A256GCM JWE:
// encrypted key, IV, ciphertext, tag. Everything after the header is random:
// 316 bytes, far above the 256 bits a bearer secret needs.
var refreshParts = [...]int{256, 12, 32, 16}

// NewRefreshToken returns a new refresh token and the hash to store. The
// token itself is never stored.
func NewRefreshToken() (token, hash string, err error) {
	return newRefreshToken(rand.Reader)
}

func newRefreshToken(r io.Reader) (token, hash string, err error) {
	enc := base64.RawURLEncoding
	parts := make([]string, 0, 1+len(refreshParts))
	parts = append(parts, enc.EncodeToString([]byte(refreshHeader)))
	for _, n := range refreshParts {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", "", fmt.Errorf("token: random: %w", err)
		}
		parts = append(parts, enc.EncodeToString(b))
	}
	token = strings.Join(parts, ".")
	return token, HashRefreshToken(token), nil
}

// HashRefreshToken is how a refresh token is looked up: hex SHA-256. A
// plain hash is enough because the token holds 2,500 random bits; there is
// nothing to guess that a slow hash would protect.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
