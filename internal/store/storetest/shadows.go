package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store"
)

func shadowTests() []testGroup {
	return []testGroup{{"Shadow", []namedTest{
		{"Lifecycle", testShadowLifecycle},
		{"Expiry", testShadowExpiry},
		{"MissingPool", testShadowMissingPool},
		{"UpdaterError", testShadowUpdaterError},
		{"ConcurrentUpdates", testShadowConcurrentUpdates},
		{"DeleteCascades", testShadowDeleteCascades},
	}}}
}

// readShadow returns a shadow record's data without changing it.
func readShadow(t *testing.T, s store.Store, poolID, key string, now time.Time) []byte {
	t.Helper()
	var got []byte
	err := s.UpdateShadow(t.Context(), poolID, key, now, func(data []byte) ([]byte, time.Time, error) {
		got = data
		return data, now.Add(time.Hour), nil
	})
	if err != nil {
		t.Fatalf("UpdateShadow(%s): %v", key, err)
	}
	return got
}

func testShadowLifecycle(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	now := t0
	if got := readShadow(t, s, p.ID, "k1", now); got != nil {
		t.Errorf("a new key's data = %q, want nil", got)
	}
	if err := s.UpdateShadow(t.Context(), p.ID, "k1", now, func([]byte) ([]byte, time.Time, error) {
		return []byte(`{"n":1}`), now.Add(time.Minute), nil
	}); err != nil {
		t.Fatalf("UpdateShadow: %v", err)
	}
	checkBytes(t, "data after a write", readShadow(t, s, p.ID, "k1", now), []byte(`{"n":1}`))
	if got := readShadow(t, s, p.ID, "k2", now); got != nil {
		t.Errorf("another key's data = %q, want nil", got)
	}
	// nil data deletes.
	if err := s.UpdateShadow(t.Context(), p.ID, "k1", now, func([]byte) ([]byte, time.Time, error) {
		return nil, time.Time{}, nil
	}); err != nil {
		t.Fatalf("UpdateShadow delete: %v", err)
	}
	if got := readShadow(t, s, p.ID, "k1", now); got != nil {
		t.Errorf("data after delete = %q, want nil", got)
	}
}

func testShadowExpiry(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	now := t0
	for _, k := range []string{"old", "kept"} {
		until := now.Add(time.Minute)
		if k == "kept" {
			until = now.Add(time.Hour)
		}
		if err := s.UpdateShadow(t.Context(), p.ID, k, now, func([]byte) ([]byte, time.Time, error) {
			return []byte(k), until, nil
		}); err != nil {
			t.Fatalf("UpdateShadow: %v", err)
		}
	}
	later := now.Add(2 * time.Minute)
	if got := readShadow(t, s, p.ID, "old", later); got != nil {
		t.Errorf("an expired record's data = %q, want nil", got)
	}
	checkBytes(t, "the unexpired record", readShadow(t, s, p.ID, "kept", later), []byte("kept"))
}

func testShadowMissingPool(t *testing.T, s store.Store) {
	called := false
	err := s.UpdateShadow(t.Context(), "us-east-1_nopenope1", "k", t0, func(d []byte) ([]byte, time.Time, error) {
		called = true
		return d, t0, nil
	})
	wantErr(t, "UpdateShadow of a missing pool", err, store.ErrNotFound)
	if called {
		t.Error("the updater ran for a missing pool")
	}
}

func testShadowUpdaterError(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	mine := &updaterErr{"no"}
	err := s.UpdateShadow(t.Context(), p.ID, "k", t0, func([]byte) ([]byte, time.Time, error) {
		return []byte("x"), t0.Add(time.Hour), mine
	})
	if !errors.Is(err, mine) {
		t.Fatalf("UpdateShadow error = %v, want the updater's", err)
	}
	if got := readShadow(t, s, p.ID, "k", t0); got != nil {
		t.Errorf("data after a failed update = %q, want nil", got)
	}
}

func testShadowConcurrentUpdates(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	// The key is new: the first writers race to create it.
	concurrentIncrements(t, func(inc func([]byte) ([]byte, error)) ([]byte, error) {
		var out []byte
		err := s.UpdateShadow(t.Context(), p.ID, "counted", t0, func(d []byte) ([]byte, time.Time, error) {
			if d == nil {
				d = []byte(`{"counter":0,"keep":"me"}`)
			}
			b, err := inc(d)
			out = b
			return b, t0.Add(time.Hour), err
		})
		return out, err
	})
	var c counterSettings
	if err := json.Unmarshal(readShadow(t, s, p.ID, "counted", t0), &c); err != nil || c.Counter != goroutines*incrementsEa {
		t.Errorf("after %d concurrent increments: counter %d (%v)", goroutines*incrementsEa, c.Counter, err)
	}
}

func testShadowDeleteCascades(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	if err := s.UpdateShadow(t.Context(), p.ID, "k", t0, func([]byte) ([]byte, time.Time, error) {
		return []byte("x"), t0.Add(time.Hour), nil
	}); err != nil {
		t.Fatalf("UpdateShadow: %v", err)
	}
	if err := s.DeleteUserPool(t.Context(), p.ID); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	createPool(t, s, p)
	if got := readShadow(t, s, p.ID, "k", t0); got != nil {
		t.Errorf("a shadow record outlived its pool: %q", got)
	}
}
