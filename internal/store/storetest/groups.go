package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store"
)

// groupTests are the groups of the suite for store.GroupStore.
func groupTests() []testGroup {
	return []testGroup{
		{"Group", []namedTest{
			{"CRUD", testGroupCRUD},
			{"RoundTrip", testGroupRoundTrip},
			{"CreateDuplicate", testGroupCreateDuplicate},
			{"MissingPool", testGroupMissingPool},
			{"Missing", testGroupMissing},
			{"UpdaterError", testGroupUpdaterError},
			{"KeyImmutable", testGroupKeyImmutable},
			{"ConcurrentUpdates", testGroupConcurrentUpdates},
			{"List", testGroupList},
			{"BadCursor", testGroupBadCursor},
			{"PoolQuota", testGroupPoolQuota},
		}},
		{"GroupMember", []namedTest{
			{"AddRemove", testMemberAddRemove},
			{"Missing", testMemberMissing},
			{"Pagination", testMemberPagination},
			{"TokenOrder", testMemberTokenOrder},
			{"Scoping", testMemberScoping},
			{"DeleteUserCascades", testMemberDeleteUser},
			{"DeleteGroupCascades", testMemberDeleteGroup},
			{"DeletePoolCascades", testMemberDeletePool},
			{"UserQuota", testMemberUserQuota},
		}},
	}
}

func prec(v int32) *int32 { return &v }

func group(poolID, name string, precedence *int32) store.Group {
	return store.Group{
		PoolID: poolID, Name: name, Description: "the " + name + " group",
		Precedence: precedence, RoleArn: "arn:aws:iam::123456789012:role/" + name,
		CreatedAt: t0, UpdatedAt: t0.Add(time.Minute),
	}
}

func createGroup(t *testing.T, s store.Store, g store.Group) {
	t.Helper()
	if err := s.CreateGroup(t.Context(), g, 0); err != nil {
		t.Fatalf("CreateGroup(%q, %q): %v", g.PoolID, g.Name, err)
	}
}

func mustGetGroup(t *testing.T, s store.Store, poolID, name string) store.Group {
	t.Helper()
	g, err := s.GetGroup(t.Context(), poolID, name)
	if err != nil {
		t.Fatalf("GetGroup(%q, %q): %v", poolID, name, err)
	}
	return g
}

func addMember(t *testing.T, s store.Store, poolID, group, key string) {
	t.Helper()
	if err := s.AddUserToGroup(t.Context(), poolID, group, key, 0); err != nil {
		t.Fatalf("AddUserToGroup(%q, %q, %q): %v", poolID, group, key, err)
	}
}

// checkGroup compares every field, times to the millisecond in UTC.
func checkGroup(t *testing.T, what string, got, want store.Group) {
	t.Helper()
	if got.PoolID != want.PoolID || got.Name != want.Name || got.Description != want.Description || got.RoleArn != want.RoleArn {
		t.Errorf("%s: got group (%q, %q, %q, %q), want (%q, %q, %q, %q)", what,
			got.PoolID, got.Name, got.Description, got.RoleArn, want.PoolID, want.Name, want.Description, want.RoleArn)
	}
	switch {
	case (got.Precedence == nil) != (want.Precedence == nil):
		t.Errorf("%s: Precedence %s, want %s", what, precString(got.Precedence), precString(want.Precedence))
	case got.Precedence != nil && *got.Precedence != *want.Precedence:
		t.Errorf("%s: Precedence %d, want %d", what, *got.Precedence, *want.Precedence)
	}
	checkTime(t, what+": CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, what+": UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

func precString(p *int32) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func groupNames(gs []store.Group) []string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return names
}

func userKeys(us []store.User) []string {
	keys := make([]string, len(us))
	for i, u := range us {
		keys[i] = u.Key
	}
	return keys
}

func testGroupCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	g := group(p.ID, "admins", prec(3))
	createGroup(t, s, g)
	checkGroup(t, "GetGroup after create", mustGetGroup(t, s, p.ID, g.Name), g)

	want := g
	want.Description, want.RoleArn, want.Precedence = "", "", nil
	want.UpdatedAt = t0.Add(time.Hour)
	got, err := s.UpdateGroup(ctx, p.ID, g.Name, func(cur store.Group) (store.Group, error) {
		checkGroup(t, "record given to the updater", cur, g)
		return want, nil
	})
	if err != nil {
		t.Fatalf("UpdateGroup: %v", err)
	}
	checkGroup(t, "UpdateGroup result", got, want)
	checkGroup(t, "GetGroup after update", mustGetGroup(t, s, p.ID, g.Name), want)

	want.Precedence = prec(0) // zero is a precedence, not "none"
	if _, err := s.UpdateGroup(ctx, p.ID, g.Name, func(store.Group) (store.Group, error) { return want, nil }); err != nil {
		t.Fatalf("UpdateGroup: %v", err)
	}
	checkGroup(t, "GetGroup after setting precedence 0", mustGetGroup(t, s, p.ID, g.Name), want)

	if err := s.DeleteGroup(ctx, p.ID, g.Name); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	_, err = s.GetGroup(ctx, p.ID, g.Name)
	wantErr(t, "GetGroup after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteGroup twice", s.DeleteGroup(ctx, p.ID, g.Name), store.ErrNotFound)
	createGroup(t, s, g) // the name is free again
}

func testGroupRoundTrip(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	for i, tc := range roundTripCases() {
		g := store.Group{
			PoolID: p.ID, Name: fmt.Sprintf("Grüppe — %d \U0001F389 \"q\" \\", i),
			Description: "Ünïcode — " + tc.name + "\n\ttabs and \"quotes\"",
			CreatedAt:   tc.created, UpdatedAt: tc.updated,
		}
		switch i {
		case 0:
			g.Precedence = prec(1<<31 - 1) // Cognito's maximum
		case 1:
			g.Precedence = prec(0)
			g.RoleArn = "arn:aws:iam::123456789012:role/path/to/role"
		}
		createGroup(t, s, g)
		checkGroup(t, tc.name, mustGetGroup(t, s, p.ID, g.Name), g)
	}
}

// Names are unique in a pool and case sensitive; other pools are apart.
func testGroupCreateDuplicate(t *testing.T, s store.Store) {
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	g := group(a.ID, "admins", prec(1))
	createGroup(t, s, g)
	dup := g
	dup.Description, dup.Precedence = "impostor", nil
	wantErr(t, "CreateGroup with a taken name", s.CreateGroup(t.Context(), dup, 0), store.ErrAlreadyExists)
	checkGroup(t, "original after duplicate create", mustGetGroup(t, s, a.ID, g.Name), g)
	for _, other := range []store.Group{group(a.ID, "Admins", nil), group(a.ID, "ADMINS", nil), group(b.ID, "admins", prec(9))} {
		createGroup(t, s, other)
		checkGroup(t, "group "+other.Name+" of "+other.PoolID, mustGetGroup(t, s, other.PoolID, other.Name), other)
	}
	checkGroup(t, "original after the others", mustGetGroup(t, s, a.ID, g.Name), g)
}

func testGroupMissingPool(t *testing.T, s store.Store) {
	createPool(t, s, pool(poolIDs[0]))
	err := s.CreateGroup(t.Context(), group("us-east-1_nosuchone", "admins", nil), 0)
	wantErr(t, "CreateGroup in a missing pool", err, store.ErrNotFound)
}

func testGroupMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	createGroup(t, s, group(p.ID, "admins", nil))
	for _, key := range []struct{ pool, name string }{
		{p.ID, "nobody"},
		{p.ID, "Admins"}, // names are case sensitive
		{p.ID, "admins\xff"},
		{"us-east-1_nosuchone", "admins"},
	} {
		what := fmt.Sprintf("(%q, %q)", key.pool, key.name)
		_, err := s.GetGroup(ctx, key.pool, key.name)
		wantErr(t, "GetGroup"+what, err, store.ErrNotFound)
		called := false
		_, err = s.UpdateGroup(ctx, key.pool, key.name, func(g store.Group) (store.Group, error) {
			called = true
			return g, nil
		})
		wantErr(t, "UpdateGroup"+what, err, store.ErrNotFound)
		if called {
			t.Errorf("UpdateGroup%s called the updater", what)
		}
		wantErr(t, "DeleteGroup"+what, s.DeleteGroup(ctx, key.pool, key.name), store.ErrNotFound)
	}
}

func testGroupUpdaterError(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	g := group(p.ID, "admins", prec(1))
	createGroup(t, s, g)
	myErr := &updaterErr{msg: "rejected"}
	_, err := s.UpdateGroup(t.Context(), p.ID, g.Name, func(cur store.Group) (store.Group, error) {
		cur.Description = "must not be written"
		return cur, myErr
	})
	if err != myErr {
		t.Errorf("UpdateGroup returned %v (%T), want the updater's error unchanged", err, err)
	}
	checkGroup(t, "group after a failed update", mustGetGroup(t, s, p.ID, g.Name), g)
}

func testGroupKeyImmutable(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	createPool(t, s, pool(poolIDs[1]))
	g := group(p.ID, "admins", prec(1))
	createGroup(t, s, g)
	for _, edit := range []func(*store.Group){
		func(g *store.Group) { g.Name = "renamed" },
		func(g *store.Group) { g.PoolID = poolIDs[1] },
	} {
		_, err := s.UpdateGroup(t.Context(), p.ID, g.Name, func(cur store.Group) (store.Group, error) {
			cur.Description = "must not be written"
			edit(&cur)
			return cur, nil
		})
		if err == nil {
			t.Error("UpdateGroup accepted an updater that moved the group")
		}
	}
	checkGroup(t, "group after rejected updates", mustGetGroup(t, s, p.ID, g.Name), g)
	_, err := s.GetGroup(t.Context(), p.ID, "renamed")
	wantErr(t, "GetGroup of the name an updater tried", err, store.ErrNotFound)
}

// Concurrent updaters each append to the description; none is lost.
func testGroupConcurrentUpdates(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	g := group(p.ID, "admins", nil)
	g.Description = ""
	createGroup(t, s, g)
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := s.UpdateGroup(t.Context(), p.ID, g.Name, func(cur store.Group) (store.Group, error) {
				cur.Description += fmt.Sprintf("[%d]", i)
				return cur, nil
			})
			if err != nil {
				t.Errorf("UpdateGroup %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	got := mustGetGroup(t, s, p.ID, g.Name).Description
	for i := range n {
		if strings.Count(got, fmt.Sprintf("[%d]", i)) != 1 {
			t.Errorf("description %q lost or repeated update %d", got, i)
		}
	}
}

// listAll walks a list through its cursors with pages of limit and returns
// the names or keys in the order listed.
func listAll(t *testing.T, what string, limit int, page func(cursor string) ([]string, string, error)) []string {
	t.Helper()
	var all []string
	cursor := ""
	for n := 0; ; n++ {
		items, next, err := page(cursor)
		if err != nil {
			t.Fatalf("%s (limit %d, page %d): %v", what, limit, n, err)
		}
		if len(items) > limit {
			t.Fatalf("%s: a page of %d items with limit %d", what, len(items), limit)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if len(items) == 0 || n > 100 {
			t.Fatalf("%s: an empty page with a cursor, or a list that does not end", what)
		}
		cursor = next
	}
}

func listGroups(t *testing.T, s store.Store, poolID string, limit int) []string {
	return listAll(t, "ListGroups", limit, func(c string) ([]string, string, error) {
		p, err := s.ListGroups(t.Context(), poolID, limit, c)
		return groupNames(p.Groups), p.Next, err
	})
}

// Mixed case and non-ASCII names, so that byte order differs from any
// linguistic or case-folded order.
var groupNamesSet = []string{"admins", "Admins", "ZZ-top", "éditeurs", "a", "b_b", "0-zero", "Éditeurs", "\U0001F389party", "a.b"}

func testGroupList(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	page, err := s.ListGroups(ctx, a.ID, 10, "")
	if err != nil || len(page.Groups) != 0 || page.Next != "" {
		t.Fatalf("ListGroups of a pool without groups: %v, %q, %v", groupNames(page.Groups), page.Next, err)
	}
	want := map[string]store.Group{}
	for i, name := range groupNamesSet {
		g := group(a.ID, name, prec(int32(len(groupNamesSet)-i)))
		createGroup(t, s, g)
		want[name] = g
	}
	createGroup(t, s, group(b.ID, "only-in-b", nil))
	sorted := slices.Sorted(slices.Values(groupNamesSet))
	for _, limit := range []int{1, 2, 3, len(sorted), 100} {
		if got := listGroups(t, s, a.ID, limit); !slices.Equal(got, sorted) {
			t.Errorf("ListGroups with limit %d: %q, want %q (byte order)", limit, got, sorted)
		}
	}
	page, err = s.ListGroups(ctx, a.ID, len(sorted), "")
	if err != nil || page.Next != "" {
		t.Errorf("ListGroups with a limit of exactly the count: next %q, %v; want no next page", page.Next, err)
	}
	for _, g := range page.Groups {
		checkGroup(t, "listed group", g, want[g.Name])
	}
	if got := listGroups(t, s, b.ID, 10); !slices.Equal(got, []string{"only-in-b"}) {
		t.Errorf("ListGroups of pool B: %q", got)
	}
	// A cursor stays valid when the group it names is deleted, and groups
	// added behind it appear on later pages.
	first, err := s.ListGroups(ctx, a.ID, 3, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteGroup(ctx, a.ID, first.Groups[2].Name); err != nil {
		t.Fatal(err)
	}
	createGroup(t, s, group(a.ID, "zzz-new", nil))
	rest := listAll(t, "ListGroups after changes", 3, func(c string) ([]string, string, error) {
		if c == "" {
			c = first.Next
		}
		p, err := s.ListGroups(ctx, a.ID, 3, c)
		return groupNames(p.Groups), p.Next, err
	})
	if wantRest := slices.Sorted(slices.Values(append(slices.Clone(sorted[3:]), "zzz-new"))); !slices.Equal(rest, wantRest) {
		t.Errorf("pages after the first, after a delete and a create: %q, want %q", rest, wantRest)
	}
}

func testGroupBadCursor(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	for _, p := range []string{a.ID, b.ID} {
		for _, name := range []string{"g1", "g2", "g3"} {
			createGroup(t, s, group(p, name, nil))
		}
		createUser(t, s, store.UserChange{User: newUser(p, "alice")})
		createUser(t, s, store.UserChange{User: newUser(p, "bob")})
		for _, name := range []string{"g1", "g2", "g3"} {
			addMember(t, s, p, name, "alice")
			addMember(t, s, p, "g1", "bob")
		}
	}
	groups, err := s.ListGroups(ctx, a.ID, 1, "")
	if err != nil || groups.Next == "" {
		t.Fatalf("ListGroups: %v, next %q", err, groups.Next)
	}
	forUser, err := s.ListGroupsForUser(ctx, a.ID, "alice", 1, "")
	if err != nil || forUser.Next == "" {
		t.Fatalf("ListGroupsForUser: %v, next %q", err, forUser.Next)
	}
	inGroup, err := s.ListUsersInGroup(ctx, a.ID, "g1", 1, "")
	if err != nil || inGroup.Next == "" {
		t.Fatalf("ListUsersInGroup: %v, next %q", err, inGroup.Next)
	}
	bad := []string{"not base64!", "bm90IGpzb24", groups.Next + "x"}
	for _, c := range append(bad, forUser.Next, inGroup.Next) {
		_, err := s.ListGroups(ctx, a.ID, 1, c)
		wantErr(t, fmt.Sprintf("ListGroups with cursor %q", c), err, store.ErrBadCursor)
	}
	_, err = s.ListGroups(ctx, b.ID, 1, groups.Next)
	wantErr(t, "ListGroups of pool B with a cursor of pool A", err, store.ErrBadCursor)
	for _, c := range append(bad, groups.Next, inGroup.Next) {
		_, err := s.ListGroupsForUser(ctx, a.ID, "alice", 1, c)
		wantErr(t, fmt.Sprintf("ListGroupsForUser with cursor %q", c), err, store.ErrBadCursor)
	}
	_, err = s.ListGroupsForUser(ctx, a.ID, "bob", 1, forUser.Next)
	wantErr(t, "ListGroupsForUser of another user with alice's cursor", err, store.ErrBadCursor)
	for _, c := range append(bad, groups.Next, forUser.Next) {
		_, err := s.ListUsersInGroup(ctx, a.ID, "g1", 1, c)
		wantErr(t, fmt.Sprintf("ListUsersInGroup with cursor %q", c), err, store.ErrBadCursor)
	}
	_, err = s.ListUsersInGroup(ctx, a.ID, "g2", 1, inGroup.Next)
	wantErr(t, "ListUsersInGroup of another group with g1's cursor", err, store.ErrBadCursor)
	for _, limit := range []int{0, -1} {
		if _, err := s.ListGroups(ctx, a.ID, limit, ""); err == nil {
			t.Errorf("ListGroups with limit %d: no error", limit)
		}
	}
}

func memberFixture(t *testing.T, s store.Store) string {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	for _, key := range []string{"alice", "bob", "carol"} {
		createUser(t, s, store.UserChange{User: newUser(p.ID, key)})
	}
	for _, name := range []string{"admins", "editors", "readers"} {
		createGroup(t, s, group(p.ID, name, nil))
	}
	return p.ID
}

func wantGroupsOf(t *testing.T, s store.Store, poolID, key string, want ...string) {
	t.Helper()
	page, err := s.ListGroupsForUser(t.Context(), poolID, key, 100, "")
	if err != nil {
		t.Fatalf("ListGroupsForUser(%q, %q): %v", poolID, key, err)
	}
	if got := groupNames(page.Groups); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
		t.Errorf("groups of %q in %q: %q, want %q", key, poolID, got, want)
	}
}

func wantMembers(t *testing.T, s store.Store, poolID, group string, want ...string) {
	t.Helper()
	page, err := s.ListUsersInGroup(t.Context(), poolID, group, 100, "")
	if err != nil {
		t.Fatalf("ListUsersInGroup(%q, %q): %v", poolID, group, err)
	}
	if got := userKeys(page.Users); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
		t.Errorf("members of %q in %q: %q, want %q", group, poolID, got, want)
	}
}

// Adding twice and removing twice are no errors and change nothing more.
func testMemberAddRemove(t *testing.T, s store.Store) {
	ctx := t.Context()
	poolID := memberFixture(t, s)
	addMember(t, s, poolID, "editors", "bob")
	addMember(t, s, poolID, "admins", "bob")
	addMember(t, s, poolID, "admins", "bob")
	addMember(t, s, poolID, "admins", "alice")
	wantGroupsOf(t, s, poolID, "bob", "admins", "editors")
	wantMembers(t, s, poolID, "admins", "alice", "bob")
	page, err := s.ListUsersInGroup(ctx, poolID, "admins", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	checkUser(t, "a listed member", page.Users[1], newUser(poolID, "bob"))
	checkGroup(t, "a listed group", mustGetGroup(t, s, poolID, "admins"), group(poolID, "admins", nil))
	forUser, err := s.ListGroupsForUser(ctx, poolID, "bob", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	checkGroup(t, "a group listed for a user", forUser.Groups[0], group(poolID, "admins", nil))

	for range 2 {
		if err := s.RemoveUserFromGroup(ctx, poolID, "admins", "bob"); err != nil {
			t.Fatalf("RemoveUserFromGroup: %v", err)
		}
	}
	if err := s.RemoveUserFromGroup(ctx, poolID, "readers", "carol"); err != nil {
		t.Errorf("RemoveUserFromGroup of a non-member: %v", err)
	}
	wantGroupsOf(t, s, poolID, "bob", "editors")
	wantMembers(t, s, poolID, "admins", "alice")
	wantGroupsOf(t, s, poolID, "carol")
	// The users and groups themselves are untouched.
	checkUser(t, "bob after membership changes", mustGetUser(t, s, poolID, "bob"), newUser(poolID, "bob"))
	checkGroup(t, "admins after membership changes", mustGetGroup(t, s, poolID, "admins"), group(poolID, "admins", nil))
}

func testMemberMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	poolID := memberFixture(t, s)
	for _, tc := range []struct{ pool, group, key string }{
		{poolID, "nobody", "alice"},
		{poolID, "Admins", "alice"}, // group names are case sensitive
		{poolID, "admins", "nobody"},
		{poolID, "admins", "Alice"}, // keys are exact
		{poolID, "admins\xff", "alice"},
		{"us-east-1_nosuchone", "admins", "alice"},
	} {
		what := fmt.Sprintf("(%q, %q, %q)", tc.pool, tc.group, tc.key)
		wantErr(t, "AddUserToGroup"+what, s.AddUserToGroup(ctx, tc.pool, tc.group, tc.key, 0), store.ErrNotFound)
		if err := s.RemoveUserFromGroup(ctx, tc.pool, tc.group, tc.key); err != nil {
			t.Errorf("RemoveUserFromGroup%s: %v", what, err)
		}
	}
	wantMembers(t, s, poolID, "admins")
	wantMembers(t, s, poolID, "nobody")
	wantGroupsOf(t, s, poolID, "nobody")
	wantGroupsOf(t, s, poolID, "bad\xffkey")
	if gs, err := s.UserGroups(ctx, poolID, "nobody"); err != nil || len(gs) != 0 {
		t.Errorf("UserGroups of a missing user: %q, %v", groupNames(gs), err)
	}
}

func testMemberPagination(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := pool(poolIDs[0])
	createPool(t, s, p)
	keys := []string{"user-b", "User-a", "user-a", "zed", "émile", "0day", "user_c"}
	for _, key := range keys {
		createUser(t, s, store.UserChange{User: newUser(p.ID, key)})
	}
	createUser(t, s, store.UserChange{User: newUser(p.ID, "outsider")})
	createGroup(t, s, group(p.ID, "other", nil))
	for _, name := range groupNamesSet {
		createGroup(t, s, group(p.ID, name, nil))
		addMember(t, s, p.ID, name, "user-a")
	}
	for _, key := range keys {
		addMember(t, s, p.ID, "admins", key)
	}
	addMember(t, s, p.ID, "other", "outsider")
	sortedGroups := slices.Sorted(slices.Values(groupNamesSet))
	sortedKeys := slices.Sorted(slices.Values(keys))
	for _, limit := range []int{1, 2, 3, 100} {
		got := listAll(t, "ListGroupsForUser", limit, func(c string) ([]string, string, error) {
			page, err := s.ListGroupsForUser(ctx, p.ID, "user-a", limit, c)
			return groupNames(page.Groups), page.Next, err
		})
		if !slices.Equal(got, sortedGroups) {
			t.Errorf("ListGroupsForUser with limit %d: %q, want %q", limit, got, sortedGroups)
		}
		got = listAll(t, "ListUsersInGroup", limit, func(c string) ([]string, string, error) {
			page, err := s.ListUsersInGroup(ctx, p.ID, "admins", limit, c)
			return userKeys(page.Users), page.Next, err
		})
		if !slices.Equal(got, sortedKeys) {
			t.Errorf("ListUsersInGroup with limit %d: %q, want %q", limit, got, sortedKeys)
		}
	}
}

// UserGroups lists by precedence, lowest first, groups without one last,
// ties by name in byte order; CompareTokenOrder agrees.
func testMemberTokenOrder(t *testing.T, s store.Store) {
	p := pool(poolIDs[0])
	createPool(t, s, p)
	createUser(t, s, store.UserChange{User: newUser(p.ID, "alice")})
	createUser(t, s, store.UserChange{User: newUser(p.ID, "bob")})
	groups := []store.Group{
		group(p.ID, "none-b", nil), group(p.ID, "ten", prec(10)), group(p.ID, "zero", prec(0)),
		group(p.ID, "None-a", nil), group(p.ID, "two-b", prec(2)), group(p.ID, "Two-a", prec(2)),
		group(p.ID, "max", prec(1<<31-1)), group(p.ID, "bob-only", prec(1)),
	}
	for _, g := range groups {
		createGroup(t, s, g)
		if g.Name != "bob-only" {
			addMember(t, s, p.ID, g.Name, "alice")
		}
	}
	addMember(t, s, p.ID, "bob-only", "bob")
	want := []string{"zero", "Two-a", "two-b", "ten", "max", "None-a", "none-b"}
	got, err := s.UserGroups(t.Context(), p.ID, "alice")
	if err != nil {
		t.Fatalf("UserGroups: %v", err)
	}
	if !slices.Equal(groupNames(got), want) {
		t.Errorf("UserGroups = %q, want %q", groupNames(got), want)
	}
	for _, g := range got {
		i := slices.IndexFunc(groups, func(x store.Group) bool { return x.Name == g.Name })
		checkGroup(t, "a group of UserGroups", g, groups[i])
	}
	sorted := slices.Clone(groups[:7])
	slices.SortFunc(sorted, store.CompareTokenOrder)
	if !slices.Equal(groupNames(sorted), want) {
		t.Errorf("CompareTokenOrder sorts to %q, want %q", groupNames(sorted), want)
	}
}

// The same group name and user key in two pools are unrelated.
func testMemberScoping(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	for _, p := range []store.UserPool{a, b} {
		createPool(t, s, p)
		createUser(t, s, store.UserChange{User: newUser(p.ID, "alice")})
		createGroup(t, s, group(p.ID, "admins", nil))
	}
	addMember(t, s, a.ID, "admins", "alice")
	wantGroupsOf(t, s, b.ID, "alice")
	wantMembers(t, s, b.ID, "admins")
	addMember(t, s, b.ID, "admins", "alice")
	if err := s.RemoveUserFromGroup(ctx, a.ID, "admins", "alice"); err != nil {
		t.Fatal(err)
	}
	wantGroupsOf(t, s, a.ID, "alice")
	wantGroupsOf(t, s, b.ID, "alice", "admins")
	if err := s.DeleteGroup(ctx, a.ID, "admins"); err != nil {
		t.Fatal(err)
	}
	wantMembers(t, s, b.ID, "admins", "alice")
	if gs, err := s.UserGroups(ctx, b.ID, "alice"); err != nil || !slices.Equal(groupNames(gs), []string{"admins"}) {
		t.Errorf("UserGroups in pool B: %q, %v", groupNames(gs), err)
	}
}

// Deleting a user ends its memberships; a user recreated with the same key
// starts in no group.
func testMemberDeleteUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	poolID := memberFixture(t, s)
	for _, name := range []string{"admins", "editors"} {
		addMember(t, s, poolID, name, "alice")
		addMember(t, s, poolID, name, "bob")
	}
	if err := s.DeleteUser(ctx, poolID, "alice"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	wantMembers(t, s, poolID, "admins", "bob")
	wantMembers(t, s, poolID, "editors", "bob")
	wantGroupsOf(t, s, poolID, "alice")
	createUser(t, s, store.UserChange{User: newUser(poolID, "alice")})
	wantGroupsOf(t, s, poolID, "alice")
	if gs, err := s.UserGroups(ctx, poolID, "alice"); err != nil || len(gs) != 0 {
		t.Errorf("UserGroups of the recreated user: %q, %v", groupNames(gs), err)
	}
	checkGroup(t, "admins after its member was deleted", mustGetGroup(t, s, poolID, "admins"), group(poolID, "admins", nil))
}

// Deleting a group ends its memberships; a group recreated with the same
// name starts empty. Deleting a group with members is allowed.
func testMemberDeleteGroup(t *testing.T, s store.Store) {
	ctx := t.Context()
	poolID := memberFixture(t, s)
	for _, key := range []string{"alice", "bob"} {
		addMember(t, s, poolID, "admins", key)
		addMember(t, s, poolID, "editors", key)
	}
	if err := s.DeleteGroup(ctx, poolID, "admins"); err != nil {
		t.Fatalf("DeleteGroup with members: %v", err)
	}
	wantGroupsOf(t, s, poolID, "alice", "editors")
	wantGroupsOf(t, s, poolID, "bob", "editors")
	wantMembers(t, s, poolID, "admins")
	createGroup(t, s, group(poolID, "admins", nil))
	wantMembers(t, s, poolID, "admins")
	checkUser(t, "alice after her group was deleted", mustGetUser(t, s, poolID, "alice"), newUser(poolID, "alice"))
}

// Deleting a pool removes its groups and memberships and leaves other
// pools alone; recreated, the pool has no groups.
func testMemberDeletePool(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	for _, p := range []store.UserPool{a, b} {
		createPool(t, s, p)
		createUser(t, s, store.UserChange{User: newUser(p.ID, "alice")})
		createGroup(t, s, group(p.ID, "admins", prec(1)))
		addMember(t, s, p.ID, "admins", "alice")
	}
	if err := s.DeleteUserPool(ctx, a.ID); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	_, err := s.GetGroup(ctx, a.ID, "admins")
	wantErr(t, "GetGroup of a deleted pool", err, store.ErrNotFound)
	wantMembers(t, s, a.ID, "admins")
	wantMembers(t, s, b.ID, "admins", "alice")
	createPool(t, s, a)
	if page, err := s.ListGroups(ctx, a.ID, 10, ""); err != nil || len(page.Groups) != 0 {
		t.Errorf("ListGroups of the recreated pool: %q, %v", groupNames(page.Groups), err)
	}
	createUser(t, s, store.UserChange{User: newUser(a.ID, "alice")})
	createGroup(t, s, group(a.ID, "admins", nil))
	wantMembers(t, s, a.ID, "admins")
	if err := s.AddUserToGroup(ctx, a.ID, "admins", "alice", 0); err != nil {
		t.Errorf("AddUserToGroup in the recreated pool: %v", err)
	}
	if !errors.Is(s.DeleteGroup(ctx, b.ID, "nosuch"), store.ErrNotFound) {
		t.Error("DeleteGroup of a missing group in pool B is not ErrNotFound")
	}
}

// testGroupPoolQuota: CreateGroup refuses the group past max, counts only
// the pool's own groups, and makes room again when a group goes.
func testGroupPoolQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := pool(poolIDs[0]), pool(poolIDs[1])
	createPool(t, s, a)
	createPool(t, s, b)
	createGroup(t, s, group(b.ID, "other", nil))
	for _, name := range []string{"one", "two"} {
		if err := s.CreateGroup(ctx, group(a.ID, name, nil), 2); err != nil {
			t.Fatalf("CreateGroup(%q) under the quota: %v", name, err)
		}
	}
	wantErr(t, "CreateGroup past the quota", s.CreateGroup(ctx, group(a.ID, "three", nil), 2), store.ErrLimitExceeded)
	if _, err := s.GetGroup(ctx, a.ID, "three"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused group was written: GetGroup = %v", err)
	}
	if err := s.CreateGroup(ctx, group(b.ID, "three", nil), 2); err != nil {
		t.Errorf("CreateGroup in another pool with room: %v", err)
	}
	if err := s.CreateGroup(ctx, group(a.ID, "three", nil), 0); err != nil {
		t.Errorf("CreateGroup with no quota: %v", err)
	}
	for _, name := range []string{"two", "three"} {
		if err := s.DeleteGroup(ctx, a.ID, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateGroup(ctx, group(a.ID, "four", nil), 2); err != nil {
		t.Errorf("CreateGroup after a delete made room: %v", err)
	}
	wantErr(t, "CreateGroup with a taken name at the quota", s.CreateGroup(ctx, group(a.ID, "one", nil), 2), store.ErrAlreadyExists)
}

// testMemberUserQuota: AddUserToGroup refuses a user's membership past max,
// still accepts adding an existing membership again, and counts only that
// user's memberships.
func testMemberUserQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	poolID := memberFixture(t, s)
	addMember(t, s, poolID, "admins", "alice")
	addMember(t, s, poolID, "editors", "alice")
	addMember(t, s, poolID, "readers", "bob")
	wantErr(t, "AddUserToGroup past the quota", s.AddUserToGroup(ctx, poolID, "readers", "alice", 2), store.ErrLimitExceeded)
	wantGroupsOf(t, s, poolID, "alice", "admins", "editors")
	if err := s.AddUserToGroup(ctx, poolID, "admins", "alice", 2); err != nil {
		t.Errorf("AddUserToGroup again at the quota: %v", err)
	}
	if err := s.AddUserToGroup(ctx, poolID, "admins", "bob", 2); err != nil {
		t.Errorf("AddUserToGroup for another user with room: %v", err)
	}
	wantErr(t, "AddUserToGroup of a missing group at the quota", s.AddUserToGroup(ctx, poolID, "nosuch", "alice", 2), store.ErrLimitExceeded)
	if err := s.RemoveUserFromGroup(ctx, poolID, "editors", "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUserToGroup(ctx, poolID, "readers", "alice", 2); err != nil {
		t.Errorf("AddUserToGroup after a removal made room: %v", err)
	}
	wantGroupsOf(t, s, poolID, "alice", "admins", "readers")
}
