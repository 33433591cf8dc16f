package token

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// KeyStore is the part of the store that keeps signing keys.
type KeyStore interface {
	AddSigningKeys(ctx context.Context, keys ...store.SigningKey) error
	ListSigningKeys(ctx context.Context, poolID string) ([]store.SigningKey, error)
}

// Sealer seals private keys at rest (internal/seal's Keyring).
type Sealer interface {
	Seal(plaintext, aad []byte) []byte
	Open(sealed, aad []byte) ([]byte, error)
}

// Config is what the service needs; internal/server wires it.
type Config struct {
	Keys   KeyStore
	Sealer Sealer
	// Now is the server clock (nil: time.Now). Token times come from it, so
	// a test that moves the clock forward expires tokens.
	Now func() time.Time
	// PublicURL is where clients reach this server; the issuer of a pool's
	// tokens is PublicURL + "/" + poolID unless AWSIssuer is set.
	PublicURL string
	// AWSIssuer makes the issuer https://cognito-idp.<region>.amazonaws.com/<poolId>,
	// for applications that hard-code Cognito's issuer (CognitoJwtVerifier).
	// The JWKS is still served here; such applications must be given it.
	AWSIssuer bool
	Logger    *slog.Logger
}

// Service issues and verifies tokens. It is safe for concurrent use.
type Service struct {
	keys      KeyStore
	sealer    Sealer
	now       func() time.Time
	publicURL string
	awsIssuer bool
	log       *slog.Logger

	// rand feeds UUIDs and refresh tokens. Tests replace it to make tokens
	// reproducible; RSA key generation always uses crypto/rand.
	rand io.Reader

	// ready holds pre-generated private keys (see Run).
	ready chan *rsa.PrivateKey

	mu    sync.RWMutex
	cache map[string]*poolKeys

	seen verified
}

// New returns a service. Start Run in the background to keep keys ready.
func New(cfg Config) *Service {
	s := &Service{
		keys:      cfg.Keys,
		sealer:    cfg.Sealer,
		now:       cfg.Now,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"),
		awsIssuer: cfg.AWSIssuer,
		log:       cfg.Logger,
		rand:      rand.Reader,
		ready:     make(chan *rsa.PrivateKey, readyKeys),
		cache:     make(map[string]*poolKeys),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Cognito's error texts for access tokens (cognito-behaviour.md §1.3).
const (
	msgInvalidAccessToken = "Invalid Access Token"
	msgAccessTokenExpired = "Access Token has expired"
)

func invalidAccessToken() error {
	return model.Errorf(model.NotAuthorizedException, msgInvalidAccessToken)
}

func poolNotFound(poolID string) error {
	return model.Errorf(model.ResourceNotFoundException, "User pool %s does not exist.", poolID)
}

// poolIDPattern is the model's UserPoolIdType pattern, anchored. A pool id
// taken from a token's issuer or a URL is checked against it before it
// reaches the store.
var poolIDPattern = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

func validPoolID(id string) bool {
	return len(id) <= 55 && poolIDPattern.MatchString(id)
}

// regionOf returns the region part of a pool id ("us-east-1" of
// "us-east-1_AbCdEfGhI"): Cognito's pool ids start with their region.
func regionOf(poolID string) string {
	region, _, _ := strings.Cut(poolID, "_")
	return region
}

// Issuer returns the iss claim of the pool's tokens.
func (s *Service) Issuer(poolID string) string {
	if s.awsIssuer {
		return "https://cognito-idp." + regionOf(poolID) + ".amazonaws.com/" + poolID
	}
	return s.publicURL + "/" + poolID
}

// poolFromIssuer returns the pool id an issuer names, or "" when the issuer
// is not one of this server's. The round trip through Issuer makes the
// check exact: no prefix games, no trailing segments, no other region.
func (s *Service) poolFromIssuer(iss string) string {
	i := strings.LastIndexByte(iss, '/')
	if i < 0 {
		return ""
	}
	id := iss[i+1:]
	if !validPoolID(id) || s.Issuer(id) != iss {
		return ""
	}
	return id
}
