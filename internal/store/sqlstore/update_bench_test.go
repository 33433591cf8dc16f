package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// BenchmarkUpdateUser is the store's share of UpdateUserAttributes: read the
// user row, apply the updater, write it back in one SQLite transaction.
func BenchmarkUpdateUser(b *testing.B) {
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "cognate.db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	if err := s.CreateUserPool(ctx, store.UserPool{ID: "us-east-1_bench", Name: "b", CreatedAt: now, UpdatedAt: now, Settings: []byte("{}")}); err != nil {
		b.Fatal(err)
	}
	u := store.User{PoolID: "us-east-1_bench", Key: "alice", Username: "alice", Sub: "sub-1", Status: "CONFIRMED", Enabled: true,
		CreatedAt: now, UpdatedAt: now, Filter: map[string]string{"email": "alice@example.com"},
		Aliases: map[string]string{}, Data: []byte(`{"attrs":[{"n":"sub","v":"sub-1"},{"n":"email","v":"alice@example.com"}]}`)}
	if err := s.CreateUser(ctx, store.UserChange{User: u}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, err := s.UpdateUser(ctx, "us-east-1_bench", "alice", func(u store.User) (store.UserChange, error) {
			u.Data = []byte(fmt.Sprintf(`{"attrs":[{"n":"sub","v":"sub-1"},{"n":"name","v":"Alice %d"}]}`, i))
			u.UpdatedAt = time.Now()
			return store.UserChange{User: u}, nil
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}
