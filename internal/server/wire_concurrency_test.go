package server_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Concurrent writers through the wire: no update is lost, no id is handed
// out twice, and no request fails (SQLite's busy database must stay inside
// the store).
func TestConcurrentWrites(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1", noRetry)
		ctx := context.Background()
		const n = 12

		t.Run("AddCustomAttributes", func(t *testing.T) {
			t.Parallel()
			p := createPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("busy")})
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					_, err := c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{
						UserPoolId:       p.Id,
						CustomAttributes: []types.SchemaAttributeType{{Name: aws.String(fmt.Sprintf("a%02d", i)), AttributeDataType: types.AttributeDataTypeString}},
					})
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("AddCustomAttributes: %v", err)
				}
			}
			var custom []string
			for _, a := range describePool(t, c, *p.Id).SchemaAttributes {
				if name := aws.ToString(a.Name); len(name) > 7 && name[:7] == "custom:" {
					custom = append(custom, name)
				}
			}
			slices.Sort(custom)
			if len(custom) != n {
				t.Errorf("%d custom attributes after %d concurrent adds (lost updates): %v", len(custom), n, custom)
			}
		})

		t.Run("CreateUserPool and CreateUserPoolClient", func(t *testing.T) {
			t.Parallel()
			p := createPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("clients")})
			var mu sync.Mutex
			var pools, clients []string
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(fmt.Sprintf("pool%d", i))})
					if err != nil {
						t.Errorf("CreateUserPool: %v", err)
						return
					}
					cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: p.Id, ClientName: aws.String(fmt.Sprintf("app%d", i))})
					if err != nil {
						t.Errorf("CreateUserPoolClient: %v", err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					pools = append(pools, *out.UserPool.Id)
					clients = append(clients, *cl.UserPoolClient.ClientId)
				})
			}
			wg.Wait()
			if len(slices.Compact(slices.Sorted(slices.Values(pools)))) != n {
				t.Errorf("pool ids not distinct: %v", pools)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(clients)))) != n {
				t.Errorf("client ids not distinct: %v", clients)
			}
			out, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: p.Id})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.UserPoolClients) != n {
				t.Errorf("ListUserPoolClients: %d clients, want %d", len(out.UserPoolClients), n)
			}
		})
	})
}
