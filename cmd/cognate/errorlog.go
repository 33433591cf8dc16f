package main

import (
	"bytes"
	"log"
	"log/slog"
	"sync"
	"time"
)

// tlsHintEvery is how often a TLS handshake failure is logged at warn
// level; the ones between are counted and logged at debug level.
const tlsHintEvery = time.Minute

// httpErrorLog is the http.Server's ErrorLog: its lines go through slog.
// A TLS handshake failure ("http: TLS handshake error from …: remote
// error: tls: bad certificate", "… tls: bad record MAC") usually means a
// client that does not trust the certificate, which the raw text does not
// say and which reads like corruption: those lines get a hint and are
// rate-limited, since a misconfigured client retries in a loop.
func httpErrorLog(logger *slog.Logger) *log.Logger {
	return log.New(&errorLogWriter{logger: logger, now: time.Now}, "", 0)
}

type errorLogWriter struct {
	logger *slog.Logger
	now    func() time.Time

	mu         sync.Mutex
	lastHint   time.Time
	suppressed int
}

func (w *errorLogWriter) Write(p []byte) (int, error) {
	msg := string(bytes.TrimRight(p, "\n"))
	if bytes.Contains(p, []byte("TLS handshake error")) {
		w.handshake(msg)
		return len(p), nil
	}
	w.logger.Warn("http server: " + msg)
	return len(p), nil
}

func (w *errorLogWriter) handshake(msg string) {
	w.mu.Lock()
	now := w.now()
	loud := w.lastHint.IsZero() || now.Sub(w.lastHint) >= tlsHintEvery
	suppressed := w.suppressed
	if loud {
		w.lastHint, w.suppressed = now, 0
	} else {
		w.suppressed++
	}
	w.mu.Unlock()
	if !loud {
		w.logger.Debug("TLS handshake failed", "error", msg)
		return
	}
	w.logger.Warn("TLS handshake failed: the client probably does not trust this server's certificate "+
		"(with --tls-self-signed, give clients the certificate file logged at start: NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE, curl --cacert), "+
		"or it spoke plain HTTP to the HTTPS port",
		"error", msg, "similar_failures_since_last_warning", suppressed)
}
