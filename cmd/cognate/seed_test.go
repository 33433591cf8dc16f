package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
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

const exportSeed = `pools:
  - Id: us-east-1_second2
    PoolName: second
    Schema:
      - Name: team
        AttributeDataType: String
        Mutable: true
    clients:
      - ClientId: secondclient01
        ClientName: backend
        ClientSecret: s3cretvalue0123456789abcdefghijklmnopqrstuvwxyz0123
      - ClientId: secondclient02
        ClientName: spa
    groups:
      - GroupName: readers
      - GroupName: writers
        Precedence: 3
        RoleArn: arn:aws:iam::000000000000:role/writers
    users:
      - Username: bob
        Attributes: {email: bob@example.com, custom:team: blue}
        Password: Passw0rd!
        Groups: [writers, readers]
      - Username: carol
        TemporaryPassword: Temp0rary!
      - Username: dave
        Password: Passw0rd!
        Confirmed: false
`

// exportDB runs "cognate seed export" on db.
func exportDB(t *testing.T, db string, args ...string) string {
	t.Helper()
	var out strings.Builder
	must(t, runSeed(t.Context(), append([]string{"export", "--db", db}, args...), env(nil), &out))
	return out.String()
}

func TestSeedExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	example, err := os.ReadFile("../../examples/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(dir, "first.yaml")
	writeFile(t, first, string(example)+strings.TrimPrefix(exportSeed, "pools:\n"))
	db1 := filepath.Join(dir, "one.db")
	must(t, runServe(t, []string{"--db", db1, "--seed", first}, func(string) {}))

	exported := exportDB(t, db1)
	if !strings.HasPrefix(exported, "# Written by \"cognate seed export\". Passwords cannot be exported") {
		t.Fatalf("no header comment:\n%s", exported)
	}
	for _, want := range []string{
		"Id: us-east-1_example1", "Id: us-east-1_second2", "ClientId: exampleclient0000000000001",
		"ClientSecret: s3cretvalue0123456789abcdefghijklmnopqrstuvwxyz0123", "GroupName: writers", "Precedence: 3",
		"Username: alice@example.com", "custom:team: blue", "Groups: [readers, writers]", "Confirmed: true",
		"# status FORCE_CHANGE_PASSWORD", "# status UNCONFIRMED",
	} {
		if !strings.Contains(exported, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	for _, unwanted := range []string{"Password:", "sub:"} {
		if strings.Contains(exported, unwanted) {
			t.Errorf("export has %q", unwanted)
		}
	}
	one := exportDB(t, db1, "--pool", "us-east-1_second2")
	if strings.Contains(one, "us-east-1_example1") || !strings.Contains(one, "us-east-1_second2") {
		t.Fatalf("--pool exported:\n%s", one)
	}

	// The export is a seed file: applied to a fresh database, it gives the
	// same export, but for the statuses that need a password.
	second := filepath.Join(dir, "second.yaml")
	must(t, runSeed(t.Context(), []string{"export", "--db", db1, "--out", second}, env(nil), io.Discard))
	db2 := filepath.Join(dir, "two.db")
	must(t, runServe(t, []string{"--db", db2, "--seed", second}, func(addr string) {
		user := call(t, addr, "AdminGetUser", `{"UserPoolId":"us-east-1_example1","Username":"alice@example.com"}`)
		if !strings.Contains(user, `"FORCE_CHANGE_PASSWORD"`) {
			t.Fatalf("a user without password: %s", user)
		}
		client := call(t, addr, "DescribeUserPoolClient", `{"UserPoolId":"us-east-1_second2","ClientId":"secondclient01"}`)
		if !strings.Contains(client, "s3cretvalue0123456789abcdefghijklmnopqrstuvwxyz0123") {
			t.Fatalf("client secret: %s", client)
		}
	}))
	again := exportDB(t, db2)
	status := regexp.MustCompile(`(?m)^ *(Confirmed: true|# status \w+: .*)\n`)
	if a, b := status.ReplaceAllString(exported, ""), status.ReplaceAllString(again, ""); a != b {
		t.Fatalf("export of the re-seeded database differs:\n%s\nfirst:\n%s", again, exported)
	}
}

func TestSeedExportErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.db")
	for _, args := range [][]string{nil, {"import"}, {"export", "--db", ":memory:"}, {"export", "--db", missing}, {"export", "--db", missing, "extra"}} {
		if err := runSeed(t.Context(), args, env(nil), io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("export created the database")
	}
}
