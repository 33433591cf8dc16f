package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// The domain operations through the Go SDK, with AWS's recorded texts
// where they exist (internal/userpool/domain.go names the sources).
func TestUserPoolDomains(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		c := newWire(t, b).client("us-east-1")
		ctx := context.Background()
		newPool := func(name string) string {
			out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			return *out.UserPool.Id
		}
		a, other := newPool("a"), newPool("other")

		created, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &a, Domain: aws.String("my-app-1")})
		if err != nil {
			t.Fatal(err)
		}
		if created.CloudFrontDomain != nil || aws.ToInt32(created.ManagedLoginVersion) != 1 {
			t.Errorf("CreateUserPoolDomain (prefix) = CloudFrontDomain %v, ManagedLoginVersion %v; want none and 1",
				aws.ToString(created.CloudFrontDomain), aws.ToInt32(created.ManagedLoginVersion))
		}
		desc, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app-1")})
		if err != nil {
			t.Fatal(err)
		}
		d := desc.DomainDescription
		if aws.ToString(d.UserPoolId) != a || d.Status != types.DomainStatusTypeActive || aws.ToString(d.Domain) != "my-app-1" ||
			aws.ToString(d.AWSAccountId) == "" || aws.ToString(d.Version) == "" || aws.ToString(d.CloudFrontDistribution) == "" ||
			d.CustomDomainConfig != nil || aws.ToInt32(d.ManagedLoginVersion) != 1 {
			t.Errorf("DescribeUserPoolDomain = %+v", *d)
		}
		pool, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &a})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(pool.UserPool.Domain) != "my-app-1" || pool.UserPool.CustomDomain != nil {
			t.Errorf("DescribeUserPool Domain %q CustomDomain %v", aws.ToString(pool.UserPool.Domain), pool.UserPool.CustomDomain)
		}

		// A name no pool holds: an empty description, not an error.
		none, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("nobody-has-this")})
		if err != nil || none.DomainDescription == nil || none.DomainDescription.UserPoolId != nil || none.DomainDescription.Status != "" {
			t.Errorf("DescribeUserPoolDomain of a free name = %+v, %v; want an empty description", none, err)
		}

		refused := func(in *cip.CreateUserPoolDomainInput, msg string) {
			t.Helper()
			_, err := c.CreateUserPoolDomain(ctx, in)
			wantAPIError[*types.InvalidParameterException](t, err, msg)
		}
		refused(&cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my-app-1")}, "Domain already associated with another user pool.")
		refused(&cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my-aws-app")}, "Domain cannot contain reserved word: aws")
		refused(&cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("amazonian")}, "Domain cannot contain reserved word: amazon")
		refused(&cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("newcognito")}, "Domain cannot contain reserved word: cognito")
		invalid := `The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`
		for _, bad := range []string{"My-App", "my_app", "-app", "app-", "a.b"} {
			refused(&cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String(bad)}, invalid)
		}
		refused(&cip.CreateUserPoolDomainInput{UserPoolId: &a, Domain: aws.String("second-prefix")}, "The user pool already has a domain configured.")
		_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String("us-east-1_Nope12345"), Domain: aws.String("orphan")})
		wantAPIError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope12345 does not exist.")

		// A custom domain beside the prefix: dots allowed, the
		// distribution returned.
		cert := aws.String("arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666")
		cust, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &a, Domain: aws.String("auth.example.com"),
			CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: cert}, ManagedLoginVersion: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(cust.CloudFrontDomain) == "" || aws.ToInt32(cust.ManagedLoginVersion) != 2 {
			t.Errorf("CreateUserPoolDomain (custom) = %+v", cust)
		}
		pool, _ = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &a})
		if aws.ToString(pool.UserPool.CustomDomain) != "auth.example.com" || aws.ToString(pool.UserPool.Domain) != "my-app-1" {
			t.Errorf("DescribeUserPool Domain %q CustomDomain %q", aws.ToString(pool.UserPool.Domain), aws.ToString(pool.UserPool.CustomDomain))
		}
		desc, _ = c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("auth.example.com")})
		if desc.DomainDescription.CustomDomainConfig == nil || aws.ToString(desc.DomainDescription.CustomDomainConfig.CertificateArn) != *cert {
			t.Errorf("custom domain description = %+v", *desc.DomainDescription)
		}

		// Updates keep the name and kind.
		_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &a, Domain: aws.String("auth.example.com"), ManagedLoginVersion: aws.Int32(1)})
		wantAPIError[*types.InvalidParameterException](t, err, "Cannot convert custom domain to prefix domain.")
		up, err := c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &a, Domain: aws.String("my-app-1"), ManagedLoginVersion: aws.Int32(2)})
		if err != nil || aws.ToInt32(up.ManagedLoginVersion) != 2 || up.CloudFrontDomain != nil {
			t.Fatalf("UpdateUserPoolDomain = %+v, %v", up, err)
		}
		desc, _ = c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app-1")})
		if aws.ToInt32(desc.DomainDescription.ManagedLoginVersion) != 2 {
			t.Errorf("after the update, ManagedLoginVersion = %d", aws.ToInt32(desc.DomainDescription.ManagedLoginVersion))
		}
		_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &a, Domain: aws.String("my-app-1"), ManagedLoginVersion: aws.Int32(3)})
		wantAPIError[*types.InvalidParameterException](t, err, "ManagedLoginVersion must be 1 or 2.")
		_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my-app-1"), ManagedLoginVersion: aws.Int32(1)})
		wantAPIError[*types.InvalidParameterException](t, err, "No such domain or user pool exists.")

		// A pool with a domain is not deleted; its domains go first.
		_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &a})
		wantAPIError[*types.InvalidParameterException](t, err, "User pool cannot be deleted. It has a domain configured that should be deleted first.")
		_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my-app-1")})
		wantAPIError[*types.InvalidParameterException](t, err, "No such domain or user pool exists.")
		for _, name := range []string{"my-app-1", "auth.example.com"} {
			if _, err := c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &a, Domain: aws.String(name)}); err != nil {
				t.Fatalf("DeleteUserPoolDomain(%s): %v", name, err)
			}
		}
		_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &a, Domain: aws.String("my-app-1")})
		wantAPIError[*types.InvalidParameterException](t, err, "No such domain or user pool exists.")
		// The name is free for another pool now.
		if _, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my-app-1")}); err != nil {
			t.Fatalf("the freed name: %v", err)
		}
		if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &a}); err != nil {
			t.Fatalf("DeleteUserPool without domains: %v", err)
		}
	})
}

// Pools racing for one name: exactly one gets it, on any backend.
func TestUserPoolDomainRace(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		c := newWire(t, b).client("us-east-1")
		ctx := context.Background()
		const n = 8
		pools := make([]string, n)
		for i := range pools {
			out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(fmt.Sprint("p", i))})
			if err != nil {
				t.Fatal(err)
			}
			pools[i] = *out.UserPool.Id
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &pools[i], Domain: aws.String("contested")})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			wantAPIError[*types.InvalidParameterException](t, err, "Domain already associated with another user pool.")
		}
		if won != 1 {
			t.Fatalf("%d pools got the name; want 1", won)
		}
	})
}
