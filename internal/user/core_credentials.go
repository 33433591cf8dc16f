package user

import (
	"context"
	"encoding/json"

	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/srp"
)

// srpRecord is a user's SRP salt and verifier, sealed at rest because the
// verifier is a password equivalent behind one SHA-256 round.
type srpRecord struct {
	Salt     []byte `json:"s"`
	Verifier []byte `json:"v"`
}

func srpAAD(poolID, username string) []byte {
	return []byte("cognate/srp/v1/" + poolID + "/" + username)
}

// srpSecret derives and seals a user's SRP verifier from a password.
func (s *Service) srpSecret(p pool, username, pw string) ([]byte, error) {
	salt, v, err := srp.NewVerifier(srp.PoolName(p.id()), username, pw, s.rand())
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(srpRecord{Salt: salt, Verifier: v})
	if err != nil {
		return nil, err
	}
	return s.Sealer.Seal(b, srpAAD(p.id(), username)), nil
}

func (s *Service) openSRP(p pool, username string, r *Record) (srpRecord, error) {
	var sr srpRecord
	plain, err := s.Sealer.Open(r.SRP, srpAAD(p.id(), username))
	if err != nil {
		return sr, err
	}
	return sr, json.Unmarshal(plain, &sr)
}

// credentials hashes a password and derives the sealed SRP verifier; it is
// the slow part of creating a user, done before the transaction.
func (s *Service) credentials(ctx context.Context, p pool, username, pw string) (hash string, srpSealed []byte, err error) {
	hash, err = s.Passwords.Hash(ctx, pw)
	if err != nil {
		return "", nil, err
	}
	srpSealed, err = s.srpSecret(p, username, pw)
	if err != nil {
		return "", nil, err
	}
	return hash, srpSealed, nil
}

// newCredentials checks a new password against the pool's policy and
// derives its hash and SRP verifier.
func (s *Service) newCredentials(ctx context.Context, p pool, username, pw string) (string, []byte, error) {
	if err := password.DidNotConform.Check(p.passwordPolicy(), pw); err != nil {
		return "", nil, err
	}
	return s.credentials(ctx, p, username, pw)
}
