package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store"
)

// domainTests are the groups of the suite for store.DomainStore.
func domainTests() []testGroup {
	return []testGroup{
		{"Domain", []namedTest{
			{"CRUD", testDomainCRUD},
			{"UniqueAcrossPools", testDomainUnique},
			{"OnePerKind", testDomainOnePerKind},
			{"MissingPool", testDomainMissingPool},
			{"KeyImmutable", testDomainKeyImmutable},
			{"DeletePoolCascades", testDomainDeletePool},
			{"ConcurrentCreate", testDomainConcurrentCreate},
		}},
	}
}

func domain(poolID, name string, custom bool) store.Domain {
	return store.Domain{
		Name: name, PoolID: poolID, Custom: custom,
		Settings:  []byte(`{"ManagedLoginVersion":1}`),
		CreatedAt: t0, UpdatedAt: t0.Add(time.Minute),
	}
}

func testDomainCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_dom1"))
	if ds, err := s.PoolDomains(ctx, "us-east-1_dom1"); err != nil || len(ds) != 0 {
		t.Fatalf("PoolDomains of a new pool = %v, %v; want none", ds, err)
	}
	custom, prefix := domain("us-east-1_dom1", "auth.example.com", true), domain("us-east-1_dom1", "my-app", false)
	for _, d := range []store.Domain{custom, prefix} {
		if err := s.CreateDomain(ctx, d); err != nil {
			t.Fatalf("CreateDomain(%q): %v", d.Name, err)
		}
	}
	got, err := s.GetDomain(ctx, "my-app")
	if err != nil || got.Name != prefix.Name || got.PoolID != prefix.PoolID || got.Custom {
		t.Fatalf("GetDomain = %+v, %v; want %+v", got, err, prefix)
	}
	checkBytes(t, "Settings", got.Settings, prefix.Settings)
	checkTime(t, "CreatedAt", got.CreatedAt, prefix.CreatedAt)
	checkTime(t, "UpdatedAt", got.UpdatedAt, prefix.UpdatedAt)
	ds, err := s.PoolDomains(ctx, "us-east-1_dom1")
	if err != nil || len(ds) != 2 || ds[0].Name != "my-app" || ds[1].Name != "auth.example.com" || !ds[1].Custom {
		t.Fatalf("PoolDomains = %+v, %v; want the prefix, then the custom domain", ds, err)
	}
	upd, err := s.UpdateDomain(ctx, "my-app", func(d store.Domain) (store.Domain, error) {
		d.Settings = []byte(`{"ManagedLoginVersion":2}`)
		d.UpdatedAt = t0.Add(time.Hour)
		return d, nil
	})
	if err != nil || string(upd.Settings) != `{"ManagedLoginVersion":2}` {
		t.Fatalf("UpdateDomain = %+v, %v", upd, err)
	}
	if got, _ := s.GetDomain(ctx, "my-app"); string(got.Settings) != `{"ManagedLoginVersion":2}` || !got.UpdatedAt.Equal(t0.Add(time.Hour).Truncate(time.Millisecond)) {
		t.Fatalf("after UpdateDomain, GetDomain = %+v", got)
	}
	if err := s.DeleteDomain(ctx, "my-app"); err != nil {
		t.Fatalf("DeleteDomain: %v", err)
	}
	if _, err := s.GetDomain(ctx, "my-app"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetDomain after delete: %v; want ErrNotFound", err)
	}
	if err := s.DeleteDomain(ctx, "my-app"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteDomain again: %v; want ErrNotFound", err)
	}
	if _, err := s.UpdateDomain(ctx, "my-app", func(d store.Domain) (store.Domain, error) { return d, nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateDomain of a deleted domain: %v; want ErrNotFound", err)
	}
	// The name is free again, for any pool.
	if err := s.CreateDomain(ctx, prefix); err != nil {
		t.Fatalf("CreateDomain after delete: %v", err)
	}
}

func testDomainUnique(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_domA"))
	createPool(t, s, pool("us-east-1_domB"))
	if err := s.CreateDomain(ctx, domain("us-east-1_domA", "shared", false)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateDomain(ctx, domain("us-east-1_domB", "shared", false)); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("a name another pool holds: %v; want ErrAlreadyExists", err)
	}
	// A prefix and a custom domain share one namespace.
	if err := s.CreateDomain(ctx, domain("us-east-1_domB", "shared", true)); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("a custom domain named like a prefix: %v; want ErrAlreadyExists", err)
	}
	if d, _ := s.GetDomain(ctx, "shared"); d.PoolID != "us-east-1_domA" {
		t.Fatalf("the refused create changed the domain: %+v", d)
	}
}

func testDomainOnePerKind(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_domK"))
	if err := s.CreateDomain(ctx, domain("us-east-1_domK", "first", false)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateDomain(ctx, domain("us-east-1_domK", "second", false)); !errors.Is(err, store.ErrLimitExceeded) {
		t.Fatalf("a second prefix domain: %v; want ErrLimitExceeded", err)
	}
	if _, err := s.GetDomain(ctx, "second"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused domain exists: %v", err)
	}
}

func testDomainMissingPool(t *testing.T, s store.Store) {
	if err := s.CreateDomain(t.Context(), domain("us-east-1_nopool", "orphan", false)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CreateDomain in a missing pool: %v; want ErrNotFound", err)
	}
}

func testDomainKeyImmutable(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_domI"))
	if err := s.CreateDomain(ctx, domain("us-east-1_domI", "fixed", false)); err != nil {
		t.Fatal(err)
	}
	for name, fn := range map[string]func(*store.Domain){
		"name": func(d *store.Domain) { d.Name = "moved" },
		"pool": func(d *store.Domain) { d.PoolID = "us-east-1_other" },
		"kind": func(d *store.Domain) { d.Custom = true },
	} {
		_, err := s.UpdateDomain(ctx, "fixed", func(d store.Domain) (store.Domain, error) { fn(&d); return d, nil })
		if err == nil {
			t.Errorf("an updater changing the %s was accepted", name)
		}
	}
	if d, _ := s.GetDomain(ctx, "fixed"); d.PoolID != "us-east-1_domI" || d.Custom {
		t.Fatalf("refused updates changed the domain: %+v", d)
	}
}

func testDomainDeletePool(t *testing.T, s store.Store) {
	ctx := t.Context()
	createPool(t, s, pool("us-east-1_domD"))
	if err := s.CreateDomain(ctx, domain("us-east-1_domD", "goes-with-pool", false)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUserPool(ctx, "us-east-1_domD"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDomain(ctx, "goes-with-pool"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the domain outlived its pool: %v", err)
	}
}

// Two pools asking for one name at once, and one pool asking for two prefix
// domains at once: exactly one of each wins, the others get the right error.
func testDomainConcurrentCreate(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 8
	for i := range n {
		createPool(t, s, pool("us-east-1_domC"+string(rune('a'+i))))
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.CreateDomain(ctx, domain("us-east-1_domC"+string(rune('a'+i)), "contested", false))
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrAlreadyExists):
			t.Errorf("a losing create: %v; want ErrAlreadyExists", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d creates of one name succeeded; want 1", won)
	}
	for i := range n {
		wg.Go(func() { errs[i] = s.CreateDomain(ctx, domain("us-east-1_domCa", "pool-a-"+string(rune('a'+i)), true)) })
	}
	wg.Wait()
	won = 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrLimitExceeded):
			t.Errorf("a losing create: %v; want ErrLimitExceeded", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d custom domains created for one pool; want 1", won)
	}
}
