package message

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// Outbox is the part of the store the Dispatcher needs.
type Outbox interface {
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]store.Message, error)
	FinishMessage(ctx context.Context, poolID, id string, delivered bool, lastError string, next time.Time) error
}

// EmailSender delivers one email.
type EmailSender interface {
	SendEmail(ctx context.Context, to, subject, body string) error
}

// SMSSender delivers one text message.
type SMSSender interface {
	SendSMS(ctx context.Context, to, body string) error
}

// Dispatcher defaults.
const (
	DefaultInterval    = 250 * time.Millisecond
	DefaultLease       = time.Minute
	DefaultBatch       = 50
	DefaultMaxAttempts = 10
	// Backoff after the n-th failed attempt: firstBackoff·2^(n-1), at most
	// maxBackoff. Ten attempts span about 17 minutes: long enough to ride
	// out an SMTP server restart, short enough that the code (valid 24
	// hours, a reset code one hour) is still worth having when it arrives.
	firstBackoff = 2 * time.Second
	maxBackoff   = 15 * time.Minute
)

// NoChannel is the LastError note of a message delivered to no channel
// because none is configured for its medium: it stays readable through the
// inspection API, and retrying would change nothing.
const NoChannel = "no channel configured for this medium: kept in the outbox only"

// givenUp is the NextAttemptAt of a message the dispatcher gave up on: far
// enough that no claim reaches it, and representable by every backend.
var givenUp = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Dispatcher delivers outbox messages after their transaction commits. Any
// number of instances may run one: a claim leases messages, so each is
// delivered by one instance at a time, and a crashed instance's lease runs
// out and the message is tried again.
type Dispatcher struct {
	Store  Outbox
	Sealer Sealer
	Now    func() time.Time // the server clock; nil means time.Now
	Logger *slog.Logger     // nil discards
	// Local is the local mode: every message is logged at info level with
	// its code, so a developer sees codes on the console. Never in secure
	// mode (DESIGN.md, principle 8): there no code reaches a log line.
	Local bool
	Email EmailSender // nil: emails are only kept in the outbox
	SMS   SMSSender   // nil: text messages are only kept in the outbox

	Interval    time.Duration // between polls; 0 means DefaultInterval
	Lease       time.Duration // 0 means DefaultLease
	Batch       int           // 0 means DefaultBatch
	MaxAttempts int           // 0 means DefaultMaxAttempts
	// Observe, when set, learns the outcome of every delivery attempt:
	// "delivered", "failed" (tried again later) or "gave_up".
	Observe func(medium, outcome string)

	once sync.Once
	kick chan struct{}
}

func (d *Dispatcher) init() {
	d.once.Do(func() { d.kick = make(chan struct{}, 1) })
}

// CanDeliver reports whether some channel carries messages of the medium:
// in local mode always (the outbox and the inspection API are one), in
// secure mode only when a sender is configured. An operation that would
// send a code nobody can receive answers CodeDeliveryFailureException
// instead (behaviour reference, decision 14).
func (d *Dispatcher) CanDeliver(medium string) bool {
	switch {
	case d.Local:
		return true
	case medium == model.DeliveryMediumTypeEmail:
		return d.Email != nil
	case medium == model.DeliveryMediumTypeSms:
		return d.SMS != nil
	}
	return false
}

// Kick wakes Run now rather than at the next poll: call it after a commit
// that wrote messages, so a code goes out without waiting. It never blocks.
func (d *Dispatcher) Kick() {
	d.init()
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run delivers messages until ctx ends: at every Interval, and whenever
// Kick is called. A failing store is logged and tried again at the next
// poll. It returns ctx's error.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.init()
	t := time.NewTicker(orDuration(d.Interval, DefaultInterval))
	defer t.Stop()
	for {
		for {
			n, err := d.RunOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					d.logger().Warn("outbox: claiming messages failed", "err", err)
				}
				break
			}
			if n < orInt(d.Batch, DefaultBatch) {
				break // drained; a full batch means more may be due
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-d.kick:
		}
	}
}

// RunOnce claims one batch of due messages and delivers them, and returns
// how many it claimed. The error is the claim's: a failed delivery is
// recorded on the message, not returned.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	lease := orDuration(d.Lease, DefaultLease)
	msgs, err := d.Store.ClaimMessages(ctx, d.now(), lease, orInt(d.Batch, DefaultBatch))
	if err != nil {
		return 0, err
	}
	// Work only inside the lease: past it another instance may claim the
	// same messages, and a message would go out twice. What is left when
	// the time is up is claimed again once the lease has ended.
	ctx, cancel := context.WithTimeout(ctx, lease*9/10)
	defer cancel()
	for _, m := range msgs {
		if ctx.Err() != nil {
			break
		}
		d.deliver(ctx, m)
	}
	return len(msgs), nil
}

// deliver sends one message and records the outcome.
func (d *Dispatcher) deliver(ctx context.Context, m store.Message) {
	log := d.logger().With(
		"message_id", m.ID, "pool_id", m.PoolID, "medium", m.DeliveryMedium,
		"trigger_source", m.TriggerSource, "attempt", m.Attempts+1,
	)
	o, err := Open(m, d.Sealer)
	if err == nil {
		if d.Local && m.Attempts == 0 {
			// The one place a code is logged (DESIGN.md): local mode only,
			// so a developer can sign up without a mail server; once, not
			// again on every retry.
			log.Info("message", "destination", m.Destination, "subject", o.Subject, "code", o.Code)
		}
		var note string
		note, err = d.send(ctx, m, o)
		if err == nil {
			if err := d.Store.FinishMessage(ctx, m.PoolID, m.ID, true, note, d.now()); err != nil {
				// The message will be claimed again when the lease ends
				// and sent twice; better than never.
				log.Warn("outbox: recording a delivery failed", "err", err)
				return
			}
			d.observe(m.DeliveryMedium, "delivered")
			if !d.Local {
				log.Info("message delivered", "destination", Mask(m.DeliveryMedium, m.Destination), "note", note)
			}
			return
		}
	}
	if ctx.Err() != nil {
		// Shutting down, or out of lease time: not the message's fault.
		// It is claimed again when the lease has ended.
		return
	}
	attempt := m.Attempts + 1
	next := d.now().Add(backoff(attempt))
	msg := err.Error()
	if attempt >= orInt(d.MaxAttempts, DefaultMaxAttempts) {
		next = givenUp
		msg = fmt.Sprintf("gave up after %d attempts: %s", attempt, msg)
		log.Error("outbox: giving up on a message", "err", err)
		d.observe(m.DeliveryMedium, "gave_up")
	} else {
		log.Warn("outbox: delivery failed, will retry", "err", err, "next_attempt", next)
		d.observe(m.DeliveryMedium, "failed")
	}
	if err := d.Store.FinishMessage(ctx, m.PoolID, m.ID, false, msg, next); err != nil {
		log.Warn("outbox: recording a failed delivery failed", "err", err)
	}
}

// send hands the message to its channel; the note says why a message
// counts as delivered without being sent.
func (d *Dispatcher) send(ctx context.Context, m store.Message, o Opened) (note string, err error) {
	switch m.DeliveryMedium {
	case model.DeliveryMediumTypeEmail:
		if d.Email == nil {
			return NoChannel, nil
		}
		return "", d.Email.SendEmail(ctx, m.Destination, o.Subject, o.Body)
	case model.DeliveryMediumTypeSms:
		if d.SMS == nil {
			return NoChannel, nil
		}
		return "", d.SMS.SendSMS(ctx, m.Destination, o.Body)
	default:
		return "", fmt.Errorf("unknown delivery medium %q", m.DeliveryMedium)
	}
}

// backoff is the wait after the attempt-th failure.
func backoff(attempt int) time.Duration {
	b := firstBackoff
	for i := 1; i < attempt && b < maxBackoff; i++ {
		b *= 2
	}
	return min(b, maxBackoff)
}

func (d *Dispatcher) observe(medium, outcome string) {
	if d.Observe != nil {
		d.Observe(medium, outcome)
	}
}

// GivenUpAt is the next attempt time of a message the dispatcher gave up
// on: an undelivered message due before it is still pending.
func GivenUpAt() time.Time { return givenUp }

func (d *Dispatcher) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// LogSMS is the SMS channel Cognate has: it writes one info line per text
// message instead of sending it (Cognate has no SMS gateway). In local mode
// the line holds the destination and the text, code included; in secure
// mode the destination is masked and the text, which holds the code, is
// left out.
type LogSMS struct {
	Logger *slog.Logger
	Local  bool
}

// SendSMS logs the message.
func (l LogSMS) SendSMS(ctx context.Context, to, body string) error {
	log := l.Logger
	if log == nil {
		return nil
	}
	// The dispatcher's own line already shows the code in local mode; this
	// one never repeats the body, so that a code reaches the log only there.
	log.InfoContext(ctx, "sms", "destination", MaskPhone(to), "length", len(body))
	return nil
}

func orDuration(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
