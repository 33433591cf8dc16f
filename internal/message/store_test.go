package message

import (
	"crypto/rand"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// Helpers over the real SQLite store: the dispatcher and the inspection API
// are tested against what production runs, not a fake.

const testPool = "us-east-1_testpool1"

var testBase = time.Date(2031, 7, 1, 9, 0, 0, 0, time.UTC)

func openStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, id := range []string{testPool, "us-east-1_otherpool"} {
		if err := s.CreateUserPool(t.Context(), store.UserPool{ID: id, Name: id, CreatedAt: testBase, UpdatedAt: testBase, Settings: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// addUser creates a user with the given messages in one change, as the
// user package does.
func addUser(t *testing.T, s *sqlstore.Store, poolID, key, username string, msgs ...store.Message) {
	t.Helper()
	u := store.User{
		PoolID: poolID, Key: key, Username: username, Sub: poolID + "-" + key + "-sub", Status: "UNCONFIRMED",
		Enabled: true, CreatedAt: testBase, UpdatedAt: testBase, Data: []byte("{}"),
	}
	if err := s.CreateUser(t.Context(), store.UserChange{User: u, Messages: msgs}); err != nil {
		t.Fatal(err)
	}
}

// addMessages writes messages for an existing user through UpdateUser.
func addMessages(t *testing.T, s *sqlstore.Store, poolID, key string, msgs ...store.Message) {
	t.Helper()
	_, err := s.UpdateUser(t.Context(), poolID, key, func(u store.User) (store.UserChange, error) {
		return store.UserChange{User: u, Messages: msgs}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// compose builds a message as a service would: a new id, the given time.
func compose(t *testing.T, sealer Sealer, poolID, key string, kind Kind, medium, dest, code string, at time.Time) store.Message {
	t.Helper()
	id, err := NewID(at, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	attr := "email"
	if medium == model.DeliveryMediumTypeSms {
		attr = "phone_number"
	}
	m, err := Compose(Params{
		ID: id, PoolID: poolID, UserKey: key, Username: key, Kind: kind, Medium: medium,
		Destination: dest, AttributeName: attr, Code: code, TemporaryPassword: code, Now: at, Sealer: sealer,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fakeNow is a settable clock for the dispatcher.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeNow) Add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}
