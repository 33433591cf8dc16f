package user

import (
	"context"
	"encoding/hex"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/cognate/cognate/internal/api/model"
)

// With PreventUserExistenceErrors ENABLED an app client must not tell a
// login that names no user from one that does (AWS's "Managing user
// existence error responses"). Answers alone are not enough: a real user is
// locked out after wrong passwords, refused a sixth code in an hour, and
// takes as long as its database writes take. So a login that names no user
// gets a shadow record (store.UpdateShadow, keyed by a MAC of the pool and
// the login, holding the lockout and code fields of a Record), kept and
// checked by the same rules as a real user's, and its answer is paced to
// last as long as real answers of the same kind (pacer).

// shadowLife is how long a shadow record outlives its last use: the send
// window, longer than any lock.
const shadowLife = sendWindow

// updateShadow runs fn on the shadow record of a login in one transaction.
func (s *Service) updateShadow(ctx context.Context, p pool, login string, fn func(r *Record) error) error {
	key := hex.EncodeToString(s.Sealer.MAC([]byte("cognate/shadow/v1|" + p.id() + "|" + p.fold(login)))[:20])
	now := s.now()
	return s.Store.UpdateShadow(ctx, p.id(), key, now, func(data []byte) ([]byte, time.Time, error) {
		r := &Record{}
		if data != nil {
			if err := json.Unmarshal(data, r); err != nil {
				r = &Record{} // unreadable: start afresh, nothing rides on it
			}
		}
		if err := fn(r); err != nil {
			return nil, time.Time{}, err
		}
		b, err := r.encode()
		if err != nil {
			return nil, time.Time{}, err
		}
		return b, time.UnixMilli(max(r.LockedUntil, now.Add(shadowLife).UnixMilli())), nil
	})
}

// shadowGuess answers a password guess for a login that names no user as a
// wrong password is answered: counted, and refused once the login is
// locked, exactly as for a real user (core_lockout.go).
func (s *Service) shadowGuess(ctx context.Context, p pool, login string) error {
	err := s.updateShadow(ctx, p, login, func(r *Record) error {
		if err := s.checkLockout(r); err != nil {
			return err
		}
		s.countFailure(r)
		return nil
	})
	if err != nil {
		return err
	}
	return notAuthorized("Incorrect username or password.")
}

// shadowSend counts a code "sent" to a login that names no user, under the
// send limit a real user has for purpose.
func (s *Service) shadowSend(ctx context.Context, p pool, login, purpose string) error {
	return s.updateShadow(ctx, p, login, func(r *Record) error {
		now := s.now()
		if err := checkSendLimit(r, purpose, now); err != nil {
			return err
		}
		if r.Codes == nil {
			r.Codes = map[string]Code{}
		}
		next := Code{ExpiresAt: now.Add(shadowLife).UnixMilli(), Sends: 1, WindowStart: now.UnixMilli()}
		if prev, ok := r.Codes[purpose]; ok && now.UnixMilli()-prev.WindowStart < sendWindow.Milliseconds() {
			next.Sends, next.WindowStart = prev.Sends+1, prev.WindowStart
		}
		r.Codes[purpose] = next
		return nil
	})
}

// shadowCode answers a code for a login that names no user: a mismatch, as
// AWS documents, counted as a real user's wrong codes are, so that the
// attempt limit comes after as many tries.
func (s *Service) shadowCode(ctx context.Context, p pool, login, purpose string) error {
	err := s.updateShadow(ctx, p, login, func(r *Record) error {
		c := r.Codes[purpose]
		if c.Attempts >= maxCodeAttempts {
			return limitExceeded()
		}
		c.Attempts++
		if c.ExpiresAt == 0 {
			c.ExpiresAt = s.now().Add(shadowLife).UnixMilli()
		}
		if r.Codes == nil {
			r.Codes = map[string]Code{}
		}
		r.Codes[purpose] = c
		return nil
	})
	if err != nil {
		return err
	}
	return codeMismatch()
}

// simulatedDelivery is the CodeDeliveryDetails of a code that is never
// sent: to the login itself when it is an email address or a phone
// number, else to a made-up destination of the medium a real user of the
// pool would be sent to (email, unless the pool verifies or recovers only
// by phone). The same login always gets the same destination.
func (s *Service) simulatedDelivery(p pool, login string, phoneFirst bool) *model.CodeDeliveryDetailsType {
	switch {
	case emailPattern.MatchString(login):
		return delivery{model.DeliveryMediumTypeEmail, "email", login}.details()
	case phonePattern.MatchString(login):
		return delivery{model.DeliveryMediumTypeSms, "phone_number", login}.details()
	}
	mac := s.Sealer.MAC([]byte("cognate/simulated/v1|" + p.id() + "|" + p.fold(login)))
	if phoneFirst {
		digits := []byte("+1555555")
		for _, b := range mac[:4] {
			digits = append(digits, '0'+b%10)
		}
		return delivery{model.DeliveryMediumTypeSms, "phone_number", string(digits)}.details()
	}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	dest := string(letters[mac[0]%26]) + "@" + string(letters[mac[1]%26]) + ".com"
	return delivery{model.DeliveryMediumTypeEmail, "email", dest}.details()
}

// pacer makes answers to logins that name no user as long as answers of
// the same kind to real users, and the other way round: every paced answer
// records how long it naturally took, then waits until it has lasted as
// long as a recent answer of the other side, drawn at random. Both sides
// then take max(real, simulated) in distribution, whichever is slower
// naturally and whatever the database's speed or the load. Only clients
// that hide user existence are paced. Kept per instance.
type pacer struct {
	mu    sync.Mutex
	kinds map[string]*[2]durations // [real, simulated]
}

// durations is a ring of recent durations.
type durations struct {
	d    [64]time.Duration
	n, i int
}

func (r *durations) add(d time.Duration) {
	r.d[r.i] = d
	r.i = (r.i + 1) % len(r.d)
	r.n = min(r.n+1, len(r.d))
}

// even records an answer of a kind begun at start, simulated or real, and
// holds it until it has lasted as long as one of the other side.
func (p *pacer) even(ctx context.Context, kind string, simulated bool, start time.Time) {
	took := time.Since(start)
	self, other := 0, 1
	if simulated {
		self, other = 1, 0
	}
	p.mu.Lock()
	if p.kinds == nil {
		p.kinds = map[string]*[2]durations{}
	}
	k := p.kinds[kind]
	if k == nil {
		k = &[2]durations{}
		p.kinds[kind] = k
	}
	k[self].add(took)
	var target time.Duration
	if o := &k[other]; o.n > 0 {
		target = o.d[rand.IntN(o.n)]
	}
	p.mu.Unlock()
	wait(ctx, start.Add(target))
}

// wait holds until deadline. The runtime's timers wake up to a millisecond
// late when the process is idle (the poller sleeps in whole milliseconds),
// which would itself tell the sides apart: the last stretch is spent
// yielding instead.
func wait(ctx context.Context, deadline time.Time) {
	const slack = 2 * time.Millisecond
	if rest := time.Until(deadline) - slack; rest > 0 {
		t := time.NewTimer(rest)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
	for time.Now().Before(deadline) && ctx.Err() == nil {
		runtime.Gosched()
	}
}

// answer paces an answer of a kind that may be an error: each distinct
// Cognito error (type and message) is paced as a kind of its own, so that
// a limit or a lockout reached for a real user and for a login that names
// no user take as long. A failure that is not an answer (an outage) is not
// paced.
func (p *pacer) answer(ctx context.Context, kind string, simulated bool, start time.Time, err error) {
	if err != nil {
		me, ok := err.(*model.Error)
		if !ok {
			return
		}
		kind += "|" + string(me.Type) + "|" + me.Message
	}
	p.even(ctx, kind, simulated, start)
}

// Kinds of paced answers.
const (
	paceWrongPassword  = "wrong-password"  // InitiateAuth with a password
	paceSRPChallenge   = "srp-challenge"   // USER_SRP_AUTH's first step
	paceWrongVerifier  = "wrong-verifier"  // PASSWORD_VERIFIER
	paceForgotPassword = "forgot-password" // a code sent
	paceResendCode     = "resend-code"     // a code sent
	paceConfirmSignUp  = "confirm-sign-up" // a wrong code
	paceConfirmForgot  = "confirm-forgot"  // a wrong code, after hashing the new password
)

// isCodeMismatch reports whether err is a wrong code's answer.
func isCodeMismatch(err error) bool {
	me, ok := err.(*model.Error)
	return ok && me.Type == model.CodeMismatchException
}
