package user

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

// sessionState is what a challenge Session carries between InitiateAuth and
// RespondToAuthChallenge. It is sealed, so any instance can continue the
// sign-in and no client can forge or read it.
type sessionState struct {
	Pool      string `json:"p"`
	Client    string `json:"c"`
	UserKey   string `json:"u"`
	Challenge string `json:"ch"`
	Expires   int64  `json:"x"` // epoch ms
	// The custom flow (CUSTOM_CHALLENGE): the challenge results so far,
	// and what CreateAuthChallenge kept from the client.
	Custom   []trigger.ChallengeResult `json:"cs,omitempty"`
	Private  map[string]string         `json:"pp,omitempty"`
	Metadata string                    `json:"cm,omitempty"`
	// NotFound is the username of a custom flow for a user that does not
	// exist (UserKey is then empty); see customAuth.
	NotFound string `json:"nf,omitempty"`
	// Verified marks an MFA_SETUP session in which VerifySoftwareToken
	// accepted a code: only such a session completes the setup.
	Verified bool `json:"v,omitempty"`
	// Round is the user's Record.SessionRound when a single-use session
	// was issued (consumeSession).
	Round int64 `json:"rn,omitempty"`
}

// challengeSecretHash checks a challenge answer's SECRET_HASH before
// anything of the session is used (a code, a TOTP step, the session
// itself), so that a caller without the client secret can neither burn
// them nor learn whether an answer was right. The hash may be computed
// with the name the caller gave or the user's username.
func (s *Service) challengeSecretHash(ctx context.Context, c appClient, resp map[string]string, st sessionState) error {
	err := c.checkSecretHash(resp["USERNAME"], secretHashParam(resp))
	if err == nil || st.UserKey == "" {
		return err
	}
	u, uerr := s.Store.GetUser(ctx, c.pool.id(), st.UserKey)
	if uerr != nil && !errors.Is(uerr, store.ErrNotFound) {
		return uerr // an outage, not a wrong hash
	}
	if uerr != nil || c.checkSecretHash(u.Username, secretHashParam(resp)) != nil {
		return err
	}
	return nil
}

// consumeSession uses up a single-use session of an existing user: it is
// accepted only while the user's round is the one it was issued in, and
// answering it moves the round on, so that a replayed session (to try
// answers past DefineAuthChallenge's count, or to send codes without end)
// is refused. It returns the user and record as they now are.
func (s *Service) consumeSession(ctx context.Context, p pool, st sessionState) (store.User, *Record, error) {
	u, err := s.update(ctx, p, st.UserKey, func(u *store.User, r *Record) (store.UserChange, error) {
		if !u.Enabled {
			return store.UserChange{}, notAuthorized("User is disabled.")
		}
		if r.SessionRound != st.Round {
			// Cognito's text for a reused session (reapit/foundations#9684,
			// aws-amplify/amplify-js#14330).
			return store.UserChange{}, notAuthorized("Invalid session for the user, session can only be used once.")
		}
		r.SessionRound++
		return store.UserChange{}, nil
	})
	if err != nil {
		return store.User{}, nil, err
	}
	r, err := decodeRecord(u)
	return u, r, err
}

var sessionAAD = []byte("cognate/session/v1")

// sealSession encodes a session as base64url, which matches Cognito's
// SessionType (20 to 2048 characters).
func (s *Service) sealSession(st sessionState) (string, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.Sealer.Seal(b, sessionAAD)), nil
}

// openSession checks a Session for a challenge of this client.
func (s *Service) openSession(raw string, c appClient, challenge string) (sessionState, error) {
	bad := notAuthorized("Invalid session for the user.")
	sealed, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return sessionState{}, bad
	}
	b, err := s.Sealer.Open(sealed, sessionAAD)
	if err != nil {
		return sessionState{}, bad
	}
	var st sessionState
	if json.Unmarshal(b, &st) != nil || st.Client != c.Record.ID || st.Pool != c.pool.id() || st.Challenge != challenge {
		return sessionState{}, bad
	}
	if s.now().UnixMilli() >= st.Expires {
		return sessionState{}, notAuthorized("Invalid session for the user, session is expired.")
	}
	return st, nil
}

// peekSession opens a Session without checking its client or challenge.
func (s *Service) peekSession(raw string) (sessionState, error) {
	var st sessionState
	sealed, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return st, err
	}
	b, err := s.Sealer.Open(sealed, sessionAAD)
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}

// sessionValidity is the client's AuthSessionValidity (3 minutes default).
func (c appClient) sessionValidity() time.Duration {
	m := deref(c.Config.AuthSessionValidity)
	if m == 0 {
		m = 3
	}
	return time.Duration(m) * time.Minute
}
