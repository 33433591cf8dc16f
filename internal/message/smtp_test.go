package message

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// capture is one message an in-process SMTP server received.
type capture struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool
	AuthUser string
	AuthPass string
}

// smtpServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1:0 that
// keeps what it receives.
type smtpServer struct {
	Host string
	Port int
	mu   sync.Mutex
	got  []capture
	// fail, when set, answers every DATA with a temporary failure.
	fail bool
}

func (s *smtpServer) messages() []capture {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]capture(nil), s.got...)
}

func (s *smtpServer) setFail(v bool) {
	s.mu.Lock()
	s.fail = v
	s.mu.Unlock()
}

type smtpSession struct {
	srv  *smtpServer
	conn *smtp.Conn
	cur  capture
}

func (x *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "mailer" || pass != "p@ss word" {
			return errors.New("bad credentials")
		}
		x.cur.AuthUser, x.cur.AuthPass = user, pass
		return nil
	}), nil
}

func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error { x.cur.From = from; return nil }
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.cur.To = append(x.cur.To, to)
	return nil
}
func (x *smtpSession) Reset()        { x.cur = capture{AuthUser: x.cur.AuthUser, AuthPass: x.cur.AuthPass} }
func (x *smtpSession) Logout() error { return nil }

func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.srv.mu.Lock()
	defer x.srv.mu.Unlock()
	if x.srv.fail {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	c := x.cur
	c.Data = b
	_, c.TLS = x.conn.TLSConnectionState()
	x.srv.got = append(x.srv.got, c)
	return nil
}

// startSMTP runs a server; with tlsConf it offers STARTTLS.
func startSMTP(t *testing.T, tlsConf *tls.Config) *smtpServer {
	t.Helper()
	s := &smtpServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.TLSConfig = tlsConf
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	return s
}

// selfSigned returns a server certificate for 127.0.0.1 and a pool that
// trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "cognate test smtp"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// readMail parses a captured DATA: headers and the decoded text body.
func readMail(t *testing.T, data []byte) (*mail.Message, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("captured DATA does not parse: %v\n%s", err, data)
	}
	var r io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return m, string(b)
}

func TestSMTPSenderDelivers(t *testing.T) {
	serverTLS, roots := selfSigned(t)
	tests := []struct {
		name    string
		tls     bool // the server offers STARTTLS
		url     string
		wantTLS bool
		auth    bool
	}{
		{"plain, no TLS, with AUTH on loopback", false, "smtp://mailer:p%40ss%20word@%s?starttls=none", false, true},
		{"opportunistic without STARTTLS", false, "smtp://%s?starttls=opportunistic", false, false},
		{"STARTTLS required with AUTH", true, "smtp://mailer:p%40ss%20word@%s?starttls=required", true, true},
		{"opportunistic upgrades when offered", true, "smtp://%s?starttls=opportunistic", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var conf *tls.Config
			if tc.tls {
				conf = serverTLS
			}
			srv := startSMTP(t, conf)
			cfg, err := ParseSMTPURL(strings.Replace(tc.url, "%s", net.JoinHostPort(srv.Host, strconv.Itoa(srv.Port)), 1))
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewSMTPSender(cfg, "Cognate <no-reply@cognate.test>")
			if err != nil {
				t.Fatal(err)
			}
			s.Timeout = 5 * time.Second
			s.TLSConfig = &tls.Config{RootCAs: roots}
			body := "Your verification code is 039126. "
			if err := s.SendEmail(t.Context(), "alice@example.com", "Your verification code", body); err != nil {
				t.Fatal(err)
			}
			got := srv.messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages", len(got))
			}
			c := got[0]
			if c.From != "no-reply@cognate.test" || len(c.To) != 1 || c.To[0] != "alice@example.com" {
				t.Errorf("envelope from %q to %q", c.From, c.To)
			}
			if c.TLS != tc.wantTLS {
				t.Errorf("TLS = %v, want %v", c.TLS, tc.wantTLS)
			}
			if tc.auth && (c.AuthUser != "mailer" || c.AuthPass != "p@ss word") {
				t.Errorf("AUTH as %q/%q", c.AuthUser, c.AuthPass)
			}
			m, text := readMail(t, c.Data)
			if m.Header.Get("To") != "<alice@example.com>" && m.Header.Get("To") != "alice@example.com" {
				t.Errorf("To: %q", m.Header.Get("To"))
			}
			if m.Header.Get("Subject") != "Your verification code" {
				t.Errorf("Subject: %q", m.Header.Get("Subject"))
			}
			if !strings.HasPrefix(m.Header.Get("Content-Type"), "text/plain") {
				t.Errorf("Content-Type: %q", m.Header.Get("Content-Type"))
			}
			if !strings.Contains(text, "039126") {
				t.Errorf("body %q lacks the code", text)
			}
		})
	}
}

func TestSMTPSenderFailures(t *testing.T) {
	t.Run("STARTTLS required but not offered", func(t *testing.T) {
		srv := startSMTP(t, nil)
		s := &SMTPSender{Config: SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: StartTLSRequired}, From: "a@b.test", Timeout: 5 * time.Second}
		if err := s.SendEmail(t.Context(), "x@y.test", "s", "b"); err == nil {
			t.Fatal("sent in the clear although TLS was required")
		}
		if n := len(srv.messages()); n != 0 {
			t.Fatalf("server received %d messages", n)
		}
	})
	t.Run("server refuses DATA", func(t *testing.T) {
		srv := startSMTP(t, nil)
		srv.setFail(true)
		s := &SMTPSender{Config: SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: StartTLSNone}, From: "a@b.test", Timeout: 5 * time.Second}
		if err := s.SendEmail(t.Context(), "x@y.test", "s", "b"); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		s := &SMTPSender{Config: SMTPConfig{Host: "127.0.0.1", Port: port, TLS: StartTLSNone}, From: "a@b.test", Timeout: 2 * time.Second}
		if err := s.SendEmail(t.Context(), "x@y.test", "s", "b"); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		srv := startSMTP(t, nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		s := &SMTPSender{Config: SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: StartTLSNone}, From: "a@b.test", Timeout: 5 * time.Second}
		if err := s.SendEmail(ctx, "x@y.test", "s", "b"); err == nil {
			t.Fatal("no error")
		}
	})
	if _, err := NewSMTPSender(SMTPConfig{Host: "h", Port: 25}, "not an address"); err == nil {
		t.Fatal("bad From accepted")
	}
}

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		in   string
		want SMTPConfig
		err  bool
	}{
		{in: "smtp://user:pa%3Ass@mail.example.com:2525?starttls=required",
			want: SMTPConfig{Host: "mail.example.com", Port: 2525, Username: "user", Password: "pa:ss", TLS: StartTLSRequired}},
		{in: "smtp://mail.example.com", want: SMTPConfig{Host: "mail.example.com", Port: 587, TLS: StartTLSRequired}},
		{in: "smtp://mail.example.com?starttls=none", want: SMTPConfig{Host: "mail.example.com", Port: 25, TLS: StartTLSNone}},
		{in: "smtp://mail.example.com?starttls=opportunistic", want: SMTPConfig{Host: "mail.example.com", Port: 587, TLS: StartTLSOpportunistic}},
		{in: "smtp://localhost:1025", want: SMTPConfig{Host: "localhost", Port: 1025, TLS: StartTLSOpportunistic}},
		{in: "smtp://127.0.0.1:1025", want: SMTPConfig{Host: "127.0.0.1", Port: 1025, TLS: StartTLSOpportunistic}},
		{in: "smtp://[::1]:1025/", want: SMTPConfig{Host: "::1", Port: 1025, TLS: StartTLSOpportunistic}},
		{in: "smtps://u:p@mail.example.com", want: SMTPConfig{Host: "mail.example.com", Port: 465, Username: "u", Password: "p", TLS: ImplicitTLS}},
		{in: "http://mail.example.com", err: true},
		{in: "smtp://", err: true},
		{in: "smtp://h?starttls=always", err: true},
		{in: "smtp://h?tls=1", err: true},
		{in: "smtp://h:0", err: true},
		{in: "smtp://h:99999", err: true},
		{in: "smtp://h/path", err: true},
		{in: "smtps://h?starttls=none", err: true},
		{in: "::not a url", err: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSMTPURL(tc.in)
			if tc.err {
				if err == nil {
					t.Fatalf("accepted: %+v", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("= %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	// The password never shows in the config's text or in a parse error.
	c, _ := ParseSMTPURL("smtp://user:hunter2@mail.example.com:2525?starttls=required")
	if s := c.String(); strings.Contains(s, "hunter2") || s != "smtp://user:REDACTED@mail.example.com:2525?starttls=required" {
		t.Fatalf("String() = %q", s)
	}
	if _, err := ParseSMTPURL("smtp://user:hunter2@bad host:25"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v", err)
	}
}
