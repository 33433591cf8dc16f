package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// setPoolMfa is SetUserPoolMfaConfig with TOTP enabled.
func (e *userEnv) setPoolMfa(t *testing.T, poolID string, mode types.UserPoolMfaType) {
	t.Helper()
	if _, err := e.c.SetUserPoolMfaConfig(context.Background(), &cip.SetUserPoolMfaConfigInput{
		UserPoolId: aws.String(poolID), MfaConfiguration: mode,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	}); err != nil {
		t.Fatalf("SetUserPoolMfaConfig: %v", err)
	}
}

func TestMfaPoolConfig(t *testing.T) {
	e := newUserEnv(t)
	ctx := context.Background()
	poolID := e.newPool(t, &cip.CreateUserPoolInput{})
	got, err := e.c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatalf("GetUserPoolMfaConfig: %v", err)
	}
	if got.MfaConfiguration != types.UserPoolMfaTypeOff || got.SoftwareTokenMfaConfiguration != nil {
		t.Errorf("new pool: %v %v, want OFF and no TOTP configuration", got.MfaConfiguration, got.SoftwareTokenMfaConfiguration)
	}
	_, err = e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID), MfaConfiguration: types.UserPoolMfaTypeOn})
	wantAPIError[*types.InvalidParameterException](t, err, "")

	set, err := e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId: aws.String(poolID), MfaConfiguration: types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		EmailMfaConfiguration:         &types.EmailMfaConfigType{Subject: aws.String("code")},
	})
	if err != nil {
		t.Fatalf("SetUserPoolMfaConfig: %v", err)
	}
	if set.MfaConfiguration != types.UserPoolMfaTypeOptional || !set.SoftwareTokenMfaConfiguration.Enabled {
		t.Errorf("SetUserPoolMfaConfig = %v %v", set.MfaConfiguration, set.SoftwareTokenMfaConfiguration)
	}
	// Tags and DescribeUserPool keep and show the mode.
	if _, err := e.c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: describePool(t, e.c, poolID).Arn, Tags: map[string]string{"a": "b"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if d := describePool(t, e.c, poolID); d.MfaConfiguration != types.UserPoolMfaTypeOptional {
		t.Errorf("DescribeUserPool MfaConfiguration = %v, want OPTIONAL", d.MfaConfiguration)
	}
	got, err = e.c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatalf("GetUserPoolMfaConfig: %v", err)
	}
	if got.MfaConfiguration != types.UserPoolMfaTypeOptional || got.SoftwareTokenMfaConfiguration == nil || !got.SoftwareTokenMfaConfiguration.Enabled ||
		got.EmailMfaConfiguration == nil || aws.ToString(got.EmailMfaConfiguration.Subject) != "code" {
		t.Errorf("GetUserPoolMfaConfig = %+v", got)
	}
}
