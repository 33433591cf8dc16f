package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runServe starts the real serve loop with args, runs fn with its address
// and stops it; a start error is returned instead.
func runServe(t *testing.T, args []string, fn func(addr string)) error {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, append([]string{"--addr", "127.0.0.1:0", "--password-hashing", "fast"}, args...), env(nil), func(a string) { addrc <- a })
	}()
	select {
	case addr := <-addrc:
		fn(addr)
	case err := <-done:
		return err
	}
	cancel()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	return nil
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// stamps are the dates that any write would move.
func stamps(t *testing.T, addr string) string {
	pool := call(t, addr, "DescribeUserPool", `{"UserPoolId":"us-east-1_example1"}`)
	client := call(t, addr, "DescribeUserPoolClient", `{"UserPoolId":"us-east-1_example1","ClientId":"exampleclient0000000000001"}`)
	user := call(t, addr, "AdminGetUser", `{"UserPoolId":"us-east-1_example1","Username":"alice@example.com"}`)
	return field(pool, "LastModifiedDate") + " " + field(client, "LastModifiedDate") + " " + field(user, "UserLastModifiedDate")
}

func field(body, name string) string {
	i := strings.Index(body, `"`+name+`":`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(name)+3:]
	return rest[:strings.IndexAny(rest, ",}")]
}

func TestSeedIsIdempotentAndUpdates(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cognate.db")
	seedPath := filepath.Join(dir, "seed.yaml")
	example, err := os.ReadFile("../../examples/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, seedPath, string(example))
	args := []string{"--db", db, "--seed", seedPath}
	var first string
	must(t, runServe(t, args, func(addr string) {
		first = stamps(t, addr)
		tok := call(t, addr, "InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"exampleclient0000000000001","AuthParameters":{"USERNAME":"alice@example.com","PASSWORD":"Passw0rd!"}}`)
		if !strings.Contains(tok, "IdToken") {
			t.Fatalf("sign-in: %s", tok)
		}
		groups := call(t, addr, "AdminListGroupsForUser", `{"UserPoolId":"us-east-1_example1","Username":"alice@example.com"}`)
		if !strings.Contains(groups, `"admins"`) {
			t.Fatalf("groups: %s", groups)
		}
	}))
	time.Sleep(5 * time.Millisecond)
	must(t, runServe(t, args, func(addr string) {
		if again := stamps(t, addr); again != first {
			t.Fatalf("second start with the same file wrote: %s, then %s", first, again)
		}
	}))
	changed := strings.Replace(string(example), "name: Alice", "name: Alice Liddell", 1)
	changed = strings.Replace(changed, "Password: Passw0rd!", "Password: Passw0rd!2", 1)
	changed = strings.Replace(changed, "PoolName: example", "PoolName: example-renamed", 1)
	writeFile(t, seedPath, changed)
	must(t, runServe(t, args, func(addr string) {
		user := call(t, addr, "AdminGetUser", `{"UserPoolId":"us-east-1_example1","Username":"alice@example.com"}`)
		if !strings.Contains(user, "Alice Liddell") {
			t.Fatalf("attribute not updated: %s", user)
		}
		pool := call(t, addr, "DescribeUserPool", `{"UserPoolId":"us-east-1_example1"}`)
		if !strings.Contains(pool, `"Name":"example-renamed"`) {
			t.Fatalf("pool not renamed: %s", pool)
		}
		call(t, addr, "InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"exampleclient0000000000001","AuthParameters":{"USERNAME":"alice@example.com","PASSWORD":"Passw0rd!2"}}`)
	}))
}

func TestSeedErrorStopsStart(t *testing.T) {
	dir := t.TempDir()
	seedPath := filepath.Join(dir, "seed.yaml")
	writeFile(t, seedPath, `pools:
  - Id: us-east-1_bad1
    PoolName: bad
    users:
      - Username: bob
        Password: short
`)
	err := runServe(t, []string{"--db", ":memory:", "--seed", seedPath}, func(string) { t.Fatal("server started with a bad seed file") })
	if err == nil || !strings.HasPrefix(err.Error(), "seed.yaml:6: pools[0].users[0].Password: ") {
		t.Fatalf("got %v", err)
	}
	writeFile(t, seedPath, `pools:
  - Id: us-east-1_bad1
    PoolName: bad
    Policies:
      PasswordPolicy:
        MinimumLength: 2
`)
	err = runServe(t, []string{"--db", ":memory:", "--seed", seedPath}, func(string) { t.Fatal("server started with a bad seed file") })
	if err == nil || !strings.HasPrefix(err.Error(), "seed.yaml:6: pools[0].Policies.PasswordPolicy.MinimumLength: ") {
		t.Fatalf("got %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
