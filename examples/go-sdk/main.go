// Command go-sdk walks the attribute lifecycle with the AWS SDK for Go v2
// against Cognate: a pool with a custom attribute, an app client allowed to
// read and write it, sign-up, confirmation with the code read from the
// inspection API, sign-in, and UpdateUserAttributes changing the custom
// attribute and the email (which waits for verification). Start Cognate,
// then:
//
//	go run ./examples/go-sdk [-endpoint http://localhost:9229]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func main() {
	def := os.Getenv("COGNATE_ENDPOINT")
	if def == "" {
		def = "http://localhost:9229"
	}
	endpoint := flag.String("endpoint", def, "Cognate's URL")
	flag.Parse()
	if err := run(context.Background(), *endpoint); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, endpoint string) error {
	// Static dummy credentials: the SDK must never look for real ones.
	client := cognitoidentityprovider.New(cognitoidentityprovider.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})

	pool, err := client.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{
		PoolName:               aws.String("go-sdk-example"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Schema: []types.SchemaAttributeType{{
			Name: aws.String("plan"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true),
		}},
	})
	if err != nil {
		return fmt.Errorf("CreateUserPool: %w", err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	defer func() {
		if _, err := client.DeleteUserPool(ctx, &cognitoidentityprovider.DeleteUserPoolInput{UserPoolId: &poolID}); err != nil {
			fmt.Fprintln(os.Stderr, "DeleteUserPool:", err)
		}
	}()

	// As on AWS, a client reads and writes a custom attribute only when
	// ReadAttributes and WriteAttributes name it.
	app, err := client.CreateUserPoolClient(ctx, &cognitoidentityprovider.CreateUserPoolClientInput{
		UserPoolId: &poolID, ClientName: aws.String("go"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		ReadAttributes:    []string{"email", "email_verified", "custom:plan"},
		WriteAttributes:   []string{"email", "custom:plan"},
	})
	if err != nil {
		return fmt.Errorf("CreateUserPoolClient: %w", err)
	}
	clientID := app.UserPoolClient.ClientId

	if _, err := client.SignUp(ctx, &cognitoidentityprovider.SignUpInput{
		ClientId: clientID, Username: aws.String("erin"), Password: aws.String("Passw0rd!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("erin@example.com")}},
	}); err != nil {
		return fmt.Errorf("SignUp: %w", err)
	}
	code, err := lastCode(endpoint, poolID, "erin")
	if err != nil {
		return err
	}
	if _, err := client.ConfirmSignUp(ctx, &cognitoidentityprovider.ConfirmSignUpInput{
		ClientId: clientID, Username: aws.String("erin"), ConfirmationCode: &code,
	}); err != nil {
		return fmt.Errorf("ConfirmSignUp: %w", err)
	}

	auth, err := client.InitiateAuth(ctx, &cognitoidentityprovider.InitiateAuthInput{
		ClientId: clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": "Passw0rd!"},
	})
	if err != nil {
		return fmt.Errorf("InitiateAuth: %w", err)
	}
	access := auth.AuthenticationResult.AccessToken

	upd, err := client.UpdateUserAttributes(ctx, &cognitoidentityprovider.UpdateUserAttributesInput{
		AccessToken: access,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("custom:plan"), Value: aws.String("pro")},
			{Name: aws.String("email"), Value: aws.String("erin@example.org")},
		},
	})
	if err != nil {
		return fmt.Errorf("UpdateUserAttributes: %w", err)
	}
	for _, d := range upd.CodeDeliveryDetailsList {
		fmt.Printf("verification code for %s sent to %s\n", aws.ToString(d.AttributeName), aws.ToString(d.Destination))
	}

	me, err := client.GetUser(ctx, &cognitoidentityprovider.GetUserInput{AccessToken: access})
	if err != nil {
		return fmt.Errorf("GetUser: %w", err)
	}
	got := map[string]string{}
	for _, a := range me.UserAttributes {
		got[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	fmt.Printf("%s: custom:plan=%s email=%s email_verified=%s\n", aws.ToString(me.Username), got["custom:plan"], got["email"], got["email_verified"])
	if got["custom:plan"] != "pro" || got["email"] != "erin@example.org" || got["email_verified"] != "false" {
		return fmt.Errorf("attributes after the update: %v", got)
	}
	return nil
}

// lastCode reads the newest code Cognate sent a user, from the inspection
// API (local mode only).
func lastCode(endpoint, poolID, username string) (string, error) {
	resp, err := http.Get(endpoint + "/_cognate/messages?UserPoolId=" + url.QueryEscape(poolID) + "&Username=" + url.QueryEscape(username))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct{ Messages []struct{ Code string } }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("inspection API: %w", err)
	}
	if len(out.Messages) == 0 {
		return "", fmt.Errorf("no message for %s", username)
	}
	return out.Messages[len(out.Messages)-1].Code, nil
}
