package user

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/srp"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

// srpBlock is the server's half of an SRP handshake, sealed into
// SECRET_BLOCK so that any instance can finish it. Login and Decoy are
// always written (no omitempty), so that a simulated block is as long as a
// real one.
type srpBlock struct {
	Pool     string `json:"p"`
	Client   string `json:"c"`
	UserKey  string `json:"u"`
	A        []byte `json:"A"`
	B        []byte `json:"B"`
	PrivateB []byte `json:"b"`
	Expires  int64  `json:"x"`
	// Custom marks the PASSWORD_VERIFIER of CUSTOM_AUTH's SRP_A variant.
	Custom bool `json:"cu,omitempty"`
	// Login is the USERNAME the handshake began with; Decoy (1) marks a
	// handshake that no password can finish (decoySRP).
	Login string `json:"l"`
	Decoy int    `json:"d"`
}

var srpBlockAAD = []byte("cognate/srp-block/v1")

// startSRP is USER_SRP_AUTH: it answers with the PASSWORD_VERIFIER
// challenge.
func (s *Service) startSRP(ctx context.Context, c appClient, params map[string]string, meta map[string]string) (*authResult, error) {
	username, err := param(params, "USERNAME")
	if err != nil {
		return nil, err
	}
	aHex, err := param(params, "SRP_A")
	if err != nil {
		return nil, err
	}
	if err := c.checkSecretHash(username, secretHashParam(params)); err != nil {
		return nil, err
	}
	A, err := srp.DecodeHex(aHex)
	if err != nil {
		return nil, invalidParameter("Invalid SRP_A")
	}
	p := c.pool
	start := time.Now()
	u, err := s.lookup(ctx, p, username)
	if errors.Is(err, store.ErrNotFound) {
		if !c.preventExistenceErrors() {
			return nil, model.Errorf(model.UserNotFoundException, "User does not exist.")
		}
		res, err := s.decoySRP(c, username, "", A, false)
		s.pace.even(ctx, paceSRPChallenge, true, start)
		return res, err
	}
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	if err := s.preAuthentication(ctx, c, u, r, meta); err != nil {
		return nil, err
	}
	if len(r.SRP) == 0 {
		// No verifier (a user made by cognate seed fill): the handshake
		// goes on and fails at PASSWORD_VERIFIER.
		return s.decoySRP(c, username, u.Username, A, false)
	}
	sr, err := s.openSRP(p, u.Username, r)
	if err != nil {
		return nil, err
	}
	b, B, err := srp.Begin(sr.Verifier, s.rand())
	if err != nil {
		return nil, err
	}
	res, err := s.verifierChallenge(c, srpBlock{UserKey: u.Key, Login: username, A: A, B: B, PrivateB: b}, u.Username, sr.Salt)
	if c.preventExistenceErrors() {
		s.pace.even(ctx, paceSRPChallenge, false, start)
	}
	return res, err
}

// verifierChallenge seals blk (pool, client and expiry filled in here) and
// answers PASSWORD_VERIFIER for the user id userID.
func (s *Service) verifierChallenge(c appClient, blk srpBlock, userID string, salt []byte) (*authResult, error) {
	blk.Pool, blk.Client, blk.Expires = c.pool.id(), c.Record.ID, s.now().Add(c.sessionValidity()).UnixMilli()
	blob, err := json.Marshal(blk)
	if err != nil {
		return nil, err
	}
	// The JS client base64-decodes SECRET_BLOCK and signs the raw bytes,
	// so it is standard base64 of the sealed blob.
	block := base64.StdEncoding.EncodeToString(s.Sealer.Seal(blob, srpBlockAAD))
	return &authResult{
		ChallengeName: ptr(model.ChallengeNameTypePasswordVerifier),
		ChallengeParameters: map[string]string{
			"SALT":            srp.EncodeHex(salt),
			"SECRET_BLOCK":    block,
			"SRP_B":           srp.EncodeHex(blk.B),
			"USERNAME":        userID,
			"USER_ID_FOR_SRP": userID,
		},
	}, nil
}

// decoySRP answers a handshake that no password can finish: for a login
// that names no user, when the client hides user existence, as AWS
// documents (Managing user existence error responses: "the same 'salt' and
// internal user id in UUID format for the same user name and user pool
// combination", so the salt and id derive from a MAC of both); or for a
// real user without a verifier (userID given). B is formed from a random
// verifier: it is as random as a real one, and nothing can ever check it.
func (s *Service) decoySRP(c appClient, login, userID string, A []byte, custom bool) (*authResult, error) {
	p := c.pool
	mac := s.Sealer.MAC([]byte("cognate/srp-decoy/v1|" + p.id() + "|" + p.fold(login)))
	salt := mac[:16]
	key := p.fold(login)
	if userID == "" {
		id, err := uuid.FromBytes(mac[16:32])
		if err != nil {
			return nil, err
		}
		id[6], id[8] = id[6]&0x0f|0x40, id[8]&0x3f|0x80 // version 4, RFC 4122 variant
		userID = id.String()
		if len(p.Config.UsernameAttributes) > 0 {
			// A real key there is the sub: as long as this id.
			key = userID
		}
	}
	v := make([]byte, srp.GroupBytes-1)
	if _, err := io.ReadFull(s.rand(), v); err != nil {
		return nil, err
	}
	v[0] |= 1 // never zero
	b, B, err := srp.Begin(v, s.rand())
	if err != nil {
		return nil, err
	}
	return s.verifierChallenge(c, srpBlock{UserKey: key, Login: login, A: A, B: B, PrivateB: b, Custom: custom, Decoy: 1}, userID, salt)
}

// finishSRP checks the PASSWORD_VERIFIER answer.
func (s *Service) finishSRP(ctx context.Context, c appClient, resp map[string]string, meta map[string]string) (*authResult, error) {
	blockB64, err := param(resp, "PASSWORD_CLAIM_SECRET_BLOCK")
	if err != nil {
		return nil, err
	}
	sigB64, err := param(resp, "PASSWORD_CLAIM_SIGNATURE")
	if err != nil {
		return nil, err
	}
	timestamp, err := param(resp, "TIMESTAMP")
	if err != nil {
		return nil, err
	}
	wrong := notAuthorized("Incorrect username or password.")
	sealed, err := base64.StdEncoding.DecodeString(blockB64)
	if err != nil {
		return nil, notAuthorized("Invalid session for the user.")
	}
	plain, err := s.Sealer.Open(sealed, srpBlockAAD)
	if err != nil {
		return nil, notAuthorized("Invalid session for the user.")
	}
	var blk srpBlock
	if json.Unmarshal(plain, &blk) != nil || blk.Client != c.Record.ID || blk.Pool != c.pool.id() {
		return nil, notAuthorized("Invalid session for the user.")
	}
	if s.now().UnixMilli() >= blk.Expires {
		return nil, notAuthorized("Invalid session for the user, session is expired.")
	}
	p := c.pool
	start := time.Now()
	if blk.Decoy == 1 {
		// No password finishes a decoy: it fails as a wrong one does,
		// counted and locked out alike, and as slowly (core_shadow.go).
		if err := c.checkSecretHash(resp["USERNAME"], secretHashParam(resp)); err != nil && c.checkSecretHash(blk.Login, secretHashParam(resp)) != nil {
			return nil, err
		}
		err := s.shadowGuess(ctx, p, blk.Login)
		s.pace.answer(ctx, paceWrongVerifier, true, start, err)
		return nil, err
	}
	u, err := s.Store.GetUser(ctx, p.id(), blk.UserKey)
	if err != nil {
		return nil, notFound(err)
	}
	if err := c.checkSecretHash(resp["USERNAME"], secretHashParam(resp)); err != nil && c.checkSecretHash(u.Username, secretHashParam(resp)) != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return nil, wrong
	}
	a, u, r, ok, err := s.guess(ctx, p, u.Key, confirmedFirst, func(u store.User, r *Record) (bool, error) {
		sr, err := s.openSRP(p, u.Username, r)
		if err != nil {
			return false, err
		}
		ok, err := srp.Verify(srp.VerifyParams{
			PoolName: srp.PoolName(p.id()), UserIDForSRP: u.Username,
			Verifier: sr.Verifier, A: blk.A, B: blk.B, SmallB: blk.PrivateB,
			SecretBlock: sealed, Timestamp: timestamp, Signature: sig,
		})
		// A malformed handshake is a failed proof, and a TIMESTAMP not in
		// Cognito's exact form fails as a wrong signature does
		// (cognito-behaviour.md §8.9).
		return err == nil && ok && srp.ValidTimestamp(timestamp), nil
	})
	if err != nil {
		if c.preventExistenceErrors() {
			s.pace.answer(ctx, paceWrongVerifier, false, start, err)
		}
		return nil, err
	}
	if !ok && !blk.Custom {
		if c.preventExistenceErrors() {
			s.pace.answer(ctx, paceWrongVerifier, false, start, wrong)
		}
		return nil, wrong
	}
	if blk.Custom {
		if !u.Enabled {
			return nil, notAuthorized("User is disabled.")
		}
		// As Cognito does, the session DefineAuthChallenge sees records
		// SRP_A and PASSWORD_VERIFIER, and it decides what follows.
		results := []trigger.ChallengeResult{
			{ChallengeName: challengeSRPA, ChallengeResult: true},
			{ChallengeName: model.ChallengeNameTypePasswordVerifier, ChallengeResult: ok},
		}
		if ok {
			if err := s.settleAttempt(ctx, p, u.Key, a); err != nil {
				return nil, err
			}
		}
		return s.customRound(ctx, c, u, r, results, meta, meta, nil)
	}
	return s.afterPassword(ctx, c, u, r, a, meta)
}
