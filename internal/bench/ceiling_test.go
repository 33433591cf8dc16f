package bench

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/cognate/cognate/internal/password"
)

// The machine's physical ceilings for the hot operations, so that
// BENCHMARKS.md can state Cognate's numbers as a fraction of them. Run with
// `go test -run XXX -bench Ceiling -benchtime 3s ./internal/bench/`.

var rsaKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

// BenchmarkCeilingRSA2048Sign is one token signature (a sign-in makes two).
func BenchmarkCeilingRSA2048Sign(b *testing.B) {
	digest := sha256.Sum256([]byte("header.payload"))
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, rsaKey, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCeilingRSA2048Verify is one access-token check without a cache.
func BenchmarkCeilingRSA2048Verify(b *testing.B) {
	digest := sha256.Sum256([]byte("header.payload"))
	sig, _ := rsa.SignPKCS1v15(nil, rsaKey, crypto.SHA256, digest[:])
	for b.Loop() {
		if err := rsa.VerifyPKCS1v15(&rsaKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCeilingSQLiteCommit is the rate of single-row update
// transactions with Cognate's SQLite settings (WAL, synchronous=NORMAL).
func BenchmarkCeilingSQLiteCommit(b *testing.B) {
	path := filepath.Join(b.TempDir(), "ceiling.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE users (k TEXT PRIMARY KEY, data TEXT)`); err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		if _, err := db.ExecContext(ctx, `INSERT INTO users VALUES ($1, $2)`, fmt.Sprint(i), "{}"); err != nil {
			b.Fatal(err)
		}
	}
	stmt, err := db.PrepareContext(ctx, `UPDATE users SET data = $1 WHERE k = $2`)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, fmt.Sprintf(`{"n":%d}`, i), fmt.Sprint(i%1000)); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCeilingPasswordHash is one sign-in's password check, per profile.
func BenchmarkCeilingPasswordHash(b *testing.B) {
	for _, tc := range []struct {
		name string
		p    password.Params
	}{{"strong", password.Strong}, {"fast", password.Fast}} {
		b.Run(tc.name, func(b *testing.B) {
			h := password.New(tc.p, 1)
			phc, err := h.Hash(context.Background(), "Passw0rd!")
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := h.Verify(context.Background(), phc, "Passw0rd!"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
