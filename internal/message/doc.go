// Package message owns what Cognate sends to users: verification codes and
// their hashes, the subject and body rendered from a pool's templates (with
// Cognito's defaults), the sealed outbox rows that carry them, the
// dispatcher that delivers those rows after the commit (SMTP for email, a
// log sink for SMS), and the local-mode inspection API that lets tests read
// the codes and move the clock.
//
// Composing is pure, because it runs inside store updaters that may be
// retried; every side effect (sending, logging a code) happens in the
// Dispatcher, after the transaction that wrote the message has committed.
package message
