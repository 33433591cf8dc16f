package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// benchAttribute is the custom attribute the pool defines, so that
// UpdateUserAttributes writes an attribute that needs no verification on
// any implementation (email or phone_number would start one).
const benchAttribute = "custom:bench"

// userName is the name of set-up user i, which is also its email, so that
// ListUsers can select a hundred of them by prefix. An email-shaped
// username works in plain pools everywhere and is what cognito-local
// insists on.
func userName(i int) string { return fmt.Sprintf("benchuser%05d@example.com", i) }

// listPrefix is the email prefix ListUsers filters on for user i: the first
// twelve characters of the name, shared by the hundred users
// benchuserNNN00…benchuserNNN99, so that with Limit 60 a page is full when
// there are a hundred users or more.
func listPrefix(i int) string { return fmt.Sprintf("benchuser%03d", i/100) }

// env is what the setup created.
type env struct {
	runID    string
	password string
	poolID   string
	borrowed bool // Config.PoolID: the clean-up leaves the pool
	clientID string
	users    []benchUser
}

type benchUser struct {
	name    string
	token   string // access token, when the operation needs one
	created bool   // for the clean-up of a borrowed pool
}

// withRetry retries fn while the server throttles (real Cognito and
// staging deployments rate-limit the setup's admin calls).
func withRetry(ctx context.Context, fn func() error) error {
	delay := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := fn()
		var ae *APIError
		if err == nil || attempt == 6 || !errors.As(err, &ae) ||
			(ae.Type != "TooManyRequestsException" && ae.Type != "ThrottlingException" && ae.Status != 429 && ae.Status < 500) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// randomID is a short random name part, so that concurrent or kept runs
// do not collide.
func randomID() string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

// setup creates the pool, the app client and the users (with tokens when
// needTokens), through the public API only. On error it returns what was
// created so far, so that the caller can clean up.
func setup(ctx context.Context, c *client, cfg Config, needTokens bool, logf func(string, ...any)) (*env, error) {
	e := &env{runID: randomID(), password: cfg.Password}
	if cfg.PoolID != "" {
		e.poolID, e.borrowed = cfg.PoolID, true
	} else if err := createPool(ctx, c, e); err != nil {
		return e, err
	}
	return e, setupClientAndUsers(ctx, c, cfg, e, needTokens, logf)
}

// createPool creates the run's pool, with the custom attribute the load
// writes.
func createPool(ctx context.Context, c *client, e *env) error {
	var pool struct {
		UserPool struct{ Id string }
	}
	err := withRetry(ctx, func() error {
		return c.call(ctx, "CreateUserPool", true, map[string]any{
			"PoolName": "cognate-bench-" + e.runID,
			"Schema": []map[string]any{{
				"Name":                       "bench",
				"AttributeDataType":          "String",
				"Mutable":                    true,
				"StringAttributeConstraints": map[string]string{"MinLength": "0", "MaxLength": "64"},
			}},
			// No verification, no MFA: the load exercises the calls, not
			// message delivery.
			"MfaConfiguration": "OFF",
		}, &pool)
	})
	if err != nil {
		return fmt.Errorf("CreateUserPool: %w", err)
	}
	if pool.UserPool.Id == "" {
		return errors.New("CreateUserPool answered no pool id")
	}
	e.poolID = pool.UserPool.Id
	return nil
}

// setupClientAndUsers creates the app client and the users.
func setupClientAndUsers(ctx context.Context, c *client, cfg Config, e *env, needTokens bool, logf func(string, ...any)) error {
	var appClient struct {
		UserPoolClient struct{ ClientId string }
	}
	err := withRetry(ctx, func() error {
		return c.call(ctx, "CreateUserPoolClient", true, map[string]any{
			"UserPoolId":        e.poolID,
			"ClientName":        "cognate-bench",
			"GenerateSecret":    false,
			"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
			// Without WriteAttributes a client may write standard
			// attributes only; custom ones need this explicit grant.
			"WriteAttributes": []string{"name", "email", benchAttribute},
		}, &appClient)
	})
	if err != nil {
		return fmt.Errorf("CreateUserPoolClient: %w", err)
	}
	if appClient.UserPoolClient.ClientId == "" {
		return errors.New("CreateUserPoolClient answered no client id")
	}
	e.clientID = appClient.UserPoolClient.ClientId

	e.users = make([]benchUser, cfg.Users)
	var done atomic.Int64
	err = parallel(ctx, cfg.Users, cfg.SetupConcurrency, func(ctx context.Context, i int) error {
		u := &e.users[i]
		u.name = userName(i)
		err := withRetry(ctx, func() error {
			return c.call(ctx, "AdminCreateUser", true, map[string]any{
				"UserPoolId":     e.poolID,
				"Username":       u.name,
				"MessageAction":  "SUPPRESS",
				"UserAttributes": []map[string]string{{"Name": "email", "Value": u.name}, {"Name": benchAttribute, "Value": "0"}},
			}, nil)
		})
		if err != nil {
			return fmt.Errorf("AdminCreateUser %s: %w", u.name, err)
		}
		u.created = true
		err = withRetry(ctx, func() error {
			return c.call(ctx, "AdminSetUserPassword", true, map[string]any{
				"UserPoolId": e.poolID, "Username": u.name, "Password": cfg.Password, "Permanent": true,
			}, nil)
		})
		if err != nil {
			return fmt.Errorf("AdminSetUserPassword %s: %w", u.name, err)
		}
		if needTokens {
			var auth struct {
				AuthenticationResult struct{ AccessToken string }
				ChallengeName        string
			}
			err = withRetry(ctx, func() error {
				return c.call(ctx, "InitiateAuth", false, initiateAuthInput(e.clientID, u.name, cfg.Password), &auth)
			})
			if err != nil {
				return fmt.Errorf("InitiateAuth %s: %w", u.name, err)
			}
			if auth.AuthenticationResult.AccessToken == "" {
				return fmt.Errorf("InitiateAuth %s answered no access token (challenge %q)", u.name, auth.ChallengeName)
			}
			u.token = auth.AuthenticationResult.AccessToken
		}
		if n := done.Add(1); n%1000 == 0 {
			logf("set up %d of %d users", n, cfg.Users)
		}
		return nil
	})
	return err
}

func initiateAuthInput(clientID, user, password string) map[string]any {
	return map[string]any{
		"AuthFlow":       "USER_PASSWORD_AUTH",
		"ClientId":       clientID,
		"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": password},
	}
}

// parallel runs fn for 0…n-1 on at most workers goroutines and returns the
// first error, after which the remaining items are skipped.
func parallel(ctx context.Context, n, workers int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		// Only the caller's context can have ended it.
		return ctx.Err()
	}
	return firstErr
}

// cleanup deletes the pool, which takes its client and users along, or in
// a borrowed pool (Config.PoolID) the users and the client the run made. It
// runs on its own context: the run's may be cancelled by then (Ctrl-C). The
// generous timeout is for pools that an AdminCreateUser run filled with
// hundreds of thousands of users.
func cleanup(c *client, e *env) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if !e.borrowed {
		return withRetry(ctx, func() error {
			return c.call(ctx, "DeleteUserPool", true, map[string]any{"UserPoolId": e.poolID}, nil)
		})
	}
	// A borrowed pool keeps everything but what this run created.
	err := parallel(ctx, len(e.users), 8, func(ctx context.Context, i int) error {
		if !e.users[i].created {
			return nil
		}
		return withRetry(ctx, func() error {
			return c.call(ctx, "AdminDeleteUser", true, map[string]any{"UserPoolId": e.poolID, "Username": e.users[i].name}, nil)
		})
	})
	if err != nil || e.clientID == "" {
		return err
	}
	return withRetry(ctx, func() error {
		return c.call(ctx, "DeleteUserPoolClient", true, map[string]any{"UserPoolId": e.poolID, "ClientId": e.clientID}, nil)
	})
}
