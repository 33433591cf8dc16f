package message

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes of an SMTP connection.
const (
	// StartTLSRequired upgrades with STARTTLS and fails if the server
	// cannot: the default, because the mail carries codes and the
	// connection may carry a password.
	StartTLSRequired = "required"
	// StartTLSOpportunistic upgrades when the server offers STARTTLS and
	// goes on in the clear otherwise: the default for a loopback host (a
	// local catcher such as Mailpit), where no one is on the wire.
	StartTLSOpportunistic = "opportunistic"
	// StartTLSNone never upgrades.
	StartTLSNone = "none"
	// ImplicitTLS is TLS from the first byte (smtps://, port 465).
	ImplicitTLS = "implicit"
)

// SMTPConfig is where and how to send mail: the --smtp-url flag parsed.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // one of the StartTLS* constants or ImplicitTLS
}

// String shows the configuration without the password, for logs and
// errors.
func (c SMTPConfig) String() string {
	scheme := "smtp"
	if c.TLS == ImplicitTLS {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "REDACTED")
	}
	if c.TLS != ImplicitTLS {
		u.RawQuery = "starttls=" + c.TLS
	}
	return u.String()
}

// LogValue keeps the password out of structured logs.
func (c SMTPConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// ParseSMTPURL parses smtp://user:pass@host:port?starttls=required|opportunistic|none
// or smtps://user:pass@host:port (TLS from the start). Credentials are
// optional and percent-decoded. The port defaults to 587 (465 for smtps,
// 25 with starttls=none); starttls defaults to required, or to
// opportunistic when the host is a loopback name or address.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url's error repeats the URL, password included.
		return SMTPConfig{}, errors.New("message: the SMTP URL does not parse")
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
	case "smtps":
		c.TLS = ImplicitTLS
	default:
		return SMTPConfig{}, fmt.Errorf("message: the SMTP URL must start with smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, errors.New("message: the SMTP URL has no host")
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPConfig{}, errors.New("message: the SMTP URL has a path; only host, port, credentials and ?starttls= are read")
	}
	q := u.Query()
	for k := range q {
		if k != "starttls" {
			return SMTPConfig{}, fmt.Errorf("message: unknown SMTP URL parameter %q", k)
		}
	}
	if st := q.Get("starttls"); st != "" {
		if c.TLS == ImplicitTLS {
			return SMTPConfig{}, errors.New("message: smtps:// uses TLS from the start; starttls does not apply")
		}
		switch st {
		case StartTLSRequired, StartTLSOpportunistic, StartTLSNone:
			c.TLS = st
		default:
			return SMTPConfig{}, fmt.Errorf("message: starttls must be required, opportunistic or none, not %q", st)
		}
	}
	if c.TLS == "" {
		c.TLS = StartTLSRequired
		if isLoopback(c.Host) {
			c.TLS = StartTLSOpportunistic
		}
	}
	switch p := u.Port(); {
	case p != "":
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("message: bad SMTP port %q", p)
		}
		c.Port = n
	case c.TLS == ImplicitTLS:
		c.Port = 465
	case c.TLS == StartTLSNone:
		c.Port = 25
	default:
		c.Port = 587
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SMTPSender sends email with go-mail: plain text, one recipient.
type SMTPSender struct {
	Config SMTPConfig
	From   string // the From address, e.g. "Cognate <no-reply@example.com>"
	// Timeout bounds connecting and each command; 0 means 15 seconds.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests trust their own CA
	// here); nil verifies the server's certificate against Config.Host.
	TLSConfig *tls.Config
}

// NewSMTPSender checks the From address and returns a sender.
func NewSMTPSender(cfg SMTPConfig, from string) (*SMTPSender, error) {
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("message: bad From address %q: %w", from, err)
	}
	if cfg.Host == "" || cfg.Port == 0 {
		return nil, errors.New("message: the SMTP configuration has no host or port")
	}
	return &SMTPSender{Config: cfg, From: from}, nil
}

// SendEmail sends one plain-text message to one address.
func (s *SMTPSender) SendEmail(ctx context.Context, to, subject, body string) error {
	m := gomail.NewMsg()
	if err := m.From(s.From); err != nil {
		return fmt.Errorf("smtp: From: %w", err)
	}
	if err := m.To(to); err != nil {
		return fmt.Errorf("smtp: To: %w", err)
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	m.SetBodyString(gomail.TypeTextPlain, body)

	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(s.Config.Port), gomail.WithTimeout(timeout)}
	switch s.Config.TLS {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case StartTLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case StartTLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.TLSConfig != nil {
		tc := s.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = s.Config.Host
		}
		opts = append(opts, gomail.WithTLSConfig(tc))
	}
	if s.Config.Username != "" {
		opts = append(opts, gomail.WithUsername(s.Config.Username), gomail.WithPassword(s.Config.Password))
		if isLoopback(s.Config.Host) {
			// A local catcher often offers only PLAIN or LOGIN without
			// TLS; on loopback no one can read the password off the wire
			// (go-mail's PLAIN and LOGIN allow exactly that case).
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256,
				gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
		} else {
			// The strongest mechanism the server offers, never a
			// cleartext password on an unencrypted connection.
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
		}
	}
	// A client per message: go-mail's Client holds one connection, and
	// messages are few; this keeps SendEmail safe for concurrent use.
	c, err := gomail.NewClient(s.Config.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("smtp %s:%d: %w", s.Config.Host, s.Config.Port, err)
	}
	return nil
}
