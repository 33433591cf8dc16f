package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// tlsEnabled reports whether serve answers HTTPS.
func (c *config) tlsEnabled() bool { return c.TLSCert != "" || c.TLSSelfSigned }

// validateTLS checks the combination of the TLS flags (the files are read
// by loadTLS).
func (c *config) validateTLS() []error {
	var errs []error
	if c.TLSSelfSigned && (c.TLSCert != "" || c.TLSKey != "") {
		errs = append(errs, errors.New("--tls-self-signed generates its own certificate: do not combine it with --tls-cert/--tls-key"))
	} else if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together: give both (PEM certificate chain and its private key) or neither"))
	}
	return errs
}

// Self-signed certificates live for about a year and are replaced when
// fewer than selfSignedRenewBefore of it remain.
const (
	selfSignedLifetime    = 365 * 24 * time.Hour
	selfSignedRenewBefore = 7 * 24 * time.Hour
)

// loadTLS returns the server's TLS configuration: the --tls-cert/--tls-key
// pair, or a self-signed certificate kept in the user cache directory. A
// nil configuration means plain HTTP.
func loadTLS(cfg *config, logger *slog.Logger) (*tls.Config, error) {
	var cert tls.Certificate
	switch {
	case cfg.TLSCert != "":
		var err error
		if cert, err = tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey); err != nil {
			return nil, fmt.Errorf("--tls-cert %s / --tls-key %s: %w", cfg.TLSCert, cfg.TLSKey, err)
		}
	case cfg.TLSSelfSigned:
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("--tls-self-signed: no user cache directory to keep the certificate in (set XDG_CACHE_HOME or HOME): %w", err)
		}
		var certFile string
		var reused bool
		cert, certFile, reused, err = selfSignedCert(filepath.Join(dir, "cognate", "tls"), selfSignedHosts(cfg), time.Now())
		if err != nil {
			return nil, fmt.Errorf("--tls-self-signed: %w", err)
		}
		logger.Info("self-signed TLS certificate: trust this file in clients (e.g. NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE, curl --cacert)",
			"cert", certFile, "reused", reused, "expires", cert.Leaf.NotAfter.Format(time.DateOnly))
	default:
		return nil, nil
	}
	if strings.HasPrefix(cfg.PublicURL, "http://") {
		logger.Warn("TLS is on but --public-url is http://: token issuers and discovery documents will name an http URL", "public_url", cfg.PublicURL)
	}
	// net/http adds h2 and http/1.1 to NextProtos when it is empty.
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// selfSignedHosts are the names a self-signed certificate covers: the
// loopback names and the hosts of --addr and --public-url.
func selfSignedHosts(cfg *config) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	add := func(h string) {
		h = strings.Trim(h, "[]")
		if h == "" || h == "0.0.0.0" || h == "::" || slices.Contains(hosts, h) {
			return
		}
		hosts = append(hosts, h)
	}
	if h, _, err := net.SplitHostPort(cfg.Addr); err == nil {
		add(h)
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil {
		add(u.Hostname())
	}
	return hosts
}

// selfSignedCert returns the certificate kept in dir for hosts, generating
// (and writing) a new one unless a stored one covers every host and stays
// valid long enough. certFile holds the certificate alone, for clients to
// trust; the key file holds the key and the certificate, so the pair read
// back is always consistent.
func selfSignedCert(dir string, hosts []string, now time.Time) (cert tls.Certificate, certFile string, reused bool, err error) {
	base := "localhost"
	if len(hosts) > 3 {
		// One file per set of extra hosts: two configurations sharing the
		// cache directory do not replace each other's certificate.
		sum := sha256.Sum256([]byte(strings.Join(hosts[3:], ",")))
		base += "-" + hex.EncodeToString(sum[:4])
	}
	certFile = filepath.Join(dir, base+".pem")
	keyFile := filepath.Join(dir, base+"-key.pem")

	if pair, err := os.ReadFile(keyFile); err == nil {
		if c, err := tls.X509KeyPair(pair, pair); err == nil && usable(c.Leaf, hosts, now) {
			certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Leaf.Raw})
			if old, err := os.ReadFile(certFile); err != nil || !bytes.Equal(old, certPEM) {
				if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
					return cert, "", false, err
				}
			}
			return c, certFile, true, nil
		}
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return cert, "", false, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return cert, "", false, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"Cognate self-signed"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so that clients can trust it as its own root
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return cert, "", false, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return cert, "", false, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cert, "", false, err
	}
	if err := writeFileAtomic(keyFile, append(keyPEM, certPEM...), 0o600); err != nil {
		return cert, "", false, err
	}
	if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
		return cert, "", false, err
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	return cert, certFile, false, err
}

// usable reports whether a stored self-signed certificate can be reused.
func usable(leaf *x509.Certificate, hosts []string, now time.Time) bool {
	if leaf == nil || now.Before(leaf.NotBefore) || now.Add(selfSignedRenewBefore).After(leaf.NotAfter) {
		return false
	}
	for _, h := range hosts {
		if leaf.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

// writeFileAtomic writes through a temporary file and a rename, so a
// reader never sees half a file.
func writeFileAtomic(name string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
