package server_test

// Issue 12, item 3: when the database cannot be reached, token-authorized
// operations answer InternalErrorException (500, which SDKs retry) and log
// it with the request id; a valid token is never called invalid for it,
// and works again once the database is back.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cognate/cognate/internal/store/pgtest"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestOutageIsNoTokenError(t *testing.T) {
	postgresOnly(t, func(t *testing.T, b backend) {
		admin := pgtest.AdminDSN(t)
		dsn := pgtest.Database(t)
		u, _ := url.Parse(dsn)
		dbName := strings.TrimPrefix(u.Path, "/")
		st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
		if err != nil {
			t.Fatalf("sqlstore.Open: %v", err)
		}
		t.Cleanup(func() { _ = st.Close() })
		logs := &syncBuffer{}
		e := newUserEnv(t, b, withStore(st), withLogger(slog.New(slog.NewJSONHandler(logs, nil))))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		e.confirmedUser(t, poolID, "ops", userPassword)
		tok := e.signIn(t, clientID, "ops", userPassword)

		adminDB, err := sql.Open("pgx", admin)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = adminDB.Close() })
		cut := func(allow bool) {
			t.Helper()
			if _, err := adminDB.ExecContext(ctx, "ALTER DATABASE "+dbName+" ALLOW_CONNECTIONS "+map[bool]string{true: "true", false: "false"}[allow]); err != nil {
				t.Fatalf("ALTER DATABASE: %v", err)
			}
			if !allow {
				if _, err := adminDB.ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", dbName); err != nil {
					t.Fatalf("terminate backends: %v", err)
				}
			}
		}
		cut(false)
		t.Cleanup(func() {
			_, _ = adminDB.ExecContext(context.Background(), "ALTER DATABASE "+dbName+" ALLOW_CONNECTIONS true")
		})
		// Past the one-second cache of app clients, so that the client is read
		// from the database again, as it is on a fresh instance.
		time.Sleep(1100 * time.Millisecond)

		calls := map[string]func() error{
			"GetUser": func() error { _, err := e.getUser(aws.ToString(tok.AccessToken)); return err },
			"UpdateUserAttributes": func() error {
				_, err := e.c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok.AccessToken, UserAttributes: userAttrs("name", "Ops")})
				return err
			},
			"ChangePassword": func() error {
				_, err := e.c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok.AccessToken, PreviousPassword: aws.String(userPassword), ProposedPassword: aws.String("N3w-Passw0rd!")})
				return err
			},
			"GlobalSignOut": func() error {
				_, err := e.c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: tok.AccessToken})
				return err
			},
		}
		for name, call := range calls {
			err := call()
			var ie *types.InternalErrorException
			var re *smithyhttp.ResponseError
			if !errors.As(err, &ie) || !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
				t.Errorf("%s during the outage: %v, want InternalErrorException with HTTP 500", name, err)
				continue
			}
			var ae smithy.APIError
			errors.As(err, &ae)
			// The message carries the request id, which the log line names.
			id := ae.ErrorMessage()[strings.LastIndex(ae.ErrorMessage(), " ")+1:]
			id = strings.TrimSuffix(id, ").")
			if !strings.Contains(logs.String(), id) {
				t.Errorf("%s: the log has no line for request %s:\n%s", name, id, logs.String())
			}
		}

		cut(true)
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, err := e.getUser(aws.ToString(tok.AccessToken))
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GetUser after the outage: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
