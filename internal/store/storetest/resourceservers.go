package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store"
)

// resourceServerTests are the groups of the suite for store.ResourceServerStore.
func resourceServerTests() []testGroup {
	return []testGroup{
		{"ResourceServer", []namedTest{
			{"CRUD", testResourceServerCRUD},
			{"CreateDuplicate", testResourceServerDuplicate},
			{"MissingPool", testResourceServerMissingPool},
			{"Quota", testResourceServerQuota},
			{"ListOrder", testResourceServerList},
			{"KeyImmutable", testResourceServerKeyImmutable},
			{"DeletePoolCascades", testResourceServerDeletePool},
		}},
	}
}

func resourceServer(poolID, id string) store.ResourceServer {
	return store.ResourceServer{
		PoolID: poolID, Identifier: id, Name: "the " + id + " API",
		Scopes:    []byte(`[{"ScopeName":"read","ScopeDescription":"Read"}]`),
		CreatedAt: t0, UpdatedAt: t0.Add(time.Minute),
	}
}

func testResourceServerCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_rs1"))
	want := resourceServer("us-east-1_rs1", "https://api.example.com")
	if err := s.CreateResourceServer(ctx, want, 0); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetResourceServer(ctx, "us-east-1_rs1", "https://api.example.com")
	if err != nil || got.Name != want.Name || got.PoolID != want.PoolID {
		t.Fatalf("GetResourceServer = %+v, %v", got, err)
	}
	checkBytes(t, "Scopes", got.Scopes, want.Scopes)
	checkTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	if _, err := s.GetResourceServer(ctx, "us-east-1_rs1", "HTTPS://API.EXAMPLE.COM"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("identifiers are case sensitive: %v", err)
	}
	upd, err := s.UpdateResourceServer(ctx, "us-east-1_rs1", want.Identifier, func(r store.ResourceServer) (store.ResourceServer, error) {
		r.Name, r.Scopes = "renamed", []byte(`[]`)
		return r, nil
	})
	if err != nil || upd.Name != "renamed" {
		t.Fatalf("UpdateResourceServer = %+v, %v", upd, err)
	}
	if got, _ := s.GetResourceServer(ctx, "us-east-1_rs1", want.Identifier); got.Name != "renamed" || string(got.Scopes) != "[]" {
		t.Fatalf("after the update: %+v", got)
	}
	if err := s.DeleteResourceServer(ctx, "us-east-1_rs1", want.Identifier); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteResourceServer(ctx, "us-east-1_rs1", want.Identifier); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v; want ErrNotFound", err)
	}
	if _, err := s.UpdateResourceServer(ctx, "us-east-1_rs1", want.Identifier, func(r store.ResourceServer) (store.ResourceServer, error) { return r, nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a deleted one: %v; want ErrNotFound", err)
	}
}

func testResourceServerDuplicate(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_rs2"))
	createPool(t, s, pool("us-east-1_rs3"))
	if err := s.CreateResourceServer(ctx, resourceServer("us-east-1_rs2", "api"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateResourceServer(ctx, resourceServer("us-east-1_rs2", "api"), 0); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("duplicate: %v; want ErrAlreadyExists", err)
	}
	// Even at the quota, a duplicate is a duplicate.
	if err := s.CreateResourceServer(ctx, resourceServer("us-east-1_rs2", "api"), 1); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("duplicate at the quota: %v; want ErrAlreadyExists", err)
	}
	// Another pool may use the identifier.
	if err := s.CreateResourceServer(ctx, resourceServer("us-east-1_rs3", "api"), 0); err != nil {
		t.Fatalf("the identifier in another pool: %v", err)
	}
}

func testResourceServerMissingPool(t *testing.T, s store.Store) {
	if err := s.CreateResourceServer(t.Context(), resourceServer("us-east-1_none", "api"), 25); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing pool: %v; want ErrNotFound", err)
	}
}

// The quota holds under parallel creates.
func testResourceServerQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_rsq"))
	const max = 3
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.CreateResourceServer(ctx, resourceServer("us-east-1_rsq", string(rune('a'+i))), max)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrLimitExceeded):
			t.Errorf("over the quota: %v; want ErrLimitExceeded", err)
		}
	}
	if ok != max {
		t.Fatalf("%d created; want %d", ok, max)
	}
}

func testResourceServerList(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_rsl"))
	for _, id := range []string{"b", "a", "B", "https://x"} {
		if err := s.CreateResourceServer(ctx, resourceServer("us-east-1_rsl", id), 0); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	after := ""
	for {
		page, err := s.ListResourceServers(ctx, "us-east-1_rsl", 3, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			got = append(got, r.Identifier)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].Identifier
	}
	want := []string{"B", "a", "b", "https://x"}
	if len(got) != len(want) {
		t.Fatalf("listed %q; want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("listed %q; want %q (byte order)", got, want)
		}
	}
}

func testResourceServerKeyImmutable(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_rsk"))
	if err := s.CreateResourceServer(ctx, resourceServer("us-east-1_rsk", "api"), 0); err != nil {
		t.Fatal(err)
	}
	_, err := s.UpdateResourceServer(ctx, "us-east-1_rsk", "api", func(r store.ResourceServer) (store.ResourceServer, error) {
		r.Identifier = "moved"
		return r, nil
	})
	if err == nil {
		t.Fatal("an updater moving the identifier was accepted")
	}
	if _, err := s.GetResourceServer(ctx, "us-east-1_rsk", "api"); err != nil {
		t.Fatalf("the refused update changed it: %v", err)
	}
}

func testResourceServerDeletePool(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_rsd"))
	if err := s.CreateResourceServer(ctx, resourceServer("us-east-1_rsd", "api"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUserPool(ctx, "us-east-1_rsd"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetResourceServer(ctx, "us-east-1_rsd", "api"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("it outlived its pool: %v", err)
	}
}
