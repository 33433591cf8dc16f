package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store"
)

// Run runs the conformance suite against the backend that newStore builds.
// newStore must return a new, empty store on every call, close it at the
// test's cleanup, and be safe to call from parallel tests: each subtest
// gets a store of its own and runs in parallel with its siblings.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	groups := []testGroup{
		{"Store", []namedTest{
			{"Ping", testPing},
		}},
		{"UserPool", []namedTest{
			{"CRUD", testPoolCRUD},
			{"RoundTrip", testPoolRoundTrip},
			{"CreateDuplicate", testPoolCreateDuplicate},
			{"Missing", testPoolMissing},
			{"List", testPoolList},
			{"UpdaterSeesCurrent", testPoolUpdaterSeesCurrent},
			{"UpdaterError", testPoolUpdaterError},
			{"Atomicity", testPoolAtomicity},
			{"KeyImmutable", testPoolKeyImmutable},
			{"ConcurrentUpdates", testPoolConcurrentUpdates},
			{"DeleteCascades", testPoolDeleteCascades},
		}},
		{"AppClient", []namedTest{
			{"CRUD", testClientCRUD},
			{"RoundTrip", testClientRoundTrip},
			{"CreateDuplicate", testClientCreateDuplicate},
			{"MissingPool", testClientMissingPool},
			{"Missing", testClientMissing},
			{"Scoping", testClientScoping},
			{"List", testClientList},
			{"UpdaterError", testClientUpdaterError},
			{"Atomicity", testClientAtomicity},
			{"KeyImmutable", testClientKeyImmutable},
			{"ConcurrentUpdates", testClientConcurrentUpdates},
		}},
	}
	groups = append(groups, userTests()...)
	groups = append(groups, groupTests()...)
	groups = append(groups, shadowTests()...)
	groups = append(groups, domainTests()...)
	groups = append(groups, resourceServerTests()...)
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, newStore(t))
				})
			}
		})
	}
}

type testGroup struct {
	name  string
	tests []namedTest
}

type namedTest struct {
	name string
	fn   func(*testing.T, store.Store)
}

// t0 has nanoseconds and a zone other than UTC, so a store that keeps
// either (instead of milliseconds in UTC) is caught.
var t0 = time.Date(2024, 3, 1, 12, 34, 56, 789_654_321, time.FixedZone("IST", 5*3600+1800))

func pool(id string) store.UserPool {
	return store.UserPool{
		ID:        id,
		Name:      "pool " + id,
		CreatedAt: t0,
		UpdatedAt: t0.Add(90 * time.Second),
		Settings:  []byte(`{"MfaConfiguration":"OFF","Policies":{"PasswordPolicy":{"MinimumLength":8}}}`),
	}
}

func client(poolID, id string) store.AppClient {
	return store.AppClient{
		PoolID:    poolID,
		ID:        id,
		Name:      "client " + id,
		CreatedAt: t0.Add(time.Hour),
		UpdatedAt: t0.Add(2 * time.Hour),
		Settings:  []byte(`{"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH"],"RefreshTokenValidity":30}`),
	}
}

// Pool ids in Cognito's shape, mixed-case so that byte order (what the
// store promises) and case-insensitive or linguistic order differ.
var poolIDs = []string{
	"us-east-1_aaaaaaaaa", "us-east-1_Bbbbbbbbb", "eu-west-1_Xxxxxxxxx", "us-east-1_000000000",
	"us-east-1_ccccccccc", "us-east-1_Zzzzzzzzz", "us-east-1_Ddddddddd",
}

var clientIDs = []string{
	"1example23456789abcdefghij", "Aexample23456789abcdefghij", "zexample23456789abcdefghij",
	"bexample23456789abcdefghij", "Yexample23456789abcdefghij", "0example23456789abcdefghij",
	"cexample23456789abcdefghij",
}

func createPool(t *testing.T, s store.Store, p store.UserPool) {
	t.Helper()
	if err := s.CreateUserPool(t.Context(), p); err != nil {
		t.Fatalf("CreateUserPool(%q): %v", p.ID, err)
	}
}

func createClient(t *testing.T, s store.Store, c store.AppClient) {
	t.Helper()
	if err := s.CreateAppClient(t.Context(), c); err != nil {
		t.Fatalf("CreateAppClient(%q, %q): %v", c.PoolID, c.ID, err)
	}
}

func mustGetPool(t *testing.T, s store.Store, id string) store.UserPool {
	t.Helper()
	p, err := s.GetUserPool(t.Context(), id)
	if err != nil {
		t.Fatalf("GetUserPool(%q): %v", id, err)
	}
	return p
}

func mustGetClient(t *testing.T, s store.Store, poolID, id string) store.AppClient {
	t.Helper()
	c, err := s.GetAppClient(t.Context(), poolID, id)
	if err != nil {
		t.Fatalf("GetAppClient(%q, %q): %v", poolID, id, err)
	}
	return c
}

// checkPool compares every field of got with want as the store must give it
// back: settings byte for byte, times to the millisecond and in UTC.
func checkPool(t *testing.T, what string, got, want store.UserPool) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name {
		t.Errorf("%s: got pool (ID %q, Name %q), want (%q, %q)", what, got.ID, got.Name, want.ID, want.Name)
	}
	checkBytes(t, what+": Settings", got.Settings, want.Settings)
	checkTime(t, what+": CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, what+": UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

func checkClient(t *testing.T, what string, got, want store.AppClient) {
	t.Helper()
	if got.PoolID != want.PoolID || got.ID != want.ID || got.Name != want.Name {
		t.Errorf("%s: got client (PoolID %q, ID %q, Name %q), want (%q, %q, %q)",
			what, got.PoolID, got.ID, got.Name, want.PoolID, want.ID, want.Name)
	}
	checkBytes(t, what+": Settings", got.Settings, want.Settings)
	checkTime(t, what+": CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, what+": UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

func checkBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

func checkTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	want = want.Truncate(time.Millisecond).UTC()
	if !got.Equal(want) {
		t.Errorf("%s: got %v, want %v (stored to the millisecond)", what, got, want)
	}
	if got.Location() != time.UTC {
		t.Errorf("%s: got location %v, want UTC", what, got.Location())
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

func poolIDsOf(ps []store.UserPool) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func clientIDsOf(cs []store.AppClient) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testPoolCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	checkPool(t, "GetUserPool after create", mustGetPool(t, s, p.ID), p)

	want := p
	want.Name = "renamed"
	want.UpdatedAt = t0.Add(time.Hour)
	want.Settings = []byte(`{"MfaConfiguration":"ON"}`)
	got, err := s.UpdateUserPool(ctx, p.ID, func(cur store.UserPool) (store.UserPool, error) {
		cur.Name, cur.UpdatedAt, cur.Settings = want.Name, want.UpdatedAt, want.Settings
		return cur, nil
	})
	if err != nil {
		t.Fatalf("UpdateUserPool: %v", err)
	}
	checkPool(t, "UpdateUserPool result", got, want)
	checkPool(t, "GetUserPool after update", mustGetPool(t, s, p.ID), want)

	if err := s.DeleteUserPool(ctx, p.ID); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	_, err = s.GetUserPool(ctx, p.ID)
	wantErr(t, "GetUserPool after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteUserPool twice", s.DeleteUserPool(ctx, p.ID), store.ErrNotFound)
}

// roundTripCases are records whose every field must come back as the store
// promises. Settings are compared byte for byte, so a backend that
// re-encodes JSON (JSONB reorders keys and drops whitespace) fails.
type roundTripCase struct {
	name              string
	created, updated  time.Time
	settings          []byte
	wantEmptySettings bool
}

func roundTripCases() []roundTripCase {
	return []roundTripCase{
		{name: "nanoseconds and a zone", created: t0, updated: t0.Add(999_999 * time.Nanosecond),
			settings: []byte("{\"z\":1,  \"a\":[true,null],\n \"s\":\"\u00fc \u2014 \\u00e9 \\\"q\\\" \\\\ \U0001F389\"}\n")},
		{name: "before the epoch", created: time.Date(1969, 12, 31, 23, 59, 59, 999_500_000, time.UTC),
			updated: time.Date(1900, 1, 1, 0, 0, 0, 1, time.Local), settings: []byte(`{}`)},
		{name: "far future", created: time.Date(2999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
			updated: time.Date(2262, 4, 11, 23, 47, 16, 854_775_807, time.UTC), settings: []byte(`[]`)},
		{name: "zero times and empty settings", settings: nil, wantEmptySettings: true},
	}
}

func testPoolRoundTrip(t *testing.T, s store.Store) {
	for i, tc := range roundTripCases() {
		p := store.UserPool{
			ID: fmt.Sprintf("us-east-1_roundtrp%d", i), Name: "Ünïcode pool — " + tc.name,
			CreatedAt: tc.created, UpdatedAt: tc.updated, Settings: tc.settings,
		}
		createPool(t, s, p)
		got := mustGetPool(t, s, p.ID)
		checkPool(t, tc.name, got, p)
		if tc.wantEmptySettings && len(got.Settings) != 0 {
			t.Errorf("%s: got Settings %q, want empty", tc.name, got.Settings)
		}
		if tc.created.IsZero() && !got.CreatedAt.IsZero() {
			t.Errorf("%s: zero CreatedAt came back as %v", tc.name, got.CreatedAt)
		}
	}
}

func testPoolCreateDuplicate(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	dup := p
	dup.Name = "impostor"
	dup.Settings = []byte(`{"impostor":true}`)
	wantErr(t, "CreateUserPool with a taken id", s.CreateUserPool(t.Context(), dup), store.ErrAlreadyExists)
	checkPool(t, "original after duplicate create", mustGetPool(t, s, p.ID), p)
}

func testPoolMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool(poolIDs[0])) // a neighbour, so "missing" is not "empty table"
	const id = "us-east-1_nosuchone"
	_, err := s.GetUserPool(ctx, id)
	wantErr(t, "GetUserPool", err, store.ErrNotFound)
	called := false
	_, err = s.UpdateUserPool(ctx, id, func(p store.UserPool) (store.UserPool, error) {
		called = true
		return p, nil
	})
	wantErr(t, "UpdateUserPool", err, store.ErrNotFound)
	if called {
		t.Error("UpdateUserPool called the updater for a missing pool")
	}
	wantErr(t, "DeleteUserPool", s.DeleteUserPool(ctx, id), store.ErrNotFound)
	if _, err := s.GetUserPool(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetUserPool after update of a missing pool: got %v, want ErrNotFound (update must not create)", err)
	}
}

func testPoolList(t *testing.T, s store.Store) {
	ctx := t.Context()
	got, err := s.ListUserPools(ctx, 10, "")
	if err != nil || len(got) != 0 {
		t.Fatalf("ListUserPools on an empty store: got %v, %v; want nothing", poolIDsOf(got), err)
	}

	want := map[string]store.UserPool{}
	for i, id := range poolIDs {
		p := pool(id)
		p.UpdatedAt = p.UpdatedAt.Add(time.Duration(i) * time.Millisecond)
		createPool(t, s, p)
		want[id] = p
	}
	sorted := slices.Sorted(slices.Values(poolIDs))

	// Walk in pages of 3: 3 + 3 + 1, then an empty page.
	var walked []string
	after := ""
	for page := 0; ; page++ {
		got, err := s.ListUserPools(ctx, 3, after)
		if err != nil {
			t.Fatalf("ListUserPools(3, %q): %v", after, err)
		}
		if len(got) > 3 {
			t.Fatalf("ListUserPools(3, %q) returned %d pools", after, len(got))
		}
		if len(got) == 0 {
			break
		}
		if page > len(poolIDs) {
			t.Fatal("ListUserPools pagination does not end")
		}
		for _, p := range got {
			checkPool(t, "listed pool", p, want[p.ID])
			walked = append(walked, p.ID)
		}
		after = got[len(got)-1].ID
	}
	if !slices.Equal(walked, sorted) {
		t.Errorf("paging through ListUserPools: got %q, want %q (byte order of ids)", walked, sorted)
	}

	for _, tc := range []struct {
		limit int
		after string
		want  []string
	}{
		{limit: 100, after: "", want: sorted},
		{limit: 1, after: "", want: sorted[:1]},
		{limit: 2, after: sorted[2], want: sorted[3:5]},
		// after need not be an existing id.
		{limit: 100, after: "us-east-1_C", want: []string{"us-east-1_Ddddddddd", "us-east-1_Zzzzzzzzz", "us-east-1_aaaaaaaaa", "us-east-1_ccccccccc"}},
		{limit: 100, after: sorted[len(sorted)-1], want: nil},
		{limit: 100, after: "~", want: nil},
	} {
		got, err := s.ListUserPools(ctx, tc.limit, tc.after)
		if err != nil {
			t.Errorf("ListUserPools(%d, %q): %v", tc.limit, tc.after, err)
			continue
		}
		if ids := poolIDsOf(got); !slices.Equal(ids, tc.want) {
			t.Errorf("ListUserPools(%d, %q) = %q, want %q", tc.limit, tc.after, ids, tc.want)
		}
	}
}

func testPoolUpdaterSeesCurrent(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	var seen store.UserPool
	_, err := s.UpdateUserPool(t.Context(), p.ID, func(cur store.UserPool) (store.UserPool, error) {
		seen = cur
		return cur, nil
	})
	if err != nil {
		t.Fatalf("UpdateUserPool: %v", err)
	}
	checkPool(t, "record given to the updater", seen, p)
	checkPool(t, "GetUserPool after a no-op update", mustGetPool(t, s, p.ID), p)
}

// updaterErr is a distinct error value: the store must hand back this very
// value, not a copy or a re-wrapping that merely matches.
type updaterErr struct{ msg string }

func (e *updaterErr) Error() string { return e.msg }

var errSentinel = errors.New("updater says no")

func testPoolUpdaterError(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	myErr := &updaterErr{msg: "rejected"}
	for _, e := range []error{myErr, fmt.Errorf("wrapped: %w", errSentinel)} {
		_, err := s.UpdateUserPool(t.Context(), p.ID, func(cur store.UserPool) (store.UserPool, error) {
			cur.Name = "must not be written"
			cur.Settings = []byte(`{"written":true}`)
			return cur, e
		})
		if err != e {
			t.Errorf("UpdateUserPool returned %v (%T), want the updater's error %v unchanged", err, err, e)
		}
		if !errors.Is(err, e) {
			t.Errorf("UpdateUserPool: errors.Is(%v, %v) is false", err, e)
		}
	}
	checkPool(t, "pool after failed updates", mustGetPool(t, s, p.ID), p)
}

func testPoolAtomicity(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	v1 := p
	v1.Name, v1.UpdatedAt, v1.Settings = "v1", t0.Add(time.Minute), []byte(`{"v":1}`)
	if _, err := s.UpdateUserPool(ctx, p.ID, func(store.UserPool) (store.UserPool, error) { return v1, nil }); err != nil {
		t.Fatalf("first UpdateUserPool: %v", err)
	}
	_, err := s.UpdateUserPool(ctx, p.ID, func(cur store.UserPool) (store.UserPool, error) {
		cur.Name, cur.UpdatedAt, cur.Settings = "v2", t0.Add(2*time.Minute), []byte(`{"v":2}`)
		return cur, errSentinel
	})
	wantErr(t, "failing UpdateUserPool", err, errSentinel)
	checkPool(t, "pool after a failed update that followed a good one", mustGetPool(t, s, p.ID), v1)
}

// An updater cannot move a record: either the store rejects the update or
// it ignores the new id, but the record must stay where it was.
func testPoolKeyImmutable(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	const moved = "us-east-1_movedaway"
	got, err := s.UpdateUserPool(ctx, p.ID, func(cur store.UserPool) (store.UserPool, error) {
		cur.ID = moved
		return cur, nil
	})
	if err == nil && got.ID != p.ID {
		t.Errorf("UpdateUserPool that changed the id returned a pool with id %q, want %q", got.ID, p.ID)
	}
	if _, err := s.GetUserPool(ctx, moved); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetUserPool(new id) after an updater changed the id: got %v, want ErrNotFound", err)
	}
	checkPool(t, "pool after an updater changed its id", mustGetPool(t, s, p.ID), p)
}

// counterSettings is the document the concurrency tests increment; other
// keys must survive every update.
type counterSettings struct {
	Counter int    `json:"counter"`
	Keep    string `json:"keep"`
}

const (
	goroutines   = 32
	incrementsEa = 10
)

// concurrentIncrements runs goroutines×incrementsEa read-modify-write
// updates through update and checks that none was lost: every update must
// have seen a distinct counter value, and the final value is the total.
func concurrentIncrements(t *testing.T, update func(inc func([]byte) ([]byte, error)) ([]byte, error)) {
	t.Helper()
	const total = goroutines * incrementsEa
	inc := func(b []byte) ([]byte, error) {
		var c counterSettings
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("settings %q: %w", b, err)
		}
		c.Counter++
		return json.Marshal(c)
	}
	var (
		seen [total + 1]atomic.Int32
		wg   sync.WaitGroup
	)
	for range goroutines {
		wg.Go(func() {
			for range incrementsEa {
				b, err := update(inc)
				if err != nil {
					t.Errorf("concurrent update: %v", err)
					return
				}
				var c counterSettings
				if err := json.Unmarshal(b, &c); err != nil {
					t.Errorf("settings returned by the update: %q: %v", b, err)
					return
				}
				if c.Counter < 1 || c.Counter > total {
					t.Errorf("update returned counter %d, outside 1..%d", c.Counter, total)
					return
				}
				if seen[c.Counter].Add(1) != 1 {
					t.Errorf("two updates both produced counter %d: one read a stale value", c.Counter)
				}
				if c.Keep != "me" {
					t.Errorf("update lost the other settings: %q", b)
				}
			}
		})
	}
	wg.Wait()
}

func testPoolConcurrentUpdates(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	p.Settings = []byte(`{"counter":0,"keep":"me"}`)
	createPool(t, s, p)
	concurrentIncrements(t, func(inc func([]byte) ([]byte, error)) ([]byte, error) {
		got, err := s.UpdateUserPool(t.Context(), p.ID, func(cur store.UserPool) (store.UserPool, error) {
			b, err := inc(cur.Settings)
			cur.Settings = b
			cur.UpdatedAt = cur.UpdatedAt.Add(time.Millisecond)
			return cur, err
		})
		return got.Settings, err
	})
	got := mustGetPool(t, s, p.ID)
	var c counterSettings
	if err := json.Unmarshal(got.Settings, &c); err != nil || c.Counter != goroutines*incrementsEa {
		t.Errorf("after %d concurrent increments: settings %q (%v), want counter %d", goroutines*incrementsEa, got.Settings, err, goroutines*incrementsEa)
	}
	checkTime(t, "UpdatedAt after the increments", got.UpdatedAt, p.UpdatedAt.Add(goroutines*incrementsEa*time.Millisecond))
}

func testPoolDeleteCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	for _, id := range clientIDs[:3] {
		createClient(t, s, client(a.ID, id))
	}
	keep := client(b.ID, clientIDs[3])
	createClient(t, s, keep)

	if err := s.DeleteUserPool(ctx, a.ID); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	for _, id := range clientIDs[:3] {
		_, err := s.LookupAppClient(ctx, id)
		wantErr(t, "LookupAppClient of a deleted pool's client", err, store.ErrNotFound)
		_, err = s.GetAppClient(ctx, a.ID, id)
		wantErr(t, "GetAppClient of a deleted pool's client", err, store.ErrNotFound)
	}
	checkClient(t, "other pool's client", mustGetClient(t, s, b.ID, keep.ID), keep)

	// Recreating the pool must not bring its clients back, and their ids
	// must be free again: the rows are gone, not hidden.
	createPool(t, s, a)
	if got, err := s.ListAppClients(ctx, a.ID, 10, ""); err != nil || len(got) != 0 {
		t.Errorf("ListAppClients of the recreated pool: got %q, %v; want nothing", clientIDsOf(got), err)
	}
	createClient(t, s, client(a.ID, clientIDs[0]))
}

func testClientCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	c := client(p.ID, clientIDs[0])
	createClient(t, s, c)
	checkClient(t, "GetAppClient after create", mustGetClient(t, s, p.ID, c.ID), c)
	got, err := s.LookupAppClient(ctx, c.ID)
	if err != nil {
		t.Fatalf("LookupAppClient: %v", err)
	}
	checkClient(t, "LookupAppClient after create", got, c)

	want := c
	want.Name, want.UpdatedAt, want.Settings = "renamed", t0.Add(3*time.Hour), []byte(`{"GenerateSecret":true}`)
	got, err = s.UpdateAppClient(ctx, p.ID, c.ID, func(cur store.AppClient) (store.AppClient, error) {
		checkClient(t, "record given to the updater", cur, c)
		cur.Name, cur.UpdatedAt, cur.Settings = want.Name, want.UpdatedAt, want.Settings
		return cur, nil
	})
	if err != nil {
		t.Fatalf("UpdateAppClient: %v", err)
	}
	checkClient(t, "UpdateAppClient result", got, want)
	checkClient(t, "GetAppClient after update", mustGetClient(t, s, p.ID, c.ID), want)

	if err := s.DeleteAppClient(ctx, p.ID, c.ID); err != nil {
		t.Fatalf("DeleteAppClient: %v", err)
	}
	_, err = s.GetAppClient(ctx, p.ID, c.ID)
	wantErr(t, "GetAppClient after delete", err, store.ErrNotFound)
	_, err = s.LookupAppClient(ctx, c.ID)
	wantErr(t, "LookupAppClient after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteAppClient twice", s.DeleteAppClient(ctx, p.ID, c.ID), store.ErrNotFound)
	checkPool(t, "pool after its client was deleted", mustGetPool(t, s, p.ID), p)
}

func testClientRoundTrip(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	for i, tc := range roundTripCases() {
		c := store.AppClient{
			PoolID: p.ID, ID: fmt.Sprintf("roundtrip%d", i), Name: "Ünïcode client — " + tc.name,
			CreatedAt: tc.created, UpdatedAt: tc.updated, Settings: tc.settings,
		}
		createClient(t, s, c)
		got := mustGetClient(t, s, p.ID, c.ID)
		checkClient(t, tc.name, got, c)
		if tc.wantEmptySettings && len(got.Settings) != 0 {
			t.Errorf("%s: got Settings %q, want empty", tc.name, got.Settings)
		}
		looked, err := s.LookupAppClient(t.Context(), c.ID)
		if err != nil {
			t.Fatalf("LookupAppClient(%q): %v", c.ID, err)
		}
		checkClient(t, tc.name+" (lookup)", looked, c)
	}
}

func testClientCreateDuplicate(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	c := client(a.ID, clientIDs[0])
	createClient(t, s, c)

	dup := c
	dup.Name = "impostor"
	wantErr(t, "CreateAppClient with a taken id in the same pool", s.CreateAppClient(ctx, dup), store.ErrAlreadyExists)
	dup.PoolID = b.ID
	wantErr(t, "CreateAppClient with a taken id in another pool", s.CreateAppClient(ctx, dup), store.ErrAlreadyExists)

	checkClient(t, "original after duplicate creates", mustGetClient(t, s, a.ID, c.ID), c)
	if got, err := s.ListAppClients(ctx, b.ID, 10, ""); err != nil || len(got) != 0 {
		t.Errorf("ListAppClients of the other pool: got %q, %v; want nothing", clientIDsOf(got), err)
	}
}

func testClientMissingPool(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool(poolIDs[0]))
	c := client("us-east-1_nosuchone", clientIDs[0])
	wantErr(t, "CreateAppClient in a missing pool", s.CreateAppClient(ctx, c), store.ErrNotFound)
	_, err := s.LookupAppClient(ctx, c.ID)
	wantErr(t, "LookupAppClient after the failed create", err, store.ErrNotFound)
	// The id must not be half-taken either.
	createClient(t, s, client(poolIDs[0], c.ID))
}

func testClientMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	createClient(t, s, client(p.ID, clientIDs[0]))
	for _, key := range []struct{ pool, client string }{
		{p.ID, "nosuchclient"},
		{"us-east-1_nosuchone", "nosuchclient"},
		{"us-east-1_nosuchone", clientIDs[0]},
	} {
		what := fmt.Sprintf("(%q, %q)", key.pool, key.client)
		_, err := s.GetAppClient(ctx, key.pool, key.client)
		wantErr(t, "GetAppClient"+what, err, store.ErrNotFound)
		called := false
		_, err = s.UpdateAppClient(ctx, key.pool, key.client, func(c store.AppClient) (store.AppClient, error) {
			called = true
			return c, nil
		})
		wantErr(t, "UpdateAppClient"+what, err, store.ErrNotFound)
		if called {
			t.Errorf("UpdateAppClient%s called the updater", what)
		}
		wantErr(t, "DeleteAppClient"+what, s.DeleteAppClient(ctx, key.pool, key.client), store.ErrNotFound)
	}
	_, err := s.LookupAppClient(ctx, "nosuchclient")
	wantErr(t, "LookupAppClient of a missing client", err, store.ErrNotFound)
}

// A client of pool A must be invisible through pool B, whatever the
// method, and still reachable through LookupAppClient.
func testClientScoping(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	c := client(a.ID, clientIDs[0])
	createClient(t, s, c)

	_, err := s.GetAppClient(ctx, b.ID, c.ID)
	wantErr(t, "GetAppClient through another pool", err, store.ErrNotFound)
	called := false
	_, err = s.UpdateAppClient(ctx, b.ID, c.ID, func(cur store.AppClient) (store.AppClient, error) {
		called = true
		cur.Name = "hijacked"
		return cur, nil
	})
	wantErr(t, "UpdateAppClient through another pool", err, store.ErrNotFound)
	if called {
		t.Error("UpdateAppClient through another pool called the updater")
	}
	wantErr(t, "DeleteAppClient through another pool", s.DeleteAppClient(ctx, b.ID, c.ID), store.ErrNotFound)
	if got, err := s.ListAppClients(ctx, b.ID, 10, ""); err != nil || len(got) != 0 {
		t.Errorf("ListAppClients of another pool: got %q, %v; want nothing", clientIDsOf(got), err)
	}

	checkClient(t, "client after attempts through another pool", mustGetClient(t, s, a.ID, c.ID), c)
	got, err := s.LookupAppClient(ctx, c.ID)
	if err != nil {
		t.Fatalf("LookupAppClient: %v", err)
	}
	checkClient(t, "LookupAppClient", got, c)
}

func testClientList(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	if got, err := s.ListAppClients(ctx, a.ID, 10, ""); err != nil || len(got) != 0 {
		t.Fatalf("ListAppClients of a pool without clients: got %q, %v; want nothing", clientIDsOf(got), err)
	}

	want := map[string]store.AppClient{}
	for i, id := range clientIDs {
		c := client(a.ID, id)
		c.UpdatedAt = c.UpdatedAt.Add(time.Duration(i) * time.Millisecond)
		createClient(t, s, c)
		want[id] = c
		// Pool B's clients sort between A's, so a listing that forgets the
		// pool filter shows up in every page.
		createClient(t, s, client(b.ID, id+"-b"))
	}
	sorted := slices.Sorted(slices.Values(clientIDs))

	var walked []string
	after := ""
	for page := 0; ; page++ {
		got, err := s.ListAppClients(ctx, a.ID, 3, after)
		if err != nil {
			t.Fatalf("ListAppClients(3, %q): %v", after, err)
		}
		if len(got) > 3 {
			t.Fatalf("ListAppClients(3, %q) returned %d clients", after, len(got))
		}
		if len(got) == 0 {
			break
		}
		if page > len(clientIDs) {
			t.Fatal("ListAppClients pagination does not end")
		}
		for _, c := range got {
			checkClient(t, "listed client", c, want[c.ID])
			walked = append(walked, c.ID)
		}
		after = got[len(got)-1].ID
	}
	if !slices.Equal(walked, sorted) {
		t.Errorf("paging through ListAppClients: got %q, want %q (byte order of ids, pool A only)", walked, sorted)
	}

	for _, tc := range []struct {
		limit int
		after string
		want  []string
	}{
		{limit: 100, after: "", want: sorted},
		{limit: 1, after: "", want: sorted[:1]},
		{limit: 2, after: sorted[1], want: sorted[2:4]},
		{limit: 100, after: "a", want: []string{"bexample23456789abcdefghij", "cexample23456789abcdefghij", "zexample23456789abcdefghij"}},
		{limit: 100, after: sorted[len(sorted)-1], want: nil},
	} {
		got, err := s.ListAppClients(ctx, a.ID, tc.limit, tc.after)
		if err != nil {
			t.Errorf("ListAppClients(%d, %q): %v", tc.limit, tc.after, err)
			continue
		}
		if ids := clientIDsOf(got); !slices.Equal(ids, tc.want) {
			t.Errorf("ListAppClients(%d, %q) = %q, want %q", tc.limit, tc.after, ids, tc.want)
		}
	}
}

func testClientUpdaterError(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	c := client(p.ID, clientIDs[0])
	createClient(t, s, c)
	myErr := &updaterErr{msg: "rejected"}
	for _, e := range []error{myErr, fmt.Errorf("wrapped: %w", errSentinel)} {
		_, err := s.UpdateAppClient(t.Context(), p.ID, c.ID, func(cur store.AppClient) (store.AppClient, error) {
			cur.Name = "must not be written"
			cur.Settings = []byte(`{"written":true}`)
			return cur, e
		})
		if err != e {
			t.Errorf("UpdateAppClient returned %v (%T), want the updater's error %v unchanged", err, err, e)
		}
		if !errors.Is(err, e) {
			t.Errorf("UpdateAppClient: errors.Is(%v, %v) is false", err, e)
		}
	}
	checkClient(t, "client after failed updates", mustGetClient(t, s, p.ID, c.ID), c)
}

func testClientAtomicity(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	c := client(p.ID, clientIDs[0])
	createClient(t, s, c)
	v1 := c
	v1.Name, v1.UpdatedAt, v1.Settings = "v1", t0.Add(time.Minute), []byte(`{"v":1}`)
	if _, err := s.UpdateAppClient(ctx, p.ID, c.ID, func(store.AppClient) (store.AppClient, error) { return v1, nil }); err != nil {
		t.Fatalf("first UpdateAppClient: %v", err)
	}
	_, err := s.UpdateAppClient(ctx, p.ID, c.ID, func(cur store.AppClient) (store.AppClient, error) {
		cur.Name, cur.UpdatedAt, cur.Settings = "v2", t0.Add(2*time.Minute), []byte(`{"v":2}`)
		return cur, errSentinel
	})
	wantErr(t, "failing UpdateAppClient", err, errSentinel)
	checkClient(t, "client after a failed update that followed a good one", mustGetClient(t, s, p.ID, c.ID), v1)
}

func testClientKeyImmutable(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	c := client(a.ID, clientIDs[0])
	createClient(t, s, c)

	for _, tc := range []struct {
		name string
		move func(*store.AppClient)
	}{
		{"to another pool", func(x *store.AppClient) { x.PoolID = b.ID }},
		{"to another id", func(x *store.AppClient) { x.ID = "movedaway" }},
	} {
		got, err := s.UpdateAppClient(ctx, a.ID, c.ID, func(cur store.AppClient) (store.AppClient, error) {
			tc.move(&cur)
			return cur, nil
		})
		if err == nil && (got.PoolID != a.ID || got.ID != c.ID) {
			t.Errorf("%s: UpdateAppClient returned client (%q, %q), want (%q, %q)", tc.name, got.PoolID, got.ID, a.ID, c.ID)
		}
	}
	if _, err := s.GetAppClient(ctx, b.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAppClient through the other pool after an updater moved it: got %v, want ErrNotFound", err)
	}
	if _, err := s.LookupAppClient(ctx, "movedaway"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupAppClient(new id) after an updater changed the id: got %v, want ErrNotFound", err)
	}
	checkClient(t, "client after updaters tried to move it", mustGetClient(t, s, a.ID, c.ID), c)
	got, err := s.LookupAppClient(ctx, c.ID)
	if err != nil {
		t.Fatalf("LookupAppClient: %v", err)
	}
	checkClient(t, "LookupAppClient after updaters tried to move it", got, c)
}

func testClientConcurrentUpdates(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	c := client(p.ID, clientIDs[0])
	c.Settings = []byte(`{"counter":0,"keep":"me"}`)
	createClient(t, s, c)
	concurrentIncrements(t, func(inc func([]byte) ([]byte, error)) ([]byte, error) {
		got, err := s.UpdateAppClient(t.Context(), p.ID, c.ID, func(cur store.AppClient) (store.AppClient, error) {
			b, err := inc(cur.Settings)
			cur.Settings = b
			return cur, err
		})
		return got.Settings, err
	})
	got := mustGetClient(t, s, p.ID, c.ID)
	var cs counterSettings
	if err := json.Unmarshal(got.Settings, &cs); err != nil || cs.Counter != goroutines*incrementsEa {
		t.Errorf("after %d concurrent increments: settings %q (%v), want counter %d", goroutines*incrementsEa, got.Settings, err, goroutines*incrementsEa)
	}
}
