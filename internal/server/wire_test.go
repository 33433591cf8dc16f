package server_test

// Wire tests: the whole server behind httptest, driven by the AWS SDK for Go
// v2 exactly as an application would drive Cognito, on a fresh SQLite file.

import (
	"context"
	"errors"
	"go/ast"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithy "github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// wantAPIError asserts that err is the SDK's typed error T (for example
// *types.ResourceNotFoundException) with code and, unless msg is empty,
// exactly that message, answered with HTTP 400.
func wantAPIError[T smithy.APIError](t *testing.T, err error, msg string) T {
	t.Helper()
	var target T
	if err == nil {
		t.Fatalf("no error, want %T", target)
	}
	if !errors.As(err, &target) {
		t.Fatalf("error = %v (%T), want %T", err, err, target)
	}
	if msg != "" && target.ErrorMessage() != msg {
		t.Errorf("message = %q, want %q", target.ErrorMessage(), msg)
	}
	wantStatus(t, err, 400)
	return target
}

// wantStatus asserts the HTTP status the SDK saw.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v carries no HTTP response", err)
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("HTTP status = %d, want %d", re.HTTPStatusCode(), status)
	}
	if re.ServiceRequestID() == "" {
		t.Errorf("no request id in the error response")
	}
}

// ignoreUnexported skips the SDK types' unexported document marker fields.
var ignoreUnexported = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && !ast.IsExported(sf.Name())
}, cmp.Ignore())

func diff(want, got any) string { return cmp.Diff(want, got, ignoreUnexported) }

func createPool(t *testing.T, c *cip.Client, in *cip.CreateUserPoolInput) *types.UserPoolType {
	t.Helper()
	out, err := c.CreateUserPool(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	return out.UserPool
}

func describePool(t *testing.T, c *cip.Client, id string) *types.UserPoolType {
	t.Helper()
	out, err := c.DescribeUserPool(context.Background(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
	if err != nil {
		t.Fatalf("DescribeUserPool(%s): %v", id, err)
	}
	return out.UserPool
}

var poolIDPattern = regexp.MustCompile(`^us-east-1_[A-Za-z0-9]{9}$`)

// standardSchema is the schema of a pool created without Schema, as
// DescribeUserPool shows it.
func standardSchema() []types.SchemaAttributeType {
	str := func(name string, mutable, required bool, minLen, maxLen string) types.SchemaAttributeType {
		a := types.SchemaAttributeType{
			Name: aws.String(name), AttributeDataType: types.AttributeDataTypeString,
			DeveloperOnlyAttribute: aws.Bool(false), Mutable: aws.Bool(mutable), Required: aws.Bool(required),
			StringAttributeConstraints: &types.StringAttributeConstraintsType{},
		}
		if maxLen != "" {
			a.StringAttributeConstraints.MinLength = aws.String(minLen)
			a.StringAttributeConstraints.MaxLength = aws.String(maxLen)
		}
		return a
	}
	boolean := func(name string) types.SchemaAttributeType {
		return types.SchemaAttributeType{
			Name: aws.String(name), AttributeDataType: types.AttributeDataTypeBoolean,
			DeveloperOnlyAttribute: aws.Bool(false), Mutable: aws.Bool(true), Required: aws.Bool(false),
		}
	}
	plain := func(name string) types.SchemaAttributeType { return str(name, true, false, "0", "2048") }
	return []types.SchemaAttributeType{
		str("sub", false, true, "1", "2048"),
		plain("name"), plain("given_name"), plain("family_name"), plain("middle_name"),
		plain("nickname"), plain("preferred_username"), plain("profile"), plain("picture"),
		plain("website"), plain("email"), boolean("email_verified"), plain("gender"),
		str("birthdate", true, false, "10", "10"),
		plain("zoneinfo"), plain("locale"), plain("phone_number"), boolean("phone_number_verified"),
		plain("address"),
		{
			Name: aws.String("updated_at"), AttributeDataType: types.AttributeDataTypeNumber,
			DeveloperOnlyAttribute: aws.Bool(false), Mutable: aws.Bool(true), Required: aws.Bool(false),
			NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("0")},
		},
		str("identities", true, false, "", ""),
	}
}

func defaultPasswordPolicy() *types.UserPoolPolicyType {
	return &types.UserPoolPolicyType{
		PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(8), RequireUppercase: true, RequireLowercase: true,
			RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 7,
		},
		SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword}},
	}
}

func TestCreateUserPoolMinimal(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		before := time.Now().Add(-time.Second)
		created := createPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("minimal")})
		after := time.Now().Add(time.Second)

		id := aws.ToString(created.Id)
		if !poolIDPattern.MatchString(id) {
			t.Fatalf("Id = %q, want %s", id, poolIDPattern)
		}
		if want := "arn:aws:cognito-idp:us-east-1:" + testAccount + ":userpool/" + id; aws.ToString(created.Arn) != want {
			t.Errorf("Arn = %q, want %q", aws.ToString(created.Arn), want)
		}

		got := describePool(t, c, id)
		if d := diff(created, got); d != "" {
			t.Errorf("CreateUserPool and DescribeUserPool disagree (-create +describe):\n%s", d)
		}
		if aws.ToString(got.Name) != "minimal" {
			t.Errorf("Name = %q", aws.ToString(got.Name))
		}
		if d := diff(defaultPasswordPolicy(), got.Policies); d != "" {
			t.Errorf("Policies (-want +got):\n%s", d)
		}
		if got.DeletionProtection != types.DeletionProtectionTypeInactive {
			t.Errorf("DeletionProtection = %q", got.DeletionProtection)
		}
		if got.MfaConfiguration != types.UserPoolMfaTypeOff {
			t.Errorf("MfaConfiguration = %q", got.MfaConfiguration)
		}
		if got.EmailConfiguration == nil || got.EmailConfiguration.EmailSendingAccount != types.EmailSendingAccountTypeCognitoDefault {
			t.Errorf("EmailConfiguration = %+v", got.EmailConfiguration)
		}
		if d := diff(&types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7}, got.AdminCreateUserConfig); d != "" {
			t.Errorf("AdminCreateUserConfig (-want +got):\n%s", d)
		}
		if got.VerificationMessageTemplate == nil || got.VerificationMessageTemplate.DefaultEmailOption != types.DefaultEmailOptionTypeConfirmWithCode {
			t.Errorf("VerificationMessageTemplate = %+v", got.VerificationMessageTemplate)
		}
		if got.UserPoolTier != types.UserPoolTierTypeEssentials {
			t.Errorf("UserPoolTier = %q", got.UserPoolTier)
		}
		if d := diff(standardSchema(), got.SchemaAttributes); d != "" {
			t.Errorf("SchemaAttributes (-want +got):\n%s", d)
		}
		if len(got.SchemaAttributes) != 21 {
			t.Errorf("%d schema attributes, want 21", len(got.SchemaAttributes))
		}
		if got.CreationDate == nil || got.CreationDate.Before(before) || got.CreationDate.After(after) {
			t.Errorf("CreationDate = %v, want between %v and %v", got.CreationDate, before, after)
		}
		if got.LastModifiedDate == nil || !got.LastModifiedDate.Equal(*got.CreationDate) {
			t.Errorf("LastModifiedDate = %v, want CreationDate %v", got.LastModifiedDate, got.CreationDate)
		}
		if got.EstimatedNumberOfUsers != 0 {
			t.Errorf("EstimatedNumberOfUsers = %d", got.EstimatedNumberOfUsers)
		}
		if len(got.AutoVerifiedAttributes) != 0 || len(got.UsernameAttributes) != 0 || len(got.AliasAttributes) != 0 {
			t.Errorf("unexpected attributes: auto-verified %v, username %v, alias %v",
				got.AutoVerifiedAttributes, got.UsernameAttributes, got.AliasAttributes)
		}
	})
}

// The pool id and ARN take the region of the SigV4 credential scope: one
// server serves every region.
func TestCreateUserPoolRegionFromCredentialScope(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		p := createPool(t, w.client("us-west-2"), &cip.CreateUserPoolInput{PoolName: aws.String("west")})
		id := aws.ToString(p.Id)
		if !regexp.MustCompile(`^us-west-2_[A-Za-z0-9]{9}$`).MatchString(id) {
			t.Errorf("Id = %q, want prefix us-west-2_", id)
		}
		if want := "arn:aws:cognito-idp:us-west-2:" + testAccount + ":userpool/" + id; aws.ToString(p.Arn) != want {
			t.Errorf("Arn = %q, want %q", aws.ToString(p.Arn), want)
		}
	})
}

func TestCreateUserPoolWithEverything(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		lambda := &types.LambdaConfigType{
			PreSignUp:     aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:pre-sign-up"),
			CustomMessage: aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:custom-message"),
			PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
				LambdaArn:     aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:pre-token"),
				LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20,
			},
		}
		recovery := &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)},
			{Name: types.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: aws.Int32(2)},
		}}
		policies := &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{
				MinimumLength: aws.Int32(12), RequireNumbers: true, TemporaryPasswordValidityDays: 3,
			},
			SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword}},
		}
		template := &types.VerificationMessageTemplateType{
			DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithCode,
			EmailMessage:       aws.String("Your code is {####}"),
			EmailSubject:       aws.String("Your code"),
			SmsMessage:         aws.String("Code {####}"),
		}
		created := createPool(t, c, &cip.CreateUserPoolInput{
			PoolName: aws.String("everything"),
			Schema: []types.SchemaAttributeType{
				{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
				{
					Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false),
					StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("64")},
				},
				{
					Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber,
					NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("0"), MaxValue: aws.String("100")},
				},
				{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString, DeveloperOnlyAttribute: aws.Bool(true)},
			},
			AutoVerifiedAttributes:      []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			UsernameAttributes:          []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			UsernameConfiguration:       &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
			UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
			LambdaConfig:                lambda,
			UserPoolTags:                map[string]string{"team": "identity", "env": "test"},
			AccountRecoverySetting:      recovery,
			Policies:                    policies,
			VerificationMessageTemplate: template,
			AdminCreateUserConfig:       &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true, UnusedAccountValidityDays: 3},
			DeletionProtection:          types.DeletionProtectionTypeInactive,
			MfaConfiguration:            types.UserPoolMfaTypeOff,
		})
		got := describePool(t, c, aws.ToString(created.Id))

		wantSchema := standardSchema()
		wantSchema[10].Required = aws.Bool(true) // email
		wantSchema = append(wantSchema,
			types.SchemaAttributeType{
				Name: aws.String("custom:tenant"), AttributeDataType: types.AttributeDataTypeString,
				DeveloperOnlyAttribute: aws.Bool(false), Mutable: aws.Bool(false), Required: aws.Bool(false),
				StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("64")},
			},
			types.SchemaAttributeType{
				Name: aws.String("custom:level"), AttributeDataType: types.AttributeDataTypeNumber,
				DeveloperOnlyAttribute: aws.Bool(false), Mutable: aws.Bool(true), Required: aws.Bool(false),
				NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("0"), MaxValue: aws.String("100")},
			},
			types.SchemaAttributeType{
				Name: aws.String("dev:custom:x"), AttributeDataType: types.AttributeDataTypeString,
				DeveloperOnlyAttribute: aws.Bool(true), Mutable: aws.Bool(true), Required: aws.Bool(false),
				StringAttributeConstraints: &types.StringAttributeConstraintsType{},
			},
		)
		checks := []struct {
			name      string
			want, got any
		}{
			{"SchemaAttributes", wantSchema, got.SchemaAttributes},
			{"AutoVerifiedAttributes", []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}, got.AutoVerifiedAttributes},
			{"UsernameAttributes", []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}, got.UsernameAttributes},
			{"UsernameConfiguration", &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}, got.UsernameConfiguration},
			{"UserAttributeUpdateSettings", &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}, got.UserAttributeUpdateSettings},
			// PreTokenGenerationConfig alone also fills the legacy member with
			// the same ARN, as AWS documents (API_LambdaConfigType).
			{"LambdaConfig", withLegacyPreToken(lambda), got.LambdaConfig},
			{"UserPoolTags", map[string]string{"team": "identity", "env": "test"}, got.UserPoolTags},
			{"AccountRecoverySetting", recovery, got.AccountRecoverySetting},
			{"Policies", policies, got.Policies},
			{"VerificationMessageTemplate", template, got.VerificationMessageTemplate},
			// The legacy top-level members follow the template.
			{"EmailVerificationMessage", aws.String("Your code is {####}"), got.EmailVerificationMessage},
			{"EmailVerificationSubject", aws.String("Your code"), got.EmailVerificationSubject},
			{"SmsVerificationMessage", aws.String("Code {####}"), got.SmsVerificationMessage},
			{"AdminCreateUserConfig", &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true, UnusedAccountValidityDays: 3}, got.AdminCreateUserConfig},
			{"AliasAttributes", []types.AliasAttributeType(nil), got.AliasAttributes},
		}
		for _, c := range checks {
			if d := diff(c.want, c.got); d != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, d)
			}
		}
		if d := diff(created, got); d != "" {
			t.Errorf("CreateUserPool and DescribeUserPool disagree (-create +describe):\n%s", d)
		}
	})
}

// withLegacyPreToken is a LambdaConfig as DescribeUserPool shows it: the
// legacy PreTokenGeneration holds PreTokenGenerationConfig's ARN.
func withLegacyPreToken(lc *types.LambdaConfigType) *types.LambdaConfigType {
	out := *lc
	out.PreTokenGeneration = lc.PreTokenGenerationConfig.LambdaArn
	return &out
}

func TestUserPoolRuleErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		ctx := context.Background()
		cases := []struct {
			name string
			in   *cip.CreateUserPoolInput
			msg  string
		}{
			{
				name: "verification before update needs auto-verification",
				in: &cip.CreateUserPoolInput{
					PoolName:                    aws.String("p"),
					AutoVerifiedAttributes:      []types.VerifiedAttributeType{types.VerifiedAttributeTypePhoneNumber},
					UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
				},
				msg: "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes",
			},
			{
				name: "verification before update without auto-verification",
				in: &cip.CreateUserPoolInput{
					PoolName:                    aws.String("p"),
					UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
				},
				msg: "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes",
			},
			{
				name: "username and alias attributes",
				in: &cip.CreateUserPoolInput{
					PoolName:           aws.String("p"),
					UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
					AliasAttributes:    []types.AliasAttributeType{types.AliasAttributeTypePreferredUsername},
				},
				msg: "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
			},
			{
				name: "required custom attribute",
				in: &cip.CreateUserPoolInput{
					PoolName: aws.String("p"),
					Schema: []types.SchemaAttributeType{
						{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true)},
					},
				},
				msg: "Required custom attributes are not supported currently.",
			},
			{
				name: "standard attribute type change",
				in: &cip.CreateUserPoolInput{
					PoolName: aws.String("p"),
					Schema: []types.SchemaAttributeType{
						{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeNumber},
					},
				},
				msg: "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				_, err := c.CreateUserPool(ctx, tc.in)
				wantAPIError[*types.InvalidParameterException](t, err, tc.msg)
			})
		}

		t.Run("duplicate custom attribute", func(t *testing.T) {
			t.Parallel()
			p := createPool(t, c, &cip.CreateUserPoolInput{
				PoolName: aws.String("p"),
				Schema:   []types.SchemaAttributeType{{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString}},
			})
			_, err := c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{
				UserPoolId:       p.Id,
				CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString}},
			})
			wantAPIError[*types.InvalidParameterException](t, err, "custom:x: Existing attribute already has name custom:x.")

			// A request that adds the same name twice adds nothing.
			_, err = c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{
				UserPoolId: p.Id,
				CustomAttributes: []types.SchemaAttributeType{
					{Name: aws.String("y"), AttributeDataType: types.AttributeDataTypeString},
					{Name: aws.String("y"), AttributeDataType: types.AttributeDataTypeNumber},
				},
			})
			wantAPIError[*types.InvalidParameterException](t, err, "custom:y: Existing attribute already has name custom:y.")
			if n := len(describePool(t, c, *p.Id).SchemaAttributes); n != 22 {
				t.Errorf("%d schema attributes after failed adds, want 22", n)
			}

			// A new name is appended as custom:<name>.
			if _, err := c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{
				UserPoolId:       p.Id,
				CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("z"), AttributeDataType: types.AttributeDataTypeNumber}},
			}); err != nil {
				t.Fatalf("AddCustomAttributes: %v", err)
			}
			schema := describePool(t, c, *p.Id).SchemaAttributes
			if last := schema[len(schema)-1]; aws.ToString(last.Name) != "custom:z" || last.AttributeDataType != types.AttributeDataTypeNumber {
				t.Errorf("last schema attribute = %s %s, want custom:z Number", aws.ToString(last.Name), last.AttributeDataType)
			}
		})

		t.Run("deletion protection", func(t *testing.T) {
			t.Parallel()
			p := createPool(t, c, &cip.CreateUserPoolInput{
				PoolName:           aws.String("protected"),
				DeletionProtection: types.DeletionProtectionTypeActive,
			})
			_, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: p.Id})
			wantAPIError[*types.InvalidParameterException](t, err,
				"The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
			describePool(t, c, *p.Id) // still there

			if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
				UserPoolId: p.Id, DeletionProtection: types.DeletionProtectionTypeInactive,
			}); err != nil {
				t.Fatalf("UpdateUserPool: %v", err)
			}
			if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: p.Id}); err != nil {
				t.Fatalf("DeleteUserPool after deactivating protection: %v", err)
			}
			_, err = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: p.Id})
			wantAPIError[*types.ResourceNotFoundException](t, err, "User pool "+*p.Id+" does not exist.")
		})
	})
}

// UpdateUserPool replaces every updatable member: what the request leaves out
// returns to its default, as on AWS.
func TestUpdateUserPoolResetsOmittedMembers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clock := newFakeClock()
		w := newWire(t, b, withClock(clock))
		c := w.client("us-east-1")
		ctx := context.Background()
		p := createPool(t, c, &cip.CreateUserPoolInput{
			PoolName: aws.String("before"),
			Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
				MinimumLength: aws.Int32(20), RequireLowercase: true, TemporaryPasswordValidityDays: 1,
			}},
			MfaConfiguration:         types.UserPoolMfaTypeOptional,
			DeletionProtection:       types.DeletionProtectionTypeActive,
			EmailVerificationSubject: aws.String("Hello"),
			AdminCreateUserConfig:    &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true, UnusedAccountValidityDays: 2},
			UsernameAttributes:       []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			UsernameConfiguration:    &types.UsernameConfigurationType{CaseSensitive: aws.Bool(true)},
			Schema:                   []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}},
		})
		before := describePool(t, c, *p.Id)

		clock.Advance(time.Hour)
		if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
			UserPoolId:             p.Id,
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		}); err != nil {
			t.Fatalf("UpdateUserPool: %v", err)
		}
		got := describePool(t, c, *p.Id)

		if d := diff(defaultPasswordPolicy(), got.Policies); d != "" {
			t.Errorf("Policies not reset (-want +got):\n%s", d)
		}
		if got.MfaConfiguration != types.UserPoolMfaTypeOff {
			t.Errorf("MfaConfiguration = %q, want OFF", got.MfaConfiguration)
		}
		if got.DeletionProtection != types.DeletionProtectionTypeInactive {
			t.Errorf("DeletionProtection = %q, want INACTIVE", got.DeletionProtection)
		}
		if got.EmailVerificationSubject != nil {
			t.Errorf("EmailVerificationSubject = %q, want none", *got.EmailVerificationSubject)
		}
		if d := diff(&types.AdminCreateUserConfigType{UnusedAccountValidityDays: 7}, got.AdminCreateUserConfig); d != "" {
			t.Errorf("AdminCreateUserConfig not reset (-want +got):\n%s", d)
		}
		if d := diff([]types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}, got.AutoVerifiedAttributes); d != "" {
			t.Errorf("AutoVerifiedAttributes (-want +got):\n%s", d)
		}
		// Fixed at creation.
		if aws.ToString(got.Name) != "before" {
			t.Errorf("Name = %q, want it kept", aws.ToString(got.Name))
		}
		if d := diff(before.SchemaAttributes, got.SchemaAttributes); d != "" {
			t.Errorf("SchemaAttributes changed (-before +after):\n%s", d)
		}
		if d := diff(before.UsernameAttributes, got.UsernameAttributes); d != "" {
			t.Errorf("UsernameAttributes changed (-before +after):\n%s", d)
		}
		if d := diff(before.UsernameConfiguration, got.UsernameConfiguration); d != "" {
			t.Errorf("UsernameConfiguration changed (-before +after):\n%s", d)
		}
		if aws.ToString(got.Arn) != aws.ToString(before.Arn) {
			t.Errorf("Arn changed: %q → %q", aws.ToString(before.Arn), aws.ToString(got.Arn))
		}
		if !got.CreationDate.Equal(clock.Now().Add(-time.Hour)) {
			t.Errorf("CreationDate = %v, want %v", got.CreationDate, clock.Now().Add(-time.Hour))
		}
		if !got.LastModifiedDate.Equal(clock.Now()) {
			t.Errorf("LastModifiedDate = %v, want the update time %v", got.LastModifiedDate, clock.Now())
		}

		// A new name is taken; the rules of CreateUserPool apply to the update.
		if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: p.Id, PoolName: aws.String("after")}); err != nil {
			t.Fatalf("UpdateUserPool(PoolName): %v", err)
		}
		if n := aws.ToString(describePool(t, c, *p.Id).Name); n != "after" {
			t.Errorf("Name = %q, want after", n)
		}
		_, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
			UserPoolId:                  p.Id,
			UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
		})
		wantAPIError[*types.InvalidParameterException](t, err, "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes")
	})
}

func TestListUserPools(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		east, west := w.client("us-east-1"), w.client("us-west-2")
		ctx := context.Background()
		var want []string
		for i := range 5 {
			p := createPool(t, east, &cip.CreateUserPoolInput{PoolName: aws.String("pool" + string(rune('a'+i)))})
			want = append(want, *p.Id)
		}
		westPool := createPool(t, west, &cip.CreateUserPoolInput{PoolName: aws.String("west")})

		t.Run("pagination", func(t *testing.T) {
			t.Parallel()
			var got []string
			var sizes []int
			var token *string
			for page := 0; ; page++ {
				if page > 5 {
					t.Fatalf("pagination does not end")
				}
				out, err := east.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2), NextToken: token})
				if err != nil {
					t.Fatalf("ListUserPools page %d: %v", page, err)
				}
				sizes = append(sizes, len(out.UserPools))
				for _, p := range out.UserPools {
					got = append(got, aws.ToString(p.Id))
					if p.CreationDate == nil || p.LastModifiedDate == nil || p.LambdaConfig == nil || p.Name == nil {
						t.Errorf("pool %s lacks members: %+v", aws.ToString(p.Id), p)
					}
				}
				if out.NextToken == nil {
					break
				}
				token = out.NextToken
			}
			if d := cmp.Diff([]int{2, 2, 1}, sizes); d != "" {
				t.Errorf("page sizes (-want +got):\n%s", d)
			}
			slices.Sort(got)
			wantSorted := slices.Sorted(slices.Values(want))
			if d := cmp.Diff(wantSorted, got); d != "" {
				t.Errorf("pools listed (-want +got):\n%s", d)
			}
		})

		t.Run("SDK paginator", func(t *testing.T) {
			t.Parallel()
			pg := cip.NewListUserPoolsPaginator(east, &cip.ListUserPoolsInput{MaxResults: aws.Int32(3)})
			n := 0
			for pg.HasMorePages() {
				out, err := pg.NextPage(ctx)
				if err != nil {
					t.Fatalf("NextPage: %v", err)
				}
				n += len(out.UserPools)
			}
			if n != 5 {
				t.Errorf("paginator saw %d pools, want 5", n)
			}
		})

		t.Run("region isolation", func(t *testing.T) {
			t.Parallel()
			out, err := east.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range out.UserPools {
				if aws.ToString(p.Id) == *westPool.Id {
					t.Errorf("us-east-1 lists the us-west-2 pool %s", *westPool.Id)
				}
			}
			if len(out.UserPools) != 5 || out.NextToken != nil {
				t.Errorf("us-east-1 lists %d pools (NextToken %v), want 5 and no token", len(out.UserPools), out.NextToken)
			}
			out, err = west.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.UserPools) != 1 || aws.ToString(out.UserPools[0].Id) != *westPool.Id {
				t.Errorf("us-west-2 lists %+v, want only %s", out.UserPools, *westPool.Id)
			}
		})

		t.Run("invalid NextToken", func(t *testing.T) {
			t.Parallel()
			_, err := east.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2), NextToken: aws.String("%%%")})
			wantAPIError[*types.InvalidParameterException](t, err, "Invalid pagination token.")

			// A token of another region's listing is not valid here.
			out, err := west.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
			if err != nil {
				t.Fatal(err)
			}
			if out.NextToken != nil {
				t.Fatalf("one pool in us-west-2, yet a NextToken %q", *out.NextToken)
			}
			first, err := east.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
			if err != nil || first.NextToken == nil {
				t.Fatalf("ListUserPools: %v, token %v", err, first)
			}
			_, err = west.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1), NextToken: first.NextToken})
			wantAPIError[*types.InvalidParameterException](t, err, "Invalid pagination token.")
		})
	})
}

func TestMissingPool(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		ctx := context.Background()
		const id = "us-east-1_XXXXXXXXX"
		const msg = "User pool " + id + " does not exist."
		calls := map[string]func() error{
			"DescribeUserPool": func() error {
				_, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
				return err
			},
			"UpdateUserPool": func() error {
				_, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(id)})
				return err
			},
			"DeleteUserPool": func() error {
				_, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
				return err
			},
			"AddCustomAttributes": func() error {
				_, err := c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{
					UserPoolId:       aws.String(id),
					CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString}},
				})
				return err
			},
			"GetCSVHeader": func() error {
				_, err := c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(id)})
				return err
			},
			"CreateUserPoolClient": func() error {
				_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(id), ClientName: aws.String("app")})
				return err
			},
			"ListUserPoolClients": func() error {
				_, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(id)})
				return err
			},
			"DescribeUserPoolClient": func() error {
				_, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(id), ClientId: aws.String("abcdefghijklmnopqrstuvwxyz")})
				return err
			},
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				wantAPIError[*types.ResourceNotFoundException](t, call(), msg)
			})
		}
	})
}

func TestGetCSVHeader(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		ctx := context.Background()
		p := createPool(t, c, &cip.CreateUserPoolInput{
			PoolName: aws.String("csv"),
			Schema: []types.SchemaAttributeType{
				{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString},
				{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber},
			},
		})
		if _, err := c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{
			UserPoolId:       p.Id,
			CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("plan"), AttributeDataType: types.AttributeDataTypeString}},
		}); err != nil {
			t.Fatal(err)
		}
		out, err := c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: p.Id})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
			"profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
			"zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at",
			"cognito:mfa_enabled", "cognito:username",
			"custom:tenant", "custom:level", "custom:plan",
		}
		if d := cmp.Diff(want, out.CSVHeader); d != "" {
			t.Errorf("CSVHeader (-want +got):\n%s", d)
		}
		if aws.ToString(out.UserPoolId) != *p.Id {
			t.Errorf("UserPoolId = %q, want %q", aws.ToString(out.UserPoolId), *p.Id)
		}
	})
}

func TestTags(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		ctx := context.Background()
		p := createPool(t, c, &cip.CreateUserPoolInput{
			PoolName:     aws.String("tagged"),
			UserPoolTags: map[string]string{"created": "yes"},
		})
		listTags := func() map[string]string {
			t.Helper()
			out, err := c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: p.Arn})
			if err != nil {
				t.Fatalf("ListTagsForResource: %v", err)
			}
			return out.Tags
		}
		if d := cmp.Diff(map[string]string{"created": "yes"}, listTags()); d != "" {
			t.Errorf("tags after create (-want +got):\n%s", d)
		}
		if _, err := c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: p.Arn, Tags: map[string]string{"a": "1", "b": "2", "created": "again"}}); err != nil {
			t.Fatalf("TagResource: %v", err)
		}
		if d := cmp.Diff(map[string]string{"a": "1", "b": "2", "created": "again"}, listTags()); d != "" {
			t.Errorf("tags after TagResource (-want +got):\n%s", d)
		}
		if _, err := c.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: p.Arn, TagKeys: []string{"a", "missing"}}); err != nil {
			t.Fatalf("UntagResource: %v", err)
		}
		want := map[string]string{"b": "2", "created": "again"}
		if d := cmp.Diff(want, listTags()); d != "" {
			t.Errorf("tags after UntagResource (-want +got):\n%s", d)
		}
		if d := cmp.Diff(want, describePool(t, c, *p.Id).UserPoolTags); d != "" {
			t.Errorf("DescribeUserPool UserPoolTags (-want +got):\n%s", d)
		}

		unknown := []string{
			"arn:aws:cognito-idp:us-east-1:" + testAccount + ":userpool/us-east-1_XXXXXXXXX",
			// The right pool id under another account is another resource.
			"arn:aws:cognito-idp:us-east-1:999999999999:userpool/" + *p.Id,
		}
		for _, arn := range unknown {
			msg := "Resource " + arn + " does not exist."
			_, err := c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			wantAPIError[*types.ResourceNotFoundException](t, err, msg)
			_, err = c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1"}})
			wantAPIError[*types.ResourceNotFoundException](t, err, msg)
			_, err = c.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}})
			wantAPIError[*types.ResourceNotFoundException](t, err, msg)
		}
	})
}

// Model validation runs on the server: the SDK checks only required members.
func TestModelValidationThroughSDK(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		_, err := c.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("bad/name")})
		e := wantAPIError[*types.InvalidParameterException](t, err, "")
		const prefix = "1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern:"
		if msg := e.ErrorMessage(); len(msg) < len(prefix) || msg[:len(prefix)] != prefix {
			t.Errorf("message = %q, want prefix %q", msg, prefix)
		}

		_, err = c.ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(61)})
		wantAPIError[*types.InvalidParameterException](t, err,
			"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60")
	})
}

// A region's endpoint knows only its own pools: through a client signing for
// another region, a pool does not exist.
func TestPoolOfAnotherRegionIsNotFound(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		pool := createPool(t, w.client("us-west-2"), &cip.CreateUserPoolInput{PoolName: aws.String("west")})
		_, err := w.client("us-east-1").DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: pool.Id})
		wantAPIError[*types.ResourceNotFoundException](t, err, "User pool "+aws.ToString(pool.Id)+" does not exist.")
		describePool(t, w.client("us-west-2"), aws.ToString(pool.Id))
	})
}
