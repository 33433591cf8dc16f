package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cognate/cognate/internal/store"
)

// userTests are the user-side groups of the suite (store.UserStore).
func userTests() []testGroup {
	return []testGroup{
		{"User", []namedTest{
			{"CRUD", testUserCRUD},
			{"RoundTrip", testUserRoundTrip},
			{"MissingPool", testUserMissingPool},
			{"Missing", testUserMissing},
			{"Lookups", testUserLookups},
			{"Scoping", testUserScoping},
			{"CreateConflicts", testUserCreateConflicts},
			{"UpdateConflicts", testUserUpdateConflicts},
			{"AliasKindsIndependent", testUserAliasKindsIndependent},
			{"AliasFreedAndRetaken", testUserAliasFreedAndRetaken},
			{"AliasSwap", testUserAliasSwap},
			{"UpdaterSeesCurrent", testUserUpdaterSeesCurrent},
			{"UpdateEachColumn", testUserUpdateEachColumn},
			{"UpdaterError", testUserUpdaterError},
			{"Atomicity", testUserAtomicity},
			{"KeyImmutable", testUserKeyImmutable},
			{"InvalidChange", testUserInvalidChange},
			{"ConcurrentUpdates", testUserConcurrentUpdates},
			{"Delete", testUserDelete},
			{"Count", testUserCount},
		}},
		{"ListUsers", []namedTest{
			{"Filters", testListUsersFilters},
			{"Stable", testListUsersStable},
			{"Empty", testListUsersEmpty},
			{"BadCursor", testListUsersBadCursor},
			{"BadQuery", testListUsersBadQuery},
		}},
		{"RefreshToken", []namedTest{
			{"RoundTrip", testTokenRoundTrip},
			{"RevokeFamilies", testTokenRevokeFamilies},
			{"RevokeTokens", testTokenRevokeTokens},
			{"Rotate", testTokenRotate},
			{"RotateConcurrently", testTokenRotateConcurrently},
			{"RevokeAll", testTokenRevokeAll},
			{"RevokedAtRequired", testTokenRevokedAtRequired},
		}},
		{"Outbox", []namedTest{
			{"RoundTrip", testOutboxRoundTrip},
			{"Order", testOutboxOrder},
			{"SurvivesDeleteUser", testOutboxSurvivesDeleteUser},
			{"ClaimDue", testOutboxClaimDue},
			{"ClaimLease", testOutboxClaimLease},
			{"ClaimAcrossPools", testOutboxClaimAcrossPools},
			{"ClaimConcurrent", testOutboxClaimConcurrent},
			{"FinishDelivered", testOutboxFinishDelivered},
			{"FinishFailed", testOutboxFinishFailed},
			{"FinishMissing", testOutboxFinishMissing},
		}},
		{"SigningKey", []namedTest{
			{"RoundTrip", testSigningKeyRoundTrip},
			{"Errors", testSigningKeyErrors},
		}},
		{"Meta", []namedTest{
			{"GetPut", testMetaGetPut},
			{"PutIfAbsent", testMetaPutIfAbsent},
			{"PutIfAbsentConcurrent", testMetaPutIfAbsentConcurrent},
		}},
		{"DeleteUserPool", []namedTest{
			{"CascadesUsers", testPoolDeleteCascadesUsers},
		}},
	}
}

// newUser is a user with every kind of field set: filter values, aliases
// of two kinds and a JSON document with a counter the concurrency test
// increments.
func newUser(poolID, key string) store.User {
	email := key + "@example.com"
	return store.User{
		PoolID:    poolID,
		Key:       key,
		Username:  capitalize(key),
		Sub:       "sub-" + key,
		Status:    "CONFIRMED",
		Enabled:   true,
		CreatedAt: t0,
		UpdatedAt: t0.Add(time.Minute),
		Filter:    map[string]string{"email": email, "name": "Name of " + key, "phone_number": "+1555" + key},
		Aliases:   map[string]string{"email": email, "phone_number": "+1555" + key},
		Data:      []byte(`{"counter":0,"keep":"me","attrs":{"email":"` + email + `"}}`),
	}
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func message(poolID, key, id string, created time.Time) store.Message {
	return store.Message{
		ID: id, PoolID: poolID, UserKey: key, CreatedAt: created,
		DeliveryMedium: "EMAIL", Destination: key + "@example.com", AttributeName: "email",
		TriggerSource: "CustomMessage_SignUp", Subject: "Your code",
		Body: []byte("sealed body " + id), Code: []byte{0, 1, 2, 0xff, byte(len(id))},
	}
}

func token(poolID, key, hash, family string) store.RefreshToken {
	return store.RefreshToken{
		Hash: hash, PoolID: poolID, UserKey: key, ClientID: clientIDs[0], OriginJTI: family,
		AuthTime: t0, CreatedAt: t0.Add(time.Second), ExpiresAt: t0.Add(30 * 24 * time.Hour),
		Data: []byte(`{"device":"d-` + hash + `"}`),
	}
}

func createUser(t *testing.T, s store.Store, c store.UserChange) {
	t.Helper()
	if err := s.CreateUser(t.Context(), c); err != nil {
		t.Fatalf("CreateUser(%q, %q): %v", c.User.PoolID, c.User.Key, err)
	}
}

func mustGetUser(t *testing.T, s store.Store, poolID, key string) store.User {
	t.Helper()
	u, err := s.GetUser(t.Context(), poolID, key)
	if err != nil {
		t.Fatalf("GetUser(%q, %q): %v", poolID, key, err)
	}
	return u
}

// update runs UpdateUser with an updater that applies edit to the user and
// writes the change it returns (the edited user plus whatever edit adds).
func update(t *testing.T, s store.Store, poolID, key string, edit func(*store.UserChange)) (store.User, error) {
	t.Helper()
	return s.UpdateUser(t.Context(), poolID, key, func(u store.User) (store.UserChange, error) {
		c := store.UserChange{User: u}
		edit(&c)
		return c, nil
	})
}

func mustUpdate(t *testing.T, s store.Store, poolID, key string, edit func(*store.UserChange)) store.User {
	t.Helper()
	u, err := update(t, s, poolID, key, edit)
	if err != nil {
		t.Fatalf("UpdateUser(%q, %q): %v", poolID, key, err)
	}
	return u
}

// checkUser compares every field, with the store's promises: times to the
// millisecond in UTC, Data byte for byte, nil and empty maps alike.
func checkUser(t *testing.T, what string, got, want store.User) {
	t.Helper()
	if got.PoolID != want.PoolID || got.Key != want.Key || got.Username != want.Username || got.Sub != want.Sub ||
		got.Status != want.Status || got.Enabled != want.Enabled {
		t.Errorf("%s: got user (%q, %q, username %q, sub %q, %q, enabled %t), want (%q, %q, %q, %q, %q, %t)", what,
			got.PoolID, got.Key, got.Username, got.Sub, got.Status, got.Enabled,
			want.PoolID, want.Key, want.Username, want.Sub, want.Status, want.Enabled)
	}
	if !maps.Equal(got.Filter, want.Filter) {
		t.Errorf("%s: Filter %v, want %v", what, got.Filter, want.Filter)
	}
	if !maps.Equal(got.Aliases, want.Aliases) {
		t.Errorf("%s: Aliases %v, want %v", what, got.Aliases, want.Aliases)
	}
	checkBytes(t, what+": Data", got.Data, want.Data)
	checkTime(t, what+": CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, what+": UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

func wantConflict(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ac *store.AliasConflict
	if !errors.As(err, &ac) {
		t.Errorf("%s: got error %v, want *store.AliasConflict{Field: %q}", what, err, field)
		return
	}
	if ac.Field != field {
		t.Errorf("%s: AliasConflict.Field = %q, want %q", what, ac.Field, field)
	}
	if !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("%s: errors.Is(%v, ErrAlreadyExists) is false", what, err)
	}
}

func wantAliasHolder(t *testing.T, s store.Store, poolID, kind, value, wantKey string) {
	t.Helper()
	u, err := s.GetUserByAlias(t.Context(), poolID, kind, value)
	if wantKey == "" {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUserByAlias(%q, %q, %q): got user %q, error %v; want ErrNotFound", poolID, kind, value, u.Key, err)
		}
		return
	}
	if err != nil || u.Key != wantKey {
		t.Errorf("GetUserByAlias(%q, %q, %q): got user %q, error %v; want %q", poolID, kind, value, u.Key, err, wantKey)
	}
}

func messageIDs(t *testing.T, s store.Store, poolID, key string) []string {
	t.Helper()
	ms, err := s.ListMessages(t.Context(), poolID, key)
	if err != nil {
		t.Fatalf("ListMessages(%q, %q): %v", poolID, key, err)
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func wantNoToken(t *testing.T, s store.Store, poolID, hash string) {
	t.Helper()
	if tok, err := s.GetRefreshToken(t.Context(), poolID, hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRefreshToken(%q, %q): got %+v, %v; want ErrNotFound", poolID, hash, tok, err)
	}
}

func mustGetToken(t *testing.T, s store.Store, poolID, hash string) store.RefreshToken {
	t.Helper()
	tok, err := s.GetRefreshToken(t.Context(), poolID, hash)
	if err != nil {
		t.Fatalf("GetRefreshToken(%q, %q): %v", poolID, hash, err)
	}
	return tok
}

func testUserCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	u := newUser(p.ID, "alice")
	createUser(t, s, store.UserChange{User: u})
	checkUser(t, "GetUser after create", mustGetUser(t, s, p.ID, u.Key), u)

	want := u
	want.Username = "Alice2"
	want.Status = "RESET_REQUIRED"
	want.Enabled = false
	want.UpdatedAt = t0.Add(time.Hour)
	want.Filter = map[string]string{"email": "new@example.com", "given_name": "Alice", "family_name": "Liddell", "preferred_username": "ally"}
	want.Aliases = map[string]string{"email": "new@example.com", "preferred_username": "ally"}
	want.Data = []byte(`{"counter":1}`)
	got, err := s.UpdateUser(ctx, p.ID, u.Key, func(cur store.User) (store.UserChange, error) {
		checkUser(t, "record given to the updater", cur, u)
		return store.UserChange{User: want}, nil
	})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	checkUser(t, "UpdateUser result", got, want)
	checkUser(t, "GetUser after update", mustGetUser(t, s, p.ID, u.Key), want)

	if err := s.DeleteUser(ctx, p.ID, u.Key); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err = s.GetUser(ctx, p.ID, u.Key)
	wantErr(t, "GetUser after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteUser twice", s.DeleteUser(ctx, p.ID, u.Key), store.ErrNotFound)
	checkPool(t, "pool after its user was deleted", mustGetPool(t, s, p.ID), p)
}

func testUserRoundTrip(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	for i, tc := range roundTripCases() {
		u := store.User{
			PoolID: p.ID, Key: fmt.Sprintf("roundtrip%d", i), Username: "Ünïcode — " + tc.name,
			Sub: fmt.Sprintf("0000000%d-aaaa-bbbb-cccc-dddddddddddd", i), Status: "UNCONFIRMED", Enabled: i%2 == 0,
			CreatedAt: tc.created, UpdatedAt: tc.updated, Data: tc.settings,
		}
		switch i {
		case 0: // every filter attribute, unicode values, an empty one
			u.Filter = map[string]string{"email": "Zoë@Example.com", "phone_number": "+15550100", "name": "名前 \U0001F389",
				"given_name": "", "family_name": "O'Brien \"q\" \\", "preferred_username": "zoë"}
			u.Aliases = map[string]string{"email": "zoë@example.com", "preferred_username": "zoë", "phone_number": "+15550100"}
		case 1: // a kind of alias the store has never heard of is still just a kind
			u.Aliases = map[string]string{"custom:handle": "h"}
		}
		createUser(t, s, store.UserChange{User: u})
		got := mustGetUser(t, s, p.ID, u.Key)
		checkUser(t, tc.name, got, u)
		if tc.wantEmptySettings && len(got.Data) != 0 {
			t.Errorf("%s: got Data %q, want empty", tc.name, got.Data)
		}
		if v, ok := got.Filter["given_name"]; i == 0 && (!ok || v != "") {
			t.Errorf("%s: an empty filter value came back as (%q, %t), want present and empty", tc.name, v, ok)
		}
		if _, ok := got.Filter["email"]; i != 0 && ok {
			t.Errorf("%s: a missing filter attribute came back present", tc.name)
		}
	}
}

func testUserMissingPool(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool(poolIDs[0]))
	const missing = "us-east-1_nosuchone"
	u := newUser(missing, "alice")
	err := s.CreateUser(ctx, store.UserChange{User: u,
		Messages: []store.Message{message(missing, u.Key, "m1", t0)}, RefreshTokens: []store.RefreshToken{token(missing, u.Key, "h1", "f1")}})
	wantErr(t, "CreateUser in a missing pool", err, store.ErrNotFound)
	var ac *store.AliasConflict
	if errors.As(err, &ac) {
		t.Errorf("CreateUser in a missing pool: got %v, an AliasConflict", err)
	}
	if ids := messageIDs(t, s, missing, ""); len(ids) != 0 {
		t.Errorf("messages of the failed create: %q", ids)
	}
	// Creating the user in an existing pool afterwards works: nothing
	// half-written holds its key, sub or aliases.
	u.PoolID = poolIDs[0]
	createUser(t, s, store.UserChange{User: u})
}

func testUserMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	createUser(t, s, store.UserChange{User: newUser(p.ID, "alice")})
	for _, key := range []struct{ pool, user string }{
		{p.ID, "nobody"},
		{p.ID, "Alice"}, // keys are exact: the store does not fold case
		{"us-east-1_nosuchone", "alice"},
	} {
		what := fmt.Sprintf("(%q, %q)", key.pool, key.user)
		_, err := s.GetUser(ctx, key.pool, key.user)
		wantErr(t, "GetUser"+what, err, store.ErrNotFound)
		called := false
		_, err = s.UpdateUser(ctx, key.pool, key.user, func(u store.User) (store.UserChange, error) {
			called = true
			return store.UserChange{User: u}, nil
		})
		wantErr(t, "UpdateUser"+what, err, store.ErrNotFound)
		if called {
			t.Errorf("UpdateUser%s called the updater", what)
		}
		wantErr(t, "DeleteUser"+what, s.DeleteUser(ctx, key.pool, key.user), store.ErrNotFound)
	}
	_, err := s.GetUser(ctx, p.ID, "nobody")
	wantErr(t, "GetUser after update of a missing user (update must not create)", err, store.ErrNotFound)
}

func testUserLookups(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	a, b := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	a.Aliases["preferred_username"] = "ally"
	createUser(t, s, store.UserChange{User: a})
	createUser(t, s, store.UserChange{User: b})

	got, err := s.GetUserBySub(ctx, p.ID, a.Sub)
	if err != nil {
		t.Fatalf("GetUserBySub: %v", err)
	}
	checkUser(t, "GetUserBySub", got, a)
	for kind, value := range a.Aliases {
		got, err := s.GetUserByAlias(ctx, p.ID, kind, value)
		if err != nil {
			t.Fatalf("GetUserByAlias(%q, %q): %v", kind, value, err)
		}
		checkUser(t, "GetUserByAlias "+kind, got, a)
	}
	wantAliasHolder(t, s, p.ID, "email", b.Aliases["email"], b.Key)

	for _, tc := range []struct{ kind, value string }{
		{"email", "nobody@example.com"},
		{"preferred_username", a.Aliases["email"]},     // a value of another kind
		{"email", strings.ToUpper(a.Aliases["email"])}, // the store compares exactly; folding is the user package's
		{"username", a.Key},                            // the key is not an alias
		{"email", "\xff"},                              // unstorable: found nowhere
		{"email", "a\x00"},
	} {
		wantAliasHolder(t, s, p.ID, tc.kind, tc.value, "")
	}
	_, err = s.GetUserBySub(ctx, p.ID, "sub-nobody")
	wantErr(t, "GetUserBySub of an unknown sub", err, store.ErrNotFound)
	_, err = s.GetUserBySub(ctx, p.ID, a.Key)
	wantErr(t, "GetUserBySub with a key", err, store.ErrNotFound)
	_, err = s.GetUserBySub(ctx, p.ID, "\xff")
	wantErr(t, "GetUserBySub with invalid UTF-8", err, store.ErrNotFound)
	_, err = s.GetUser(ctx, p.ID, "alice\x00")
	wantErr(t, "GetUser with a NUL", err, store.ErrNotFound)

	// After a change of email, the old value finds nobody and the new one
	// finds the user; the untouched alias still works.
	mustUpdate(t, s, p.ID, a.Key, func(c *store.UserChange) {
		c.User.Aliases["email"] = "alice.new@example.com"
		c.User.Filter["email"] = "alice.new@example.com"
	})
	wantAliasHolder(t, s, p.ID, "email", a.Aliases["email"], "")
	wantAliasHolder(t, s, p.ID, "email", "alice.new@example.com", a.Key)
	wantAliasHolder(t, s, p.ID, "preferred_username", "ally", a.Key)
	// Removing an alias removes its lookup.
	mustUpdate(t, s, p.ID, a.Key, func(c *store.UserChange) { delete(c.User.Aliases, "preferred_username") })
	wantAliasHolder(t, s, p.ID, "preferred_username", "ally", "")
	if got := mustGetUser(t, s, p.ID, a.Key).Aliases; !maps.Equal(got, map[string]string{"email": "alice.new@example.com", "phone_number": a.Aliases["phone_number"]}) {
		t.Errorf("aliases after the changes: %v", got)
	}
}

// A user of pool A is invisible through pool B, whatever the method, and
// the same key, sub and aliases may exist in both.
func testUserScoping(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	u := newUser(a.ID, "alice")
	createUser(t, s, store.UserChange{User: u,
		Messages:      []store.Message{message(a.ID, u.Key, "m1", t0)},
		RefreshTokens: []store.RefreshToken{token(a.ID, u.Key, "h1", "f1")}})

	_, err := s.GetUser(ctx, b.ID, u.Key)
	wantErr(t, "GetUser through another pool", err, store.ErrNotFound)
	_, err = s.GetUserBySub(ctx, b.ID, u.Sub)
	wantErr(t, "GetUserBySub through another pool", err, store.ErrNotFound)
	wantAliasHolder(t, s, b.ID, "email", u.Aliases["email"], "")
	called := false
	_, err = s.UpdateUser(ctx, b.ID, u.Key, func(cur store.User) (store.UserChange, error) {
		called = true
		return store.UserChange{User: cur}, nil
	})
	wantErr(t, "UpdateUser through another pool", err, store.ErrNotFound)
	if called {
		t.Error("UpdateUser through another pool called the updater")
	}
	wantErr(t, "DeleteUser through another pool", s.DeleteUser(ctx, b.ID, u.Key), store.ErrNotFound)
	wantNoToken(t, s, b.ID, "h1")
	if ids := messageIDs(t, s, b.ID, ""); len(ids) != 0 {
		t.Errorf("ListMessages of another pool: %q", ids)
	}
	if ids := messageIDs(t, s, b.ID, u.Key); len(ids) != 0 {
		t.Errorf("ListMessages of another pool's user: %q", ids)
	}
	if n, err := s.CountUsers(ctx, b.ID); err != nil || n != 0 {
		t.Errorf("CountUsers of another pool: %d, %v", n, err)
	}
	if page, err := s.ListUsers(ctx, b.ID, store.UserQuery{Limit: 10}); err != nil || len(page.Users) != 0 {
		t.Errorf("ListUsers of another pool: %d users, %v", len(page.Users), err)
	}

	// The same key, sub, aliases, message id and token hash in pool B.
	twin := u
	twin.PoolID = b.ID
	twin.Data = []byte(`{"twin":true}`)
	createUser(t, s, store.UserChange{User: twin,
		Messages:      []store.Message{message(b.ID, u.Key, "m1", t0)},
		RefreshTokens: []store.RefreshToken{token(b.ID, u.Key, "h1", "f1")}})
	checkUser(t, "the user in pool A", mustGetUser(t, s, a.ID, u.Key), u)
	checkUser(t, "its twin in pool B", mustGetUser(t, s, b.ID, u.Key), twin)
	wantAliasHolder(t, s, b.ID, "email", u.Aliases["email"], u.Key)
	got, err := s.GetUserBySub(ctx, b.ID, u.Sub)
	if err != nil || !bytes.Equal(got.Data, twin.Data) {
		t.Errorf("GetUserBySub in pool B: %q, %v; want the twin", got.Data, err)
	}
	// Revoking everything in pool B leaves pool A's token live.
	mustUpdate(t, s, b.ID, u.Key, func(c *store.UserChange) { c.RevokeAllRefreshTokens, c.RevokedAt = true, t0 })
	if tok := mustGetToken(t, s, a.ID, "h1"); !tok.RevokedAt.IsZero() {
		t.Errorf("pool A's token revoked by pool B's user: %v", tok.RevokedAt)
	}
	if err := s.DeleteUser(ctx, b.ID, u.Key); err != nil {
		t.Fatalf("DeleteUser in pool B: %v", err)
	}
	checkUser(t, "the user in pool A after its twin was deleted", mustGetUser(t, s, a.ID, u.Key), u)
	mustGetToken(t, s, a.ID, "h1")
}

func testUserCreateConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	held := newUser(p.ID, "alice")
	held.Aliases["preferred_username"] = "ally"
	createUser(t, s, store.UserChange{User: held})

	for _, tc := range []struct {
		field string
		edit  func(*store.User)
	}{
		{"username", func(u *store.User) { u.Key = held.Key }},
		{"sub", func(u *store.User) { u.Sub = held.Sub }},
		{"email", func(u *store.User) { u.Aliases["email"] = held.Aliases["email"] }},
		{"phone_number", func(u *store.User) { u.Aliases["phone_number"] = held.Aliases["phone_number"] }},
		{"preferred_username", func(u *store.User) { u.Aliases["preferred_username"] = "ally" }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			u := newUser(p.ID, "bob")
			u.Aliases["preferred_username"] = "bobby"
			tc.edit(&u)
			err := s.CreateUser(ctx, store.UserChange{User: u,
				Messages:      []store.Message{message(p.ID, u.Key, "m-"+tc.field, t0)},
				RefreshTokens: []store.RefreshToken{token(p.ID, u.Key, "h-"+tc.field, "f1")}})
			wantConflict(t, "CreateUser with a taken "+tc.field, err, tc.field)

			// Nothing of the failed create is left: not the user, its
			// messages, its token, nor its other (free) aliases.
			checkUser(t, "the holder", mustGetUser(t, s, p.ID, held.Key), held)
			if u.Key != held.Key {
				_, err := s.GetUser(ctx, p.ID, u.Key)
				wantErr(t, "GetUser of the failed create", err, store.ErrNotFound)
			}
			if u.Sub != held.Sub {
				_, err := s.GetUserBySub(ctx, p.ID, u.Sub)
				wantErr(t, "GetUserBySub of the failed create", err, store.ErrNotFound)
			}
			for kind, v := range u.Aliases {
				if held.Aliases[kind] != v {
					wantAliasHolder(t, s, p.ID, kind, v, "")
				}
			}
			if ids := messageIDs(t, s, p.ID, ""); len(ids) != 0 {
				t.Errorf("messages after the failed create: %q", ids)
			}
			wantNoToken(t, s, p.ID, "h-"+tc.field)
		})
	}
	// And the same user without the clash goes in.
	u := newUser(p.ID, "bob")
	createUser(t, s, store.UserChange{User: u})
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 2 {
		t.Errorf("CountUsers after the failed creates and one good one: %d, %v; want 2", n, err)
	}
}

func testUserUpdateConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	a, b := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	a.Aliases["preferred_username"] = "ally"
	createUser(t, s, store.UserChange{User: a})
	createUser(t, s, store.UserChange{User: b, RefreshTokens: []store.RefreshToken{token(p.ID, b.Key, "hb", "fb")}})

	for _, kind := range []string{"email", "phone_number", "preferred_username"} {
		t.Run(kind, func(t *testing.T) {
			_, err := update(t, s, p.ID, b.Key, func(c *store.UserChange) {
				c.User.Aliases[kind] = a.Aliases[kind]
				c.User.Aliases["custom:other"] = "free"  // a free alias in the same change
				c.User.Data = []byte(`{"written":true}`) // and other changes
				c.User.UpdatedAt = t0.Add(time.Hour)
				c.Messages = []store.Message{message(p.ID, b.Key, "m-"+kind, t0)}
				c.RefreshTokens = []store.RefreshToken{token(p.ID, b.Key, "h-"+kind, "f2")}
				c.RevokeAllRefreshTokens, c.RevokedAt = true, t0
			})
			wantConflict(t, "UpdateUser taking another user's "+kind, err, kind)
			checkUser(t, "the user whose update failed", mustGetUser(t, s, p.ID, b.Key), b)
			checkUser(t, "the holder", mustGetUser(t, s, p.ID, a.Key), a)
			wantAliasHolder(t, s, p.ID, kind, a.Aliases[kind], a.Key)
			for k, v := range b.Aliases {
				wantAliasHolder(t, s, p.ID, k, v, b.Key)
			}
			wantAliasHolder(t, s, p.ID, "custom:other", "free", "")
			if ids := messageIDs(t, s, p.ID, ""); len(ids) != 0 {
				t.Errorf("messages after the failed update: %q", ids)
			}
			wantNoToken(t, s, p.ID, "h-"+kind)
			if tok := mustGetToken(t, s, p.ID, "hb"); !tok.RevokedAt.IsZero() {
				t.Errorf("the failed update revoked a token (at %v)", tok.RevokedAt)
			}
		})
	}
	_ = ctx
}

// Aliases are unique per kind: the same value under two kinds is two
// aliases, and may belong to two users.
func testUserAliasKindsIndependent(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	a, b := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	a.Aliases = map[string]string{"email": "same"}
	b.Aliases = map[string]string{"preferred_username": "same"}
	createUser(t, s, store.UserChange{User: a})
	createUser(t, s, store.UserChange{User: b})
	wantAliasHolder(t, s, p.ID, "email", "same", a.Key)
	wantAliasHolder(t, s, p.ID, "preferred_username", "same", b.Key)
	// One user may hold the same value under several kinds.
	mustUpdate(t, s, p.ID, a.Key, func(c *store.UserChange) { c.User.Aliases["phone_number"] = "same" })
	wantAliasHolder(t, s, p.ID, "phone_number", "same", a.Key)
}

// An alias freed by one user, by an update or a delete, can be taken by
// another in a later transaction.
func testUserAliasFreedAndRetaken(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	a, b := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	createUser(t, s, store.UserChange{User: a})
	createUser(t, s, store.UserChange{User: b})
	email, phone := a.Aliases["email"], a.Aliases["phone_number"]

	// A changes email: the old one is free for B.
	mustUpdate(t, s, p.ID, a.Key, func(c *store.UserChange) { c.User.Aliases["email"] = "alice.two@example.com" })
	mustUpdate(t, s, p.ID, b.Key, func(c *store.UserChange) { c.User.Aliases["email"] = email })
	wantAliasHolder(t, s, p.ID, "email", email, b.Key)
	wantAliasHolder(t, s, p.ID, "email", b.Aliases["email"], "")

	// A drops its phone: B takes it.
	mustUpdate(t, s, p.ID, a.Key, func(c *store.UserChange) { delete(c.User.Aliases, "phone_number") })
	mustUpdate(t, s, p.ID, b.Key, func(c *store.UserChange) { c.User.Aliases["phone_number"] = phone })
	wantAliasHolder(t, s, p.ID, "phone_number", phone, b.Key)

	// B is deleted: a new user takes all of its aliases and its sub.
	if err := s.DeleteUser(ctx, p.ID, b.Key); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	c := newUser(p.ID, "carol")
	c.Sub = b.Sub
	c.Aliases = map[string]string{"email": email, "phone_number": phone}
	createUser(t, s, store.UserChange{User: c})
	wantAliasHolder(t, s, p.ID, "email", email, c.Key)
	wantAliasHolder(t, s, p.ID, "phone_number", phone, c.Key)
	// And B's key is free again.
	again := newUser(p.ID, b.Key)
	again.Sub = "sub-bob-again"
	createUser(t, s, store.UserChange{User: again})
}

// Two users swap emails through a third value, in three transactions; the
// direct swap is a conflict.
func testUserAliasSwap(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	a, b := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	createUser(t, s, store.UserChange{User: a})
	createUser(t, s, store.UserChange{User: b})
	x, y := a.Aliases["email"], b.Aliases["email"]

	_, err := update(t, s, p.ID, a.Key, func(c *store.UserChange) { c.User.Aliases["email"] = y })
	wantConflict(t, "taking the other user's email directly", err, "email")

	setEmail := func(key, v string) {
		mustUpdate(t, s, p.ID, key, func(c *store.UserChange) { c.User.Aliases["email"] = v })
	}
	setEmail(a.Key, "tmp@example.com")
	setEmail(b.Key, x)
	setEmail(a.Key, y)
	wantAliasHolder(t, s, p.ID, "email", x, b.Key)
	wantAliasHolder(t, s, p.ID, "email", y, a.Key)
	wantAliasHolder(t, s, p.ID, "email", "tmp@example.com", "")
	if got := mustGetUser(t, s, p.ID, a.Key).Aliases["email"]; got != y {
		t.Errorf("alice's email alias after the swap: %q, want %q", got, y)
	}
}

func testUserUpdaterSeesCurrent(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	u := newUser(p.ID, "alice")
	createUser(t, s, store.UserChange{User: u})
	var seen store.User
	got, err := s.UpdateUser(t.Context(), p.ID, u.Key, func(cur store.User) (store.UserChange, error) {
		seen = cur
		return store.UserChange{User: cur}, nil
	})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	checkUser(t, "record given to the updater", seen, u)
	checkUser(t, "result of a no-op update", got, u)
	checkUser(t, "GetUser after a no-op update", mustGetUser(t, s, p.ID, u.Key), u)
	// An updater that edits the maps it was given in place still works:
	// the store must not have handed it its own copy of the old aliases.
	mustUpdate(t, s, p.ID, u.Key, func(c *store.UserChange) {
		delete(c.User.Aliases, "email")
		c.User.Aliases["preferred_username"] = "ally"
	})
	wantAliasHolder(t, s, p.ID, "email", u.Aliases["email"], "")
	wantAliasHolder(t, s, p.ID, "preferred_username", "ally", u.Key)
	other := newUser(p.ID, "bob")
	other.Aliases["email"] = u.Aliases["email"]
	createUser(t, s, store.UserChange{User: other})
}

// seedUserRows gives a user a message and two live tokens, so that a
// failed update can be seen to leave them alone.
func seedUserRows(t *testing.T, s store.Store, u store.User) {
	t.Helper()
	createUser(t, s, store.UserChange{User: u,
		Messages:      []store.Message{message(u.PoolID, u.Key, "m0", t0)},
		RefreshTokens: []store.RefreshToken{token(u.PoolID, u.Key, "h0", "f0"), token(u.PoolID, u.Key, "h1", "f1")}})
}

// checkUserUntouched checks that u and the rows seedUserRows gave it are
// as they were.
func checkUserUntouched(t *testing.T, s store.Store, what string, u store.User) {
	t.Helper()
	checkUser(t, what, mustGetUser(t, s, u.PoolID, u.Key), u)
	for kind, v := range u.Aliases {
		wantAliasHolder(t, s, u.PoolID, kind, v, u.Key)
	}
	if ids := messageIDs(t, s, u.PoolID, ""); !slices.Equal(ids, []string{"m0"}) {
		t.Errorf("%s: messages %q, want only m0", what, ids)
	}
	wantNoToken(t, s, u.PoolID, "h-new")
	for _, h := range []string{"h0", "h1"} {
		if tok := mustGetToken(t, s, u.PoolID, h); !tok.RevokedAt.IsZero() {
			t.Errorf("%s: token %s revoked at %v", what, h, tok.RevokedAt)
		}
	}
}

// fullChange edits everything a change can carry.
func fullChange(c *store.UserChange) {
	c.User.Username = "must not be written"
	c.User.Enabled = !c.User.Enabled
	c.User.Filter = map[string]string{"email": "written@example.com"}
	c.User.Aliases = map[string]string{"email": "written@example.com"}
	c.User.Data = []byte(`{"written":true}`)
	c.Messages = []store.Message{message(c.User.PoolID, c.User.Key, "m-new", t0)}
	c.RefreshTokens = []store.RefreshToken{token(c.User.PoolID, c.User.Key, "h-new", "f-new")}
	c.RevokeFamilies, c.RevokeTokens, c.RevokedAt = []string{"f0"}, []string{"h1"}, t0
}

func testUserUpdaterError(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	u := newUser(p.ID, "alice")
	seedUserRows(t, s, u)
	myErr := &updaterErr{msg: "rejected"}
	for _, e := range []error{myErr, fmt.Errorf("wrapped: %w", errSentinel), fmt.Errorf("looks like a store error: %w", store.ErrNotFound)} {
		_, err := s.UpdateUser(t.Context(), p.ID, u.Key, func(cur store.User) (store.UserChange, error) {
			c := store.UserChange{User: cur}
			fullChange(&c)
			return c, e
		})
		if err != e {
			t.Errorf("UpdateUser returned %v (%T), want the updater's error %v unchanged", err, err, e)
		}
		checkUserUntouched(t, s, "after an updater error", u)
	}
}

// A change that fails half-way (an alias conflict found after the user row
// was written) leaves nothing of itself, after a good change went before.
func testUserAtomicity(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	holder := newUser(p.ID, "holder")
	holder.Aliases = map[string]string{"email": "written@example.com"}
	createUser(t, s, store.UserChange{User: holder})
	u := newUser(p.ID, "alice")
	seedUserRows(t, s, u)
	v1 := mustUpdate(t, s, p.ID, u.Key, func(c *store.UserChange) {
		c.User.Status, c.User.UpdatedAt = "RESET_REQUIRED", t0.Add(time.Hour)
	})
	_, err := update(t, s, p.ID, u.Key, fullChange)
	wantConflict(t, "a full change with a taken email", err, "email")
	u.Status, u.UpdatedAt = v1.Status, v1.UpdatedAt
	checkUserUntouched(t, s, "after a change that hit an alias conflict", u)
	wantAliasHolder(t, s, p.ID, "email", "written@example.com", holder.Key)
}

// An updater cannot move a user to another pool or key, or change its sub.
func testUserKeyImmutable(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	u := newUser(a.ID, "alice")
	seedUserRows(t, s, u)
	for _, tc := range []struct {
		name string
		move func(*store.User)
	}{
		{"to another pool", func(x *store.User) { x.PoolID = b.ID }},
		{"to another key", func(x *store.User) { x.Key = "movedaway" }},
		{"to another sub", func(x *store.User) { x.Sub = "sub-moved" }},
	} {
		got, err := update(t, s, a.ID, u.Key, func(c *store.UserChange) {
			fullChange(c)
			tc.move(&c.User)
		})
		if err == nil {
			t.Errorf("%s: UpdateUser succeeded (returned %q/%q/%q), want an error", tc.name, got.PoolID, got.Key, got.Sub)
		}
		checkUserUntouched(t, s, "after an updater tried to move it "+tc.name, u)
	}
	_, err := s.GetUser(ctx, b.ID, u.Key)
	wantErr(t, "GetUser in the other pool", err, store.ErrNotFound)
	_, err = s.GetUser(ctx, a.ID, "movedaway")
	wantErr(t, "GetUser of the new key", err, store.ErrNotFound)
	_, err = s.GetUserBySub(ctx, a.ID, "sub-moved")
	wantErr(t, "GetUserBySub of the new sub", err, store.ErrNotFound)
}

// Changes the store cannot write faithfully are refused whole: a filter
// attribute without a column, an empty alias, a revocation without a time,
// rows of another user or without an id.
func testUserInvalidChange(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	u := newUser(a.ID, "alice")
	seedUserRows(t, s, u)
	for _, tc := range []struct {
		name string
		edit func(*store.UserChange)
	}{
		{"unknown filter attribute", func(c *store.UserChange) { c.User.Filter["custom:team"] = "x" }},
		{"empty alias value", func(c *store.UserChange) { c.User.Aliases["preferred_username"] = "" }},
		{"empty alias kind", func(c *store.UserChange) { c.User.Aliases[""] = "x" }},
		{"revocation without a time", func(c *store.UserChange) { c.RevokeAllRefreshTokens = true }},
		{"message of another pool", func(c *store.UserChange) { c.Messages[0].PoolID = b.ID }},
		{"message of another user", func(c *store.UserChange) { c.Messages[0].UserKey = "bob" }},
		{"message without an id", func(c *store.UserChange) { c.Messages[0].ID = "" }},
		{"token of another user", func(c *store.UserChange) { c.RefreshTokens[0].UserKey = "bob" }},
		{"token without a hash", func(c *store.UserChange) { c.RefreshTokens[0].Hash = "" }},
		// PostgreSQL cannot store these in text columns; SQLite could, but
		// must refuse them too, so that the backends agree.
		{"username not UTF-8", func(c *store.UserChange) { c.User.Username = "bad\xff" }},
		{"filter value not UTF-8", func(c *store.UserChange) { c.User.Filter["name"] = "\xc3" }},
		{"alias value not UTF-8", func(c *store.UserChange) { c.User.Aliases["email"] = "a\xffb@example.com" }},
		{"NUL in data", func(c *store.UserChange) { c.User.Data = []byte("{\"a\":\"\x00\"}") }},
		{"NUL in a message subject", func(c *store.UserChange) { c.Messages[0].Subject = "a\x00b" }},
		{"token data not UTF-8", func(c *store.UserChange) { c.RefreshTokens[0].Data = []byte{0xff} }},
	} {
		_, err := update(t, s, a.ID, u.Key, func(c *store.UserChange) {
			c.User.Data = []byte(`{"written":true}`)
			c.Messages = []store.Message{message(a.ID, u.Key, "m-new", t0)}
			c.RefreshTokens = []store.RefreshToken{token(a.ID, u.Key, "h-new", "f-new")}
			tc.edit(c)
		})
		if err == nil {
			t.Errorf("UpdateUser with %s succeeded, want an error", tc.name)
		}
		checkUserUntouched(t, s, "after UpdateUser with "+tc.name, u)

		nu := newUser(a.ID, "bob")
		c := store.UserChange{User: nu,
			Messages:      []store.Message{message(a.ID, nu.Key, "m-new", t0)},
			RefreshTokens: []store.RefreshToken{token(a.ID, nu.Key, "h-new", "f-new")}}
		tc.edit(&c)
		if tc.name == "message of another user" || tc.name == "token of another user" {
			c.Messages[0].UserKey, c.RefreshTokens[0].UserKey = "carol", "carol"
		}
		if err := s.CreateUser(ctx, c); err == nil {
			t.Errorf("CreateUser with %s succeeded, want an error", tc.name)
			if err := s.DeleteUser(ctx, a.ID, nu.Key); err != nil {
				t.Fatal(err)
			}
		} else if _, err := s.GetUser(ctx, a.ID, nu.Key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CreateUser with %s failed but wrote the user (%v)", tc.name, err)
		}
	}
	// Rows that leave their pool id and user key empty get the user's.
	mustUpdate(t, s, a.ID, u.Key, func(c *store.UserChange) {
		m := message("", "", "m-anon", t0)
		tok := token("", "", "h-anon", "f-anon")
		c.Messages, c.RefreshTokens = []store.Message{m}, []store.RefreshToken{tok}
	})
	ms, err := s.ListMessages(ctx, a.ID, u.Key)
	if err != nil || len(ms) != 2 || ms[0].ID != "m-anon" || ms[0].PoolID != a.ID || ms[0].UserKey != u.Key {
		t.Errorf("messages after a change with an anonymous message: %+v, %v", ms, err)
	}
	if tok := mustGetToken(t, s, a.ID, "h-anon"); tok.PoolID != a.ID || tok.UserKey != u.Key {
		t.Errorf("anonymous token stored as (%q, %q), want (%q, %q)", tok.PoolID, tok.UserKey, a.ID, u.Key)
	}
}

// Many goroutines increment a counter in one user's Data; every update
// also writes a message. No update may be lost, and the messages of the
// committed attempts (and only those) are there.
func testUserConcurrentUpdates(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	u := newUser(p.ID, "alice")
	createUser(t, s, store.UserChange{User: u})
	concurrentIncrements(t, func(inc func([]byte) ([]byte, error)) ([]byte, error) {
		got, err := s.UpdateUser(t.Context(), p.ID, u.Key, func(cur store.User) (store.UserChange, error) {
			b, err := inc(cur.Data)
			if err != nil {
				return store.UserChange{}, err
			}
			var c counterSettings
			if err := json.Unmarshal(b, &c); err != nil {
				return store.UserChange{}, err
			}
			cur.Data = b
			cur.UpdatedAt = cur.UpdatedAt.Add(time.Millisecond)
			id := fmt.Sprintf("m%05d", c.Counter)
			return store.UserChange{User: cur, Messages: []store.Message{message(p.ID, u.Key, id, t0)}}, nil
		})
		return got.Data, err
	})
	got := mustGetUser(t, s, p.ID, u.Key)
	const total = goroutines * incrementsEa
	var c counterSettings
	if err := json.Unmarshal(got.Data, &c); err != nil || c.Counter != total {
		t.Errorf("after %d concurrent increments: Data %q (%v), want counter %d", total, got.Data, err, total)
	}
	checkTime(t, "UpdatedAt after the increments", got.UpdatedAt, u.UpdatedAt.Add(total*time.Millisecond))
	ids := messageIDs(t, s, p.ID, u.Key)
	if len(ids) != total {
		t.Errorf("%d messages after %d updates, want one per update", len(ids), total)
	}
	for i, id := range ids {
		if want := fmt.Sprintf("m%05d", i+1); id != want {
			t.Errorf("message %d is %q, want %q", i, id, want)
			break
		}
	}
}

// DeleteUser removes the user, its aliases and its tokens, but not its
// messages.
func testUserDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	u, other := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	seedUserRows(t, s, u)
	createUser(t, s, store.UserChange{User: other,
		Messages:      []store.Message{message(p.ID, other.Key, "m-other", t0)},
		RefreshTokens: []store.RefreshToken{token(p.ID, other.Key, "h-other", "f0")}})
	if err := s.DeleteUser(ctx, p.ID, u.Key); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err := s.GetUser(ctx, p.ID, u.Key)
	wantErr(t, "GetUser after delete", err, store.ErrNotFound)
	_, err = s.GetUserBySub(ctx, p.ID, u.Sub)
	wantErr(t, "GetUserBySub after delete", err, store.ErrNotFound)
	for kind, v := range u.Aliases {
		wantAliasHolder(t, s, p.ID, kind, v, "")
	}
	wantNoToken(t, s, p.ID, "h0")
	wantNoToken(t, s, p.ID, "h1")
	if ids := messageIDs(t, s, p.ID, u.Key); !slices.Equal(ids, []string{"m0"}) {
		t.Errorf("the deleted user's messages: %q, want m0 kept", ids)
	}
	checkUser(t, "the other user", mustGetUser(t, s, p.ID, other.Key), other)
	mustGetToken(t, s, p.ID, "h-other")
	// The aliases are free: another user takes them.
	taker := newUser(p.ID, "carol")
	taker.Aliases = maps.Clone(u.Aliases)
	createUser(t, s, store.UserChange{User: taker})
	for kind, v := range u.Aliases {
		wantAliasHolder(t, s, p.ID, kind, v, taker.Key)
	}
	// A user recreated with the old key has no tokens from before.
	createUser(t, s, store.UserChange{User: store.User{PoolID: p.ID, Key: u.Key, Username: "again", Sub: "sub-again"}})
	wantNoToken(t, s, p.ID, "h0")
}

func testUserCount(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	count := func(poolID string, want int) {
		t.Helper()
		if n, err := s.CountUsers(ctx, poolID); err != nil || n != want {
			t.Errorf("CountUsers(%q) = %d, %v; want %d", poolID, n, err, want)
		}
	}
	count(a.ID, 0)
	count("us-east-1_nosuchone", 0)
	for i := range 5 {
		createUser(t, s, store.UserChange{User: newUser(a.ID, fmt.Sprintf("user%d", i))})
	}
	createUser(t, s, store.UserChange{User: newUser(b.ID, "user0")})
	count(a.ID, 5)
	count(b.ID, 1)
	if err := s.DeleteUser(ctx, a.ID, "user3"); err != nil {
		t.Fatal(err)
	}
	count(a.ID, 4)
}

// listUser is one user of the ListUsers data set.
type listUser struct {
	key, username, sub, status string
	enabled                    bool
	filter                     map[string]string
}

// listUsers is the ListUsers data set: shared values (so that (value, key)
// order matters), missing attributes, mixed case and non-ASCII values (so
// that byte order differs from any linguistic order), and values that
// start with U+10FFFF (the edge of a prefix range).
func listUsers() []listUser {
	keys := []string{"alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan", "judy",
		"mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "Zed", "zoë", "émile", "0wen"}
	given := []string{"Zoë", "Zoe", "Zoé", "Émile", "emile", "\U0010FFFF", "\U0010FFFFb", "a\U0010FFFF", "a\U0010FFFFb", "ab", "Ab", "aB"}
	statuses := []string{"CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED", "CONFIRMED"}
	var out []listUser
	for i, k := range keys {
		f := map[string]string{}
		switch {
		case i%7 == 3:
			// no email
		case i%4 == 0:
			f["email"] = "shared@example.com"
		default:
			f["email"] = k + "@example.com"
		}
		f["phone_number"] = fmt.Sprintf("+1555%07d", (i*7919)%10000)
		f["name"] = fmt.Sprintf("Name %d", i%4)
		if i < len(given) {
			f["given_name"] = given[i]
		}
		if i%3 == 0 {
			f["family_name"] = "Smith"
		}
		if i%5 != 1 {
			f["preferred_username"] = strings.ToLower(k) + fmt.Sprint(i%2)
		}
		out = append(out, listUser{
			key: k, username: capitalize(k), sub: fmt.Sprintf("%08x-sub", (i*2654435761)%(1<<32)),
			status: statuses[i%len(statuses)], enabled: i%3 != 1, filter: f,
		})
	}
	return out
}

func (lu listUser) value(attr string) (string, bool) {
	switch attr {
	case "username":
		return lu.username, true
	case "sub":
		return lu.sub, true
	case "cognito:user_status":
		return lu.status, true
	case "status":
		return fmt.Sprint(lu.enabled), true
	}
	v, ok := lu.filter[attr]
	return v, ok
}

// expectList is the model of ListUsers: the keys matching q, in the order
// the store promises. Without a filter, with an exact one and for the
// enabled flag, by key; with a prefix, by value (in byte order) and then
// key.
func expectList(users []listUser, q store.UserQuery) []string {
	type row struct{ value, key string }
	var rows []row
	if q.Attribute != "" && (!utf8.ValidString(q.Value) || strings.IndexByte(q.Value, 0) >= 0) {
		// No value holds invalid UTF-8 or NUL (the store refuses them), so
		// such a filter matches nothing, even as a byte prefix of a value.
		return nil
	}
	for _, u := range users {
		v, ok := u.value(q.Attribute)
		switch {
		case q.Attribute == "":
		case !ok:
			continue
		case q.Prefix && !strings.HasPrefix(v, q.Value):
			continue
		case !q.Prefix && v != q.Value:
			continue
		}
		if !q.Prefix || q.Attribute == "status" {
			v = ""
		}
		rows = append(rows, row{v, u.key})
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := strings.Compare(a.value, b.value); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.key
	}
	return keys
}

func createListUsers(t *testing.T, s store.Store, poolID string, users []listUser) {
	t.Helper()
	for _, lu := range users {
		createUser(t, s, store.UserChange{User: store.User{
			PoolID: poolID, Key: lu.key, Username: lu.username, Sub: lu.sub, Status: lu.status, Enabled: lu.enabled,
			CreatedAt: t0, UpdatedAt: t0, Filter: lu.filter, Data: []byte(`{"k":"` + lu.key + `"}`),
		}})
	}
}

// walk pages through ListUsers with the given limit and returns the keys.
func walk(t *testing.T, s store.Store, poolID string, q store.UserQuery, limit int) []string {
	t.Helper()
	q.Limit = limit
	var keys []string
	for page := 0; ; page++ {
		got, err := s.ListUsers(t.Context(), poolID, q)
		if err != nil {
			t.Fatalf("ListUsers(%+v): %v", q, err)
		}
		if len(got.Users) > limit {
			t.Fatalf("ListUsers(%+v) returned %d users", q, len(got.Users))
		}
		for _, u := range got.Users {
			if u.PoolID != poolID {
				t.Fatalf("ListUsers(%q) returned a user of pool %q", poolID, u.PoolID)
			}
			keys = append(keys, u.Key)
		}
		if got.Next == "" {
			return keys
		}
		if page > 100 {
			t.Fatalf("ListUsers(%+v) pagination does not end", q)
		}
		q.Cursor = got.Next
	}
}

func listQueries() []store.UserQuery {
	qs := []store.UserQuery{{}}
	exact := func(attr string, values ...string) {
		for _, v := range values {
			qs = append(qs, store.UserQuery{Attribute: attr, Value: v})
		}
	}
	prefix := func(attr string, values ...string) {
		for _, v := range values {
			qs = append(qs, store.UserQuery{Attribute: attr, Value: v, Prefix: true})
		}
	}
	exact("username", "Alice", "alice", "Zed", "nobody", "\xff", "A\x00")
	prefix("email", "\xff", "\xc3", "a\x00")
	prefix("username", "", "A", "Z", "Zo", "É", "Ali", "Alice", "Alicex")
	exact("email", "shared@example.com", "bob@example.com", "nobody@example.com", "")
	prefix("email", "", "shared", "b", "z", "\U0010FFFF")
	exact("phone_number", "+15557919000"[:12], "+15550000000")
	prefix("phone_number", "+1555", "+15550", "+2")
	exact("name", "Name 0", "Name 3", "Name")
	prefix("name", "Name", "Name 1", "name")
	exact("given_name", "Zoë", "Zoe", "ab", "\U0010FFFF")
	prefix("given_name", "Zo", "Zoë", "Z", "É", "e", "a", "a\U0010FFFF", "\U0010FFFF", "ab", "A", "")
	exact("family_name", "Smith", "smith")
	prefix("family_name", "S", "", "Smithers")
	exact("preferred_username", "alice0", "bob1")
	prefix("preferred_username", "a", "z", "zoë", "é", "")
	exact("cognito:user_status", "CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "confirmed")
	prefix("cognito:user_status", "CON", "", "R", "U", "X")
	exact("status", "true", "false", "True", "", "yes")
	prefix("status", "t", "tr", "true", "f", "fals", "", "x", "truex")
	// sub values are unique: order by value alone, which the model's
	// (value, key) order agrees with.
	prefix("sub", "", "0", "a", "f")
	return qs
}

func testListUsersFilters(t *testing.T, s store.Store) {
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	users := listUsers()
	createListUsers(t, s, a.ID, users)
	// Pool B holds the same users under other keys that sort among pool
	// A's, with the same filter values: a listing that forgets the pool
	// shows them.
	twins := make([]listUser, len(users))
	for i, u := range users {
		u.key += "-b"
		u.sub += "-b"
		twins[i] = u
	}
	createListUsers(t, s, b.ID, twins)
	// The sub filter gets its exact cases from the data.
	qs := append(listQueries(), store.UserQuery{Attribute: "sub", Value: users[3].sub},
		store.UserQuery{Attribute: "sub", Value: users[3].sub, Prefix: true}, store.UserQuery{Attribute: "sub", Value: "x"})

	for _, q := range qs {
		want := expectList(users, q)
		for _, limit := range []int{1, 3, 1000} {
			if got := walk(t, s, a.ID, q, limit); !slices.Equal(got, want) {
				t.Errorf("ListUsers(%s %q, prefix %t) in pages of %d:\n got %q\nwant %q", q.Attribute, q.Value, q.Prefix, limit, got, want)
			}
		}
	}
	// The full users come back, not just their keys.
	page, err := s.ListUsers(t.Context(), a.ID, store.UserQuery{Attribute: "username", Value: "Alice", Limit: 10})
	if err != nil || len(page.Users) != 1 {
		t.Fatalf("ListUsers(username = Alice): %d users, %v", len(page.Users), err)
	}
	checkUser(t, "listed user", page.Users[0], store.User{PoolID: a.ID, Key: "alice", Username: "Alice", Sub: users[0].sub,
		Status: users[0].status, Enabled: users[0].enabled, CreatedAt: t0, UpdatedAt: t0, Filter: users[0].filter,
		Data: []byte(`{"k":"alice"}`)})
}

// Listing is stable: the same query gives the same pages, and a cursor
// keeps working while users are added and removed around it; a user
// deleted ahead of the cursor is skipped, one added ahead of it is seen.
func testListUsersStable(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	users := listUsers()
	createListUsers(t, s, p.ID, users)
	q := store.UserQuery{Attribute: "email", Value: "", Prefix: true}
	first := walk(t, s, p.ID, q, 3)
	if again := walk(t, s, p.ID, q, 3); !slices.Equal(first, again) {
		t.Fatalf("two walks differ:\n%q\n%q", first, again)
	}

	q.Limit = 4
	page, err := s.ListUsers(ctx, p.ID, q)
	if err != nil || page.Next == "" {
		t.Fatalf("first page: %v, next %q", err, page.Next)
	}
	seen := len(page.Users)
	// Delete a user ahead of the cursor; add one ahead and one behind.
	ahead := first[len(first)-1]
	if err := s.DeleteUser(ctx, p.ID, ahead); err != nil {
		t.Fatal(err)
	}
	behind := newUser(p.ID, "aaa-behind")
	behind.Filter = map[string]string{"email": "\x01first@example.com"}
	behind.Aliases = nil
	late := newUser(p.ID, "zzz-late")
	late.Filter = map[string]string{"email": "zzz@example.com"}
	late.Aliases = nil
	createUser(t, s, store.UserChange{User: behind})
	createUser(t, s, store.UserChange{User: late})
	q.Cursor = page.Next
	rest := walk(t, s, p.ID, q, 4)
	want := append(slices.Clone(first[seen:len(first)-1]), late.Key)
	if !slices.Equal(rest, want) {
		t.Errorf("rest of the walk after changes:\n got %q\nwant %q", rest, want)
	}
}

func testListUsersEmpty(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	for _, q := range []store.UserQuery{{}, {Attribute: "email", Value: "x"}, {Attribute: "email", Value: "x", Prefix: true}, {Attribute: "status", Value: "true"}} {
		q.Limit = 10
		for _, poolID := range []string{p.ID, "us-east-1_nosuchone"} {
			page, err := s.ListUsers(ctx, poolID, q)
			if err != nil || len(page.Users) != 0 || page.Next != "" {
				t.Errorf("ListUsers(%q, %+v) of an empty pool: %d users, next %q, %v", poolID, q, len(page.Users), page.Next, err)
			}
		}
	}
	createUser(t, s, store.UserChange{User: newUser(p.ID, "alice")})
	page, err := s.ListUsers(ctx, p.ID, store.UserQuery{Attribute: "email", Value: "nobody", Limit: 10})
	if err != nil || len(page.Users) != 0 || page.Next != "" {
		t.Errorf("ListUsers with no match: %d users, next %q, %v", len(page.Users), page.Next, err)
	}
	// A page that ends exactly at the last user has no next page.
	page, err = s.ListUsers(ctx, p.ID, store.UserQuery{Limit: 1})
	if err != nil || len(page.Users) != 1 || page.Next != "" {
		t.Errorf("ListUsers of a one-user pool with limit 1: %d users, next %q, %v; want 1 user and no next page", len(page.Users), page.Next, err)
	}
}

func testListUsersBadCursor(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	for i := range 3 {
		createUser(t, s, store.UserChange{User: newUser(p.ID, fmt.Sprintf("user%d", i))})
	}
	q := store.UserQuery{Attribute: "email", Value: "user", Prefix: true, Limit: 1}
	page, err := s.ListUsers(ctx, p.ID, q)
	if err != nil || page.Next == "" {
		t.Fatalf("first page: %v, next %q", err, page.Next)
	}
	good := page.Next
	for _, tc := range []struct {
		name string
		q    store.UserQuery
	}{
		{"garbage", store.UserQuery{Cursor: "!!not a cursor!!"}},
		{"base64 of garbage", store.UserQuery{Cursor: "bm90IGpzb24"}},
		{"truncated", store.UserQuery{Attribute: q.Attribute, Value: q.Value, Prefix: true, Cursor: good[:len(good)/2]}},
		{"from another attribute", store.UserQuery{Attribute: "name", Value: q.Value, Prefix: true, Cursor: good}},
		{"from another value", store.UserQuery{Attribute: q.Attribute, Value: "use", Prefix: true, Cursor: good}},
		{"from a prefix query to an exact one", store.UserQuery{Attribute: q.Attribute, Value: q.Value, Cursor: good}},
		{"from a filtered query to no filter", store.UserQuery{Cursor: good}},
	} {
		tc.q.Limit = 1
		_, err := s.ListUsers(ctx, p.ID, tc.q)
		if !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("ListUsers with a cursor %s: got %v, want ErrBadCursor", tc.name, err)
		}
	}
}

func testListUsersBadQuery(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	for _, q := range []store.UserQuery{
		{Attribute: "custom:team", Value: "x", Limit: 1},
		{Attribute: "Email", Value: "x", Limit: 1},
		{Limit: 0},
		{Limit: -1},
	} {
		if _, err := s.ListUsers(ctx, p.ID, q); err == nil {
			t.Errorf("ListUsers(%+v) succeeded, want an error", q)
		}
	}
}

func testTokenRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	u := newUser(p.ID, "alice")
	t1 := token(p.ID, u.Key, "h1", "f1")
	t1.AuthTime, t1.CreatedAt, t1.ExpiresAt = t0.Add(-time.Hour), t0.Add(999*time.Microsecond), time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := token(p.ID, u.Key, "h2", "f2")
	t2.Data = nil
	t2.RevokedAt = t0.Add(time.Minute) // issued already revoked: kept as given
	createUser(t, s, store.UserChange{User: u, RefreshTokens: []store.RefreshToken{t1, t2}})
	t3 := token(p.ID, u.Key, "h3", "f1")
	mustUpdate(t, s, p.ID, u.Key, func(c *store.UserChange) { c.RefreshTokens = []store.RefreshToken{t3} })

	for _, want := range []store.RefreshToken{t1, t2, t3} {
		got := mustGetToken(t, s, p.ID, want.Hash)
		if got.Hash != want.Hash || got.PoolID != want.PoolID || got.UserKey != want.UserKey ||
			got.ClientID != want.ClientID || got.OriginJTI != want.OriginJTI {
			t.Errorf("token %s: got %+v, want %+v", want.Hash, got, want)
		}
		checkTime(t, want.Hash+": AuthTime", got.AuthTime, want.AuthTime)
		checkTime(t, want.Hash+": CreatedAt", got.CreatedAt, want.CreatedAt)
		checkTime(t, want.Hash+": ExpiresAt", got.ExpiresAt, want.ExpiresAt)
		if want.RevokedAt.IsZero() {
			if !got.RevokedAt.IsZero() {
				t.Errorf("token %s: RevokedAt %v, want zero (live)", want.Hash, got.RevokedAt)
			}
		} else {
			checkTime(t, want.Hash+": RevokedAt", got.RevokedAt, want.RevokedAt)
		}
		checkBytes(t, want.Hash+": Data", got.Data, want.Data)
	}
	wantNoToken(t, s, p.ID, "nosuchhash")
	// A hash already issued cannot be issued again.
	_, err := update(t, s, p.ID, u.Key, func(c *store.UserChange) { c.RefreshTokens = []store.RefreshToken{token(p.ID, u.Key, "h1", "f9")} })
	wantErr(t, "issuing a token hash twice", err, store.ErrAlreadyExists)
	_ = ctx
}

// tokenFixture: alice has tokens in families f1 (two), f2 and f3; bob has
// a token in a family also called f1 and one called f2, to check that one
// user's revocations never touch another's tokens.
func tokenFixture(t *testing.T, s store.Store) (poolID string) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	createUser(t, s, store.UserChange{User: newUser(p.ID, "alice"), RefreshTokens: []store.RefreshToken{
		token(p.ID, "alice", "a1", "f1"), token(p.ID, "alice", "a2", "f1"), token(p.ID, "alice", "a3", "f2"), token(p.ID, "alice", "a4", "f3")}})
	createUser(t, s, store.UserChange{User: newUser(p.ID, "bob"), RefreshTokens: []store.RefreshToken{
		token(p.ID, "bob", "b1", "f1"), token(p.ID, "bob", "b2", "f2")}})
	return p.ID
}

func wantRevoked(t *testing.T, s store.Store, poolID string, want map[string]time.Time) {
	t.Helper()
	for _, h := range []string{"a1", "a2", "a3", "a4", "b1", "b2"} {
		got := mustGetToken(t, s, poolID, h).RevokedAt
		w, ok := want[h]
		switch {
		case !ok && !got.IsZero():
			t.Errorf("token %s revoked at %v, want live", h, got)
		case ok && !got.Equal(w.Truncate(time.Millisecond)):
			t.Errorf("token %s: RevokedAt %v, want %v", h, got, w.Truncate(time.Millisecond).UTC())
		}
	}
}

func testTokenRevokeFamilies(t *testing.T, s store.Store) {
	poolID := tokenFixture(t, s)
	at := t0.Add(time.Hour)
	mustUpdate(t, s, poolID, "alice", func(c *store.UserChange) {
		c.RevokeFamilies, c.RevokedAt = []string{"f1", "nosuchfamily"}, at
	})
	wantRevoked(t, s, poolID, map[string]time.Time{"a1": at, "a2": at})
	// Revoking again keeps the first time; other families join.
	later := at.Add(time.Hour)
	mustUpdate(t, s, poolID, "alice", func(c *store.UserChange) {
		c.RevokeFamilies, c.RevokedAt = []string{"f1", "f3"}, later
	})
	wantRevoked(t, s, poolID, map[string]time.Time{"a1": at, "a2": at, "a4": later})
}

func testTokenRevokeTokens(t *testing.T, s store.Store) {
	poolID := tokenFixture(t, s)
	at := t0.Add(time.Hour)
	// Rotation: the old token is revoked and a new one of the same family
	// issued in the same change; the new one is live. Bob's hash in the
	// list is not alice's to revoke.
	mustUpdate(t, s, poolID, "alice", func(c *store.UserChange) {
		c.RevokeTokens, c.RevokedAt = []string{"a1", "b1"}, at
		c.RefreshTokens = []store.RefreshToken{token(poolID, "alice", "a5", "f1")}
	})
	wantRevoked(t, s, poolID, map[string]time.Time{"a1": at})
	if tok := mustGetToken(t, s, poolID, "a5"); !tok.RevokedAt.IsZero() {
		t.Errorf("the token issued with the revocation is revoked at %v", tok.RevokedAt)
	}
	// Families and hashes together.
	mustUpdate(t, s, poolID, "alice", func(c *store.UserChange) {
		c.RevokeFamilies, c.RevokeTokens, c.RevokedAt = []string{"f2"}, []string{"a4"}, at
	})
	wantRevoked(t, s, poolID, map[string]time.Time{"a1": at, "a3": at, "a4": at})
}

func testTokenRotate(t *testing.T, s store.Store) {
	poolID := tokenFixture(t, s)
	now := t0.Add(time.Hour)
	rotate := func(hash, next string, at, revokeAt time.Time) error {
		_, err := update(t, s, poolID, "alice", func(c *store.UserChange) {
			c.RotateToken, c.RotatedAt, c.RevokedAt = hash, at, revokeAt
			c.RefreshTokens = []store.RefreshToken{token(poolID, "alice", next, "f1")}
		})
		return err
	}
	// No grace: the first rotation revokes at once, the second fails and
	// writes nothing.
	if err := rotate("a1", "n1", now, now); err != nil {
		t.Fatalf("rotate a1: %v", err)
	}
	wantRevoked(t, s, poolID, map[string]time.Time{"a1": now})
	wantErr(t, "rotating a1 again", rotate("a1", "n2", now, now), store.ErrRevoked)
	wantNoToken(t, s, poolID, "n2")
	// A grace period of a minute: a retry inside it succeeds and keeps the
	// first end; after it, the token is gone.
	grace := now.Add(time.Minute)
	if err := rotate("a2", "n3", now, grace); err != nil {
		t.Fatalf("rotate a2: %v", err)
	}
	if err := rotate("a2", "n4", now.Add(30*time.Second), now.Add(90*time.Second)); err != nil {
		t.Fatalf("rotate a2 inside its grace period: %v", err)
	}
	wantRevoked(t, s, poolID, map[string]time.Time{"a1": now, "a2": grace})
	wantErr(t, "rotating a2 after its grace period", rotate("a2", "n5", grace, grace), store.ErrRevoked)
	// Another user's token is not alice's to rotate.
	wantErr(t, "rotating bob's token", rotate("b1", "n6", now, now), store.ErrRevoked)
}

func testTokenRotateConcurrently(t *testing.T, s store.Store) {
	poolID := tokenFixture(t, s)
	now := t0.Add(time.Hour)
	const n = 20
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := update(t, s, poolID, "alice", func(c *store.UserChange) {
				c.RotateToken, c.RotatedAt, c.RevokedAt = "a1", now, now
				c.RefreshTokens = []store.RefreshToken{token(poolID, "alice", fmt.Sprintf("c%d", i), "f1")}
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrRevoked):
			t.Errorf("concurrent rotation: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent rotations of one token won, want exactly 1", won, n)
	}
}

func testTokenRevokeAll(t *testing.T, s store.Store) {
	poolID := tokenFixture(t, s)
	first := t0.Add(time.Minute)
	mustUpdate(t, s, poolID, "alice", func(c *store.UserChange) {
		c.RevokeTokens, c.RevokedAt = []string{"a2"}, first
	})
	at := t0.Add(time.Hour)
	mustUpdate(t, s, poolID, "alice", func(c *store.UserChange) {
		c.RevokeAllRefreshTokens, c.RevokedAt = true, at
		c.RefreshTokens = []store.RefreshToken{token(poolID, "alice", "a6", "f6")}
	})
	wantRevoked(t, s, poolID, map[string]time.Time{"a1": at, "a2": first, "a3": at, "a4": at})
	if tok := mustGetToken(t, s, poolID, "a6"); !tok.RevokedAt.IsZero() {
		t.Errorf("the token issued with RevokeAllRefreshTokens is revoked at %v", tok.RevokedAt)
	}
}

func testTokenRevokedAtRequired(t *testing.T, s store.Store) {
	poolID := tokenFixture(t, s)
	for _, edit := range []func(*store.UserChange){
		func(c *store.UserChange) { c.RevokeAllRefreshTokens = true },
		func(c *store.UserChange) { c.RevokeFamilies = []string{"f1"} },
		func(c *store.UserChange) { c.RevokeTokens = []string{"a1"} },
	} {
		if _, err := update(t, s, poolID, "alice", edit); err == nil {
			t.Error("a revocation with a zero RevokedAt succeeded, want an error")
		}
	}
	wantRevoked(t, s, poolID, nil)
}

func checkMessage(t *testing.T, what string, got, want store.Message) {
	t.Helper()
	if got.ID != want.ID || got.PoolID != want.PoolID || got.UserKey != want.UserKey || got.DeliveryMedium != want.DeliveryMedium ||
		got.Destination != want.Destination || got.AttributeName != want.AttributeName || got.TriggerSource != want.TriggerSource ||
		got.Subject != want.Subject || got.Delivered != want.Delivered || got.Attempts != want.Attempts || got.LastError != want.LastError {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
	checkBytes(t, what+": Body", got.Body, want.Body)
	checkBytes(t, what+": Code", got.Code, want.Code)
	checkTime(t, what+": CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, what+": NextAttemptAt", got.NextAttemptAt, want.NextAttemptAt)
}

func testOutboxRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	m1 := message(p.ID, "alice", "m1", t0)
	m1.NextAttemptAt = t0.Add(time.Minute)
	m2 := message(p.ID, "alice", "m2", t0.Add(time.Second))
	m2.Body, m2.Code = nil, nil
	m2.Delivered, m2.Attempts, m2.LastError = true, 2, "554 rejected"
	m2.DeliveryMedium, m2.Destination, m2.AttributeName = "SMS", "+15550100", "phone_number"
	createUser(t, s, store.UserChange{User: newUser(p.ID, "alice"), Messages: []store.Message{m1, m2}})
	ms, err := s.ListMessages(ctx, p.ID, "")
	if err != nil || len(ms) != 2 {
		t.Fatalf("ListMessages: %d messages, %v", len(ms), err)
	}
	checkMessage(t, "m1", ms[0], m1)
	checkMessage(t, "m2", ms[1], m2)
	// A message id is unique in its pool.
	_, err = update(t, s, p.ID, "alice", func(c *store.UserChange) { c.Messages = []store.Message{message(p.ID, "alice", "m1", t0)} })
	wantErr(t, "a message id used twice", err, store.ErrAlreadyExists)
}

func testOutboxOrder(t *testing.T, s store.Store) {
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	createUser(t, s, store.UserChange{User: newUser(a.ID, "alice")})
	createUser(t, s, store.UserChange{User: newUser(a.ID, "bob")})
	createUser(t, s, store.UserChange{User: newUser(b.ID, "alice")})
	// Written out of order, several in one change, some in the same
	// millisecond (then by id), a sub-millisecond difference that the
	// store does not keep.
	add := func(poolID, key string, ms ...store.Message) {
		mustUpdate(t, s, poolID, key, func(c *store.UserChange) { c.Messages = ms })
	}
	add(a.ID, "alice", message(a.ID, "alice", "01c", t0.Add(2*time.Second)), message(a.ID, "alice", "01a", t0.Add(time.Second)))
	add(a.ID, "bob", message(a.ID, "bob", "01b", t0.Add(time.Second+500*time.Microsecond)))
	add(a.ID, "alice", message(a.ID, "alice", "00z", t0), message(a.ID, "alice", "01A", t0.Add(time.Second)))
	add(b.ID, "alice", message(b.ID, "alice", "00a", t0), message(b.ID, "alice", "01b2", t0.Add(time.Second)))
	for _, tc := range []struct {
		poolID, key string
		want        []string
	}{
		{a.ID, "", []string{"00z", "01A", "01a", "01b", "01c"}},
		{a.ID, "alice", []string{"00z", "01A", "01a", "01c"}},
		{a.ID, "bob", []string{"01b"}},
		{a.ID, "carol", nil},
		{b.ID, "", []string{"00a", "01b2"}},
		{"us-east-1_nosuchone", "", nil},
	} {
		if got := messageIDs(t, s, tc.poolID, tc.key); !slices.Equal(got, tc.want) {
			t.Errorf("ListMessages(%q, %q) = %q, want %q", tc.poolID, tc.key, got, tc.want)
		}
	}
}

func testOutboxSurvivesDeleteUser(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	createUser(t, s, store.UserChange{User: newUser(p.ID, "alice"), Messages: []store.Message{message(p.ID, "alice", "m1", t0)}})
	if err := s.DeleteUser(t.Context(), p.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if got := messageIDs(t, s, p.ID, "alice"); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("messages of a deleted user: %q, want m1", got)
	}
	// Still deliverable.
	claimed, err := s.ClaimMessages(t.Context(), t0, time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Errorf("ClaimMessages after the user was deleted: %d, %v", len(claimed), err)
	}
}

func claimIDs(t *testing.T, s store.Store, now time.Time, lease time.Duration, limit int) []string {
	t.Helper()
	ms, err := s.ClaimMessages(t.Context(), now, lease, limit)
	if err != nil {
		t.Fatalf("ClaimMessages(%v, %v, %d): %v", now, lease, limit, err)
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	slices.Sort(ids)
	return ids
}

// outboxFixture writes messages for alice, created a second apart, due at
// the times given (zero: at once).
func outboxFixture(t *testing.T, s store.Store, due ...time.Time) string {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	var ms []store.Message
	for i, d := range due {
		m := message(p.ID, "alice", fmt.Sprintf("m%02d", i), t0.Add(time.Duration(i)*time.Second))
		m.NextAttemptAt = d
		ms = append(ms, m)
	}
	createUser(t, s, store.UserChange{User: newUser(p.ID, "alice"), Messages: ms})
	return p.ID
}

func testOutboxClaimDue(t *testing.T, s store.Store) {
	outboxFixture(t, s, time.Time{}, t0, t0.Add(time.Minute), t0.Add(time.Hour))
	if got := claimIDs(t, s, t0.Add(-time.Millisecond), time.Hour, 10); !slices.Equal(got, []string{"m00"}) {
		t.Errorf("claim before t0: %q, want the message due at once", got)
	}
	if got := claimIDs(t, s, t0, time.Hour, 10); !slices.Equal(got, []string{"m01"}) {
		t.Errorf("claim at t0: %q, want m01 (due at t0; m00 is leased)", got)
	}
	if got := claimIDs(t, s, t0.Add(time.Minute), time.Hour, 10); !slices.Equal(got, []string{"m02"}) {
		t.Errorf("claim at t0+1m: %q, want m02", got)
	}
	// The limit is respected; the most overdue go first.
	if got := claimIDs(t, s, t0.Add(2*time.Hour), time.Hour, 1); !slices.Equal(got, []string{"m00"}) {
		t.Errorf("claim of 1 at t0+2h: %q, want m00 (its lease ended, and it was due first)", got)
	}
	for _, bad := range []struct {
		lease time.Duration
		limit int
	}{{0, 10}, {-time.Second, 10}, {time.Minute, 0}} {
		if _, err := s.ClaimMessages(t.Context(), t0, bad.lease, bad.limit); err == nil {
			t.Errorf("ClaimMessages(lease %v, limit %d) succeeded, want an error", bad.lease, bad.limit)
		}
	}
}

func testOutboxClaimLease(t *testing.T, s store.Store) {
	outboxFixture(t, s, t0, t0)
	const lease = 30 * time.Second
	if got := claimIDs(t, s, t0, lease, 10); !slices.Equal(got, []string{"m00", "m01"}) {
		t.Fatalf("first claim: %q", got)
	}
	if got := claimIDs(t, s, t0.Add(lease-time.Millisecond), lease, 10); len(got) != 0 {
		t.Errorf("claim before the lease ended: %q, want nothing", got)
	}
	// The claimer that leased m00 reports a failure with a retry in a
	// minute: m00 is not due until then, however the lease stands.
	if err := s.FinishMessage(t.Context(), poolIDs[0], "m00", false, "timeout", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// m01's claimer vanished: its lease ends and someone else gets it,
	// for an hour this time.
	if got := claimIDs(t, s, t0.Add(lease), time.Hour, 10); !slices.Equal(got, []string{"m01"}) {
		t.Errorf("claim when the lease ended: %q, want m01", got)
	}
	if got := claimIDs(t, s, t0.Add(time.Minute), lease, 10); !slices.Equal(got, []string{"m00"}) {
		t.Errorf("claim at the retry time: %q, want m00 (m01 is leased again)", got)
	}
}

func testOutboxClaimAcrossPools(t *testing.T, s store.Store) {
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	createUser(t, s, store.UserChange{User: newUser(a.ID, "alice"), Messages: []store.Message{message(a.ID, "alice", "m1", t0)}})
	createUser(t, s, store.UserChange{User: newUser(b.ID, "alice"), Messages: []store.Message{message(b.ID, "alice", "m1", t0)}})
	ms, err := s.ClaimMessages(t.Context(), t0, time.Minute, 10)
	if err != nil || len(ms) != 2 {
		t.Fatalf("ClaimMessages: %d messages, %v; want one per pool", len(ms), err)
	}
	pools := []string{ms[0].PoolID, ms[1].PoolID}
	slices.Sort(pools)
	if want := []string{a.ID, b.ID}; !slices.Equal(pools, slices.Sorted(slices.Values(want))) {
		t.Errorf("claimed messages of pools %q, want %q", pools, want)
	}
	checkMessage(t, "claimed message", ms[0], message(ms[0].PoolID, "alice", "m1", t0))
	// Finishing one pool's m1 does not finish the other's.
	if err := s.FinishMessage(t.Context(), a.ID, "m1", true, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(t, s, t0.Add(time.Hour), time.Minute, 10); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("claim after pool A's m1 was delivered: %q, want pool B's m1", got)
	}
}

// Claimers racing for the same messages get disjoint sets, and between
// them claim every message.
func testOutboxClaimConcurrent(t *testing.T, s store.Store) {
	const n, claimers = 60, 8
	due := make([]time.Time, n)
	outboxFixture(t, s, due...)
	var (
		mu    sync.Mutex
		owner = map[string]int{}
		wg    sync.WaitGroup
	)
	for c := range claimers {
		wg.Go(func() {
			for {
				ms, err := s.ClaimMessages(t.Context(), t0, time.Hour, 3)
				if err != nil {
					t.Errorf("claimer %d: %v", c, err)
					return
				}
				if len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					if prev, ok := owner[m.ID]; ok {
						t.Errorf("message %s claimed by claimers %d and %d", m.ID, prev, c)
					}
					owner[m.ID] = c
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// A claimer may stop early when others took what it saw; whatever is
	// left is claimed here, and nothing twice.
	for _, id := range claimIDs(t, s, t0, time.Hour, n) {
		if prev, ok := owner[id]; ok {
			t.Errorf("message %s claimed again by the last claim (first by %d)", id, prev)
		}
		owner[id] = -1
	}
	if len(owner) != n {
		t.Errorf("%d messages claimed, want %d", len(owner), n)
	}
}

func testOutboxFinishDelivered(t *testing.T, s store.Store) {
	ctx := t.Context()
	poolID := outboxFixture(t, s, t0, t0)
	claimIDs(t, s, t0, time.Minute, 10)
	if err := s.FinishMessage(ctx, poolID, "m00", true, "", t0); err != nil {
		t.Fatalf("FinishMessage: %v", err)
	}
	// Never claimed again, however late.
	if got := claimIDs(t, s, t0.Add(24*time.Hour), time.Minute, 10); !slices.Equal(got, []string{"m01"}) {
		t.Errorf("claim a day later: %q, want only m01", got)
	}
	// A late failure report from a claimer whose lease ran out does not
	// undo the delivery.
	if err := s.FinishMessage(ctx, poolID, "m00", false, "late failure", t0); err != nil {
		t.Errorf("FinishMessage(failed) of a delivered message: %v", err)
	}
	if got := claimIDs(t, s, t0.Add(48*time.Hour), time.Minute, 10); !slices.Equal(got, []string{"m01"}) {
		t.Errorf("claim after a late failure report: %q, want only m01", got)
	}
	ms, err := s.ListMessages(ctx, poolID, "")
	if err != nil || len(ms) != 2 {
		t.Fatalf("ListMessages: %v", err)
	}
	if !ms[0].Delivered || ms[0].Attempts != 1 || ms[0].LastError != "" {
		t.Errorf("delivered message: Delivered %t, Attempts %d, LastError %q; want true, 1, \"\"", ms[0].Delivered, ms[0].Attempts, ms[0].LastError)
	}
}

func testOutboxFinishFailed(t *testing.T, s store.Store) {
	ctx := t.Context()
	poolID := outboxFixture(t, s, t0)
	next := t0.Add(5 * time.Minute)
	for attempt := 1; attempt <= 3; attempt++ {
		now := t0.Add(time.Duration(attempt-1) * 5 * time.Minute)
		if got := claimIDs(t, s, now, time.Hour, 10); !slices.Equal(got, []string{"m00"}) {
			t.Fatalf("attempt %d: claim at %v: %q", attempt, now, got)
		}
		next = now.Add(5 * time.Minute)
		if err := s.FinishMessage(ctx, poolID, "m00", false, fmt.Sprintf("error %d", attempt), next); err != nil {
			t.Fatal(err)
		}
		// Not before next, even though the lease was ended.
		if got := claimIDs(t, s, next.Add(-time.Millisecond), time.Hour, 10); len(got) != 0 {
			t.Fatalf("attempt %d: claimed before its next attempt: %q", attempt, got)
		}
	}
	ms, err := s.ListMessages(ctx, poolID, "")
	if err != nil || len(ms) != 1 {
		t.Fatalf("ListMessages: %v", err)
	}
	if ms[0].Delivered || ms[0].Attempts != 3 || ms[0].LastError != "error 3" {
		t.Errorf("after 3 failures: Delivered %t, Attempts %d, LastError %q", ms[0].Delivered, ms[0].Attempts, ms[0].LastError)
	}
	checkTime(t, "NextAttemptAt after 3 failures", ms[0].NextAttemptAt, next)
}

func testOutboxFinishMissing(t *testing.T, s store.Store) {
	poolID := outboxFixture(t, s, t0)
	wantErr(t, "FinishMessage of a missing message", s.FinishMessage(t.Context(), poolID, "nosuchid", true, "", t0), store.ErrNotFound)
	wantErr(t, "FinishMessage through another pool", s.FinishMessage(t.Context(), poolIDs[1], "m00", true, "", t0), store.ErrNotFound)
	if got := claimIDs(t, s, t0, time.Minute, 10); !slices.Equal(got, []string{"m00"}) {
		t.Errorf("claim after the failed finishes: %q, want m00", got)
	}
}

func checkKeys(t *testing.T, what string, got, want []store.SigningKey) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d keys, want %d", what, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.PoolID != w.PoolID || g.KID != w.KID || g.Use != w.Use {
			t.Errorf("%s[%d]: got (%q, %q, %q), want (%q, %q, %q)", what, i, g.PoolID, g.KID, g.Use, w.PoolID, w.KID, w.Use)
		}
		checkTime(t, what+": CreatedAt", g.CreatedAt, w.CreatedAt)
		checkBytes(t, what+": Private", g.Private, w.Private)
		checkBytes(t, what+": Public", g.Public, w.Public)
	}
}

func signingKey(poolID, kid, use string, created time.Time) store.SigningKey {
	return store.SigningKey{PoolID: poolID, KID: kid, Use: use, CreatedAt: created,
		Private: []byte{0, 0xfe, 0xff, byte(len(kid))}, Public: []byte(`{"kty":"RSA","kid":"` + kid + `"}`)}
}

func testSigningKeyRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	if got, err := s.ListSigningKeys(ctx, a.ID); err != nil || len(got) != 0 {
		t.Fatalf("ListSigningKeys of a pool without keys: %d, %v", len(got), err)
	}
	k1 := signingKey(a.ID, "kid-b", "access", t0)
	k2 := signingKey(a.ID, "kid-a", "id", t0) // same time: by kid
	k3 := signingKey(a.ID, "kid-0", "access", t0.Add(time.Hour))
	k3.Private = nil
	kb := signingKey(b.ID, "kid-b", "access", t0) // the same kid in another pool
	if err := s.AddSigningKeys(ctx, k3, k1); err != nil {
		t.Fatalf("AddSigningKeys: %v", err)
	}
	if err := s.AddSigningKeys(ctx, k2, kb); err != nil {
		t.Fatalf("AddSigningKeys: %v", err)
	}
	if err := s.AddSigningKeys(ctx); err != nil {
		t.Errorf("AddSigningKeys of nothing: %v", err)
	}
	got, err := s.ListSigningKeys(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkKeys(t, "pool A's keys", got, []store.SigningKey{k2, k1, k3})
	got, err = s.ListSigningKeys(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkKeys(t, "pool B's keys", got, []store.SigningKey{kb})
}

func testSigningKeyErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	k := signingKey(p.ID, "kid-1", "access", t0)
	if err := s.AddSigningKeys(ctx, k); err != nil {
		t.Fatal(err)
	}
	// A batch with one bad key stores none of them.
	fresh := signingKey(p.ID, "kid-2", "id", t0)
	wantErr(t, "AddSigningKeys with a taken kid", s.AddSigningKeys(ctx, fresh, k), store.ErrAlreadyExists)
	wantErr(t, "AddSigningKeys in a missing pool", s.AddSigningKeys(ctx, fresh, signingKey("us-east-1_nosuchone", "kid-3", "id", t0)), store.ErrNotFound)
	got, err := s.ListSigningKeys(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkKeys(t, "keys after failed adds", got, []store.SigningKey{k})
}

func testMetaGetPut(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.GetMeta(ctx, "keyring")
	wantErr(t, "GetMeta of a missing key", err, store.ErrNotFound)
	v1 := []byte{0, 1, 2, 0xff, 'x'}
	if err := s.PutMeta(ctx, "keyring", v1); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMeta(ctx, "clock", []byte("1500")); err != nil {
		t.Fatal(err)
	}
	get := func(key string, want []byte) {
		t.Helper()
		got, err := s.GetMeta(ctx, key)
		if err != nil {
			t.Fatalf("GetMeta(%q): %v", key, err)
		}
		checkBytes(t, "GetMeta("+key+")", got, want)
	}
	get("keyring", v1)
	get("clock", []byte("1500"))
	if err := s.PutMeta(ctx, "clock", []byte("0")); err != nil {
		t.Fatal(err)
	}
	get("clock", []byte("0"))
	if err := s.PutMeta(ctx, "empty", nil); err != nil {
		t.Fatal(err)
	}
	get("empty", nil) // present, empty: not ErrNotFound
	get("keyring", v1)
}

func testMetaPutIfAbsent(t *testing.T, s store.Store) {
	ctx := t.Context()
	got, err := s.PutMetaIfAbsent(ctx, "keyring", []byte("first"))
	if err != nil || string(got) != "first" {
		t.Fatalf("PutMetaIfAbsent on a missing key: %q, %v; want first", got, err)
	}
	got, err = s.PutMetaIfAbsent(ctx, "keyring", []byte("second"))
	if err != nil || string(got) != "first" {
		t.Errorf("PutMetaIfAbsent on a present key: %q, %v; want the stored first", got, err)
	}
	if err := s.PutMeta(ctx, "keyring", []byte("replaced")); err != nil {
		t.Fatal(err)
	}
	got, err = s.PutMetaIfAbsent(ctx, "keyring", []byte("third"))
	if err != nil || string(got) != "replaced" {
		t.Errorf("PutMetaIfAbsent after PutMeta: %q, %v; want replaced", got, err)
	}
}

// Instances starting together each propose a keyring; all must end up
// with the same one, the one stored.
func testMetaPutIfAbsentConcurrent(t *testing.T, s store.Store) {
	const callers = 16
	results := make([][]byte, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			got, err := s.PutMetaIfAbsent(t.Context(), "keyring", fmt.Appendf(nil, "proposal %d", i))
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
			results[i] = got
		})
	}
	close(start)
	wg.Wait()
	stored, err := s.GetMeta(t.Context(), "keyring")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(stored, []byte("proposal ")) {
		t.Fatalf("stored value %q is nobody's proposal", stored)
	}
	for i, r := range results {
		if !bytes.Equal(r, stored) {
			t.Errorf("caller %d got %q, but %q is stored", i, r, stored)
		}
	}
}

// Deleting a pool removes its users with everything that hangs off them,
// and its messages and keys, and leaves other pools alone.
func testPoolDeleteCascadesUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	for _, p := range []string{a.ID, b.ID} {
		for _, key := range []string{"alice", "bob"} {
			createUser(t, s, store.UserChange{User: newUser(p, key),
				Messages:      []store.Message{message(p, key, "m-"+key, t0)},
				RefreshTokens: []store.RefreshToken{token(p, key, "h-"+key, "f")}})
		}
		if err := s.AddSigningKeys(ctx, signingKey(p, "kid", "access", t0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteUserPool(ctx, a.ID); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	check := func(poolID string, wantUsers int) {
		t.Helper()
		if n, err := s.CountUsers(ctx, poolID); err != nil || n != wantUsers {
			t.Errorf("CountUsers(%q) = %d, %v; want %d", poolID, n, err, wantUsers)
		}
		if ids := messageIDs(t, s, poolID, ""); len(ids) != wantUsers {
			t.Errorf("messages of %q: %q, want %d", poolID, ids, wantUsers)
		}
		keys, err := s.ListSigningKeys(ctx, poolID)
		if err != nil || len(keys) != min(wantUsers, 1) {
			t.Errorf("signing keys of %q: %d, %v", poolID, len(keys), err)
		}
		for _, key := range []string{"alice", "bob"} {
			_, err := s.GetRefreshToken(ctx, poolID, "h-"+key)
			_, uerr := s.GetUserByAlias(ctx, poolID, "email", key+"@example.com")
			if wantUsers == 0 {
				wantErr(t, "token of a deleted pool", err, store.ErrNotFound)
				wantErr(t, "alias of a deleted pool", uerr, store.ErrNotFound)
			} else if err != nil || uerr != nil {
				t.Errorf("pool %q: token %v, alias %v", poolID, err, uerr)
			}
		}
	}
	check(a.ID, 0)
	check(b.ID, 2)
	if claimed := claimIDs(t, s, t0, time.Minute, 10); len(claimed) != 2 {
		t.Errorf("claimable messages after the delete: %q, want pool B's two", claimed)
	}
	// Recreated, the pool is empty and every key, sub and alias is free.
	createPool(t, s, a)
	check(a.ID, 0)
	createUser(t, s, store.UserChange{User: newUser(a.ID, "alice"), RefreshTokens: []store.RefreshToken{token(a.ID, "alice", "h-alice", "f")}})
	if err := s.AddSigningKeys(ctx, signingKey(a.ID, "kid", "access", t0)); err != nil {
		t.Errorf("AddSigningKeys in the recreated pool: %v", err)
	}
}

// testUserUpdateEachColumn changes one field at a time (a store may write
// only what changed) and checks each lands, in the row and in the indexes
// ListUsers and the lookups use, and that an update changing nothing is
// no error and changes nothing.
func testUserUpdateEachColumn(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	base := newUser(p.ID, "alice")
	createUser(t, s, store.UserChange{User: base})
	steps := []struct {
		what   string
		change func(u *store.User)
	}{
		{"nothing", func(u *store.User) {}},
		{"username", func(u *store.User) { u.Username = "Alicia" }},
		{"status", func(u *store.User) { u.Status = "FORCE_CHANGE_PASSWORD" }},
		{"enabled", func(u *store.User) { u.Enabled = false }},
		{"created", func(u *store.User) { u.CreatedAt = t0.Add(-time.Hour) }},
		{"updated", func(u *store.User) { u.UpdatedAt = t0.Add(time.Hour) }},
		{"data", func(u *store.User) { u.Data = []byte(`{"changed":true}`) }},
		{"one filter value", func(u *store.User) {
			u.Filter = map[string]string{"email": "new@example.com", "name": "Name of alice", "phone_number": "+1555alice"}
		}},
		{"a filter value added", func(u *store.User) { u.Filter["given_name"] = "Al" }},
		{"a filter value removed", func(u *store.User) { delete(u.Filter, "name") }},
		{"an alias", func(u *store.User) { u.Aliases = map[string]string{"email": "new@example.com"} }},
	}
	want := base
	for _, st := range steps {
		got, err := s.UpdateUser(ctx, p.ID, base.Key, func(u store.User) (store.UserChange, error) {
			st.change(&u)
			return store.UserChange{User: u}, nil
		})
		if err != nil {
			t.Fatalf("%s: UpdateUser: %v", st.what, err)
		}
		st.change(&want)
		checkUser(t, st.what+" (returned)", got, want)
		checkUser(t, st.what+" (read back)", mustGetUser(t, s, p.ID, base.Key), want)
	}
	for attr, value := range map[string]string{"email": "new@example.com", "given_name": "Al", "username": "Alicia", "cognito:user_status": "FORCE_CHANGE_PASSWORD", "status": "false"} {
		page, err := s.ListUsers(ctx, p.ID, store.UserQuery{Attribute: attr, Value: value, Limit: 10})
		if err != nil || len(page.Users) != 1 || page.Users[0].Key != base.Key {
			t.Errorf("ListUsers %s = %q after the updates: %d users, %v", attr, value, len(page.Users), err)
		}
	}
	for attr, value := range map[string]string{"email": base.Filter["email"], "name": base.Filter["name"], "username": base.Username} {
		page, err := s.ListUsers(ctx, p.ID, store.UserQuery{Attribute: attr, Value: value, Limit: 10})
		if err != nil || len(page.Users) != 0 {
			t.Errorf("ListUsers %s = %q still finds the old value: %d users, %v", attr, value, len(page.Users), err)
		}
	}
	if _, err := s.GetUserByAlias(ctx, p.ID, "email", "new@example.com"); err != nil {
		t.Errorf("the new email alias is not found: %v", err)
	}
}
