package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store/sqlstore"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigDefaults(t *testing.T) {
	c, err := parseConfig(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config{Addr: "localhost:9229", DB: "cognate.db", Region: "us-east-1", AccountID: "000000000000",
		PublicURL: "http://localhost:9229", Mode: "local", LogFormat: "text", LogLevel: "info",
		Hashing: "strong", SMTPFrom: "no-reply@verificationemail.com", Issuer: "public-url", SQLiteSync: "normal"}
	if *c != want {
		t.Fatalf("defaults:\n got %+v\nwant %+v", *c, want)
	}
}

func TestConfigFlagBeatsEnvBeatsDefault(t *testing.T) {
	c, err := parseConfig([]string{"--region", "eu-west-1"}, env(map[string]string{
		"COGNATE_REGION": "us-west-2", "COGNATE_MODE": "secure", "COGNATE_PUBLIC_URL": "https://idp.example.com/",
		"COGNATE_SECRET_KEY": "0123456789abcdef0123456789abcdef", "COGNATE_ACCESS_KEYS": "AKIACOGNATEEXAMPLE01:0123456789abcdef",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "eu-west-1" || c.Mode != "secure" || c.PublicURL != "https://idp.example.com" {
		t.Fatalf("got %+v", *c)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	for name, args := range map[string][]string{
		"mode":                       {"--mode", "prod"},
		"log format":                 {"--log-format", "xml"},
		"account id":                 {"--account-id", "42"},
		"region":                     {"--region", "mars"},
		"addr":                       {"--addr", "9229"},
		"public url":                 {"--public-url", "ftp://x"},
		"hashing":                    {"--password-hashing", "md5"},
		"issuer":                     {"--issuer", "google"},
		"short key":                  {"--secret-key", "too-short"},
		"secure without key":         {"--mode", "secure"},
		"secure without access keys": {"--mode", "secure", "--secret-key", "0123456789abcdef0123456789abcdef"},
		"bad access keys":            {"--access-keys", "AKIACOGNATEEXAMPLE01:short"},
		"extra arg":                  {"oops"},
		"sqlite sync":                {"--sqlite-sync", "off"},
		"sqlite sync upper case":     {"--sqlite-sync", "FULL"},
		"sqlite sync full postgres":  {"--sqlite-sync", "full", "--db", "postgres://u@localhost:5432/db"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parseConfig(args, env(nil)); err == nil {
				t.Fatalf("%v accepted", args)
			}
		})
	}
}

func TestConfigSQLiteSync(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want sqlstore.SQLiteSync
	}{
		{"default", nil, nil, sqlstore.SyncNormal},
		{"flag", []string{"--sqlite-sync", "full"}, nil, sqlstore.SyncFull},
		{"env", nil, map[string]string{"COGNATE_SQLITE_SYNC": "full"}, sqlstore.SyncFull},
		{"flag beats env", []string{"--sqlite-sync=normal"}, map[string]string{"COGNATE_SQLITE_SYNC": "full"}, sqlstore.SyncNormal},
		{"postgres keeps the default", []string{"--db", "postgresql://u@localhost/db"}, nil, sqlstore.SyncNormal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.args, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.sqliteSync(); got != tc.want {
				t.Fatalf("sqliteSync() = %v, want %v", got, tc.want)
			}
		})
	}
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		msg  string
	}{
		"unknown flag value": {[]string{"--sqlite-sync", "extra"}, nil, `--sqlite-sync "extra": want normal or full`},
		"unknown env value":  {nil, map[string]string{"COGNATE_SQLITE_SYNC": "off"}, `--sqlite-sync "off": want normal or full`},
		"full with postgres": {[]string{"--db", "postgres://u@localhost/db"}, map[string]string{"COGNATE_SQLITE_SYNC": "full"}, "--sqlite-sync full applies to SQLite only"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseConfig(tc.args, env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want one containing %q", err, tc.msg)
			}
		})
	}
}

// TestServeSQLiteSyncFull starts the real server with --sqlite-sync full
// and checks that it serves and keeps what it commits.
func TestServeSQLiteSyncFull(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cognate.db")
	ctx, cancel := context.WithCancel(t.Context())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--db", db, "--sqlite-sync", "full"}, env(nil), func(a string) { addrc <- a })
	}()
	select {
	case addr := <-addrc:
		if body := call(t, addr, "CreateUserPool", `{"PoolName":"durable"}`); !strings.Contains(body, `"Name":"durable"`) {
			t.Fatalf("CreateUserPool: %s", body)
		}
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// TestServeKeepsDataAcrossRestarts starts the real server twice on one
// SQLite file and checks that a pool created in the first run is still
// there in the second, and that cancelling the context stops it cleanly.
func TestServeKeepsDataAcrossRestarts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cognate.db")
	var poolID string
	for run := 0; run < 2; run++ {
		ctx, cancel := context.WithCancel(t.Context())
		addrc := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--db", db}, env(nil), func(a string) { addrc <- a })
		}()
		var addr string
		select {
		case addr = <-addrc:
		case err := <-done:
			t.Fatalf("serve: %v", err)
		}
		if run == 0 {
			body := call(t, addr, "CreateUserPool", `{"PoolName":"kept"}`)
			i := strings.Index(body, `"Id":"`)
			if i < 0 {
				t.Fatalf("no pool id in %s", body)
			}
			poolID = body[i+6 : i+6+strings.Index(body[i+6:], `"`)]
		} else {
			body := call(t, addr, "DescribeUserPool", `{"UserPoolId":"`+poolID+`"}`)
			if !strings.Contains(body, `"Name":"kept"`) {
				t.Fatalf("pool lost across restart: %s", body)
			}
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("shutdown: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("server did not stop")
		}
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatal(err)
	}
}

func TestThrowawayDatabaseIsRemoved(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	ctx, cancel := context.WithCancel(t.Context())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--db", ":memory:"}, env(nil), func(a string) { addrc <- a })
	}()
	addr := <-addrc
	call(t, addr, "CreateUserPool", `{"PoolName":"gone"}`)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "cognate-*"))
	if len(left) != 0 {
		t.Fatalf("throwaway database left behind: %v", left)
	}
}

func call(t *testing.T, addr, op, body string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+addr+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", op, resp.StatusCode, sb.String())
	}
	return sb.String()
}

func TestSecureModeLogsJSONByDefault(t *testing.T) {
	c, err := parseConfig(nil, env(map[string]string{
		"COGNATE_MODE": "secure", "COGNATE_SECRET_KEY": "0123456789abcdef0123456789abcdef",
		"COGNATE_ACCESS_KEYS": "AKIAEXAMPLEKEY000001:secretsecretsecret00",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LogFormat != "json" {
		t.Fatalf("secure mode log format = %q, want json", c.LogFormat)
	}
	c, err = parseConfig([]string{"--log-format", "text"}, env(map[string]string{
		"COGNATE_MODE": "secure", "COGNATE_SECRET_KEY": "0123456789abcdef0123456789abcdef",
		"COGNATE_ACCESS_KEYS": "AKIAEXAMPLEKEY000001:secretsecretsecret00",
	}))
	if err != nil || c.LogFormat != "text" {
		t.Fatalf("an explicit --log-format must win: %q %v", c.LogFormat, err)
	}
}
