package trigger

import (
	"context"
	"errors"
	"fmt"

	"github.com/cognate/cognate/internal/api/model"
)

// UserMigration trigger sources.
const (
	UserMigrationAuthentication = "UserMigration_Authentication"
	UserMigrationForgotPassword = "UserMigration_ForgotPassword"
)

// UserMigrationRequest is what a caller knows about a user it could not
// find: the login as typed, the password (sign-in only) and the call's
// ClientMetadata, which Cognito sends both as validationData and as
// clientMetadata.
type UserMigrationRequest struct {
	Region, PoolID, ClientID, UserName string
	TriggerSource                      string
	Password                           string
	ClientMetadata                     map[string]string
}

// userMigrationRequest is the event's "request" member
// (events.CognitoEventUserPoolsMigrateUserRequest). UserMigration_ForgotPassword
// carries no password.
type userMigrationRequest struct {
	Password       string            `json:"password,omitempty"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// UserMigrationResponse is the event's "response" member
// (events.CognitoEventUserPoolsMigrateUserResponse).
type UserMigrationResponse struct {
	UserAttributes         map[string]string `json:"userAttributes"`
	FinalUserStatus        string            `json:"finalUserStatus"`
	MessageAction          string            `json:"messageAction"`
	DesiredDeliveryMediums []string          `json:"desiredDeliveryMediums"`
	ForceAliasCreation     bool              `json:"forceAliasCreation"`
	// EnableSMSMFA turns SMS MFA on for the migrated user (AWS's Migrate
	// user trigger documentation; aws-lambda-go's type lacks it).
	EnableSMSMFA bool `json:"enableSMSMFA"`
}

// Migrated reports whether the function answered with a user: an answer
// without userAttributes means "no such user".
func (r UserMigrationResponse) Migrated() bool { return len(r.UserAttributes) > 0 }

var userMigration = Source[userMigrationRequest, UserMigrationResponse]{
	Name:  "UserMigration",
	Check: checkUserMigration,
}

// checkUserMigration vets the members Cognito constrains. AWS's Knowledge
// Center (cognito-migration-lambda-trigger-errors) lists these refusals as
// UserNotFoundException on InitiateAuth, "Error during migration" for an
// invalid finalUserStatus, messageAction or desiredDeliveryMediums; only
// translations of the exact English wording could be read, so the texts
// are inferred.
func checkUserMigration(_ *userMigrationRequest, resp *UserMigrationResponse) error {
	if !resp.Migrated() {
		return nil
	}
	switch resp.FinalUserStatus {
	case "", model.UserStatusTypeConfirmed, model.UserStatusTypeResetRequired:
	default:
		return MigrationError("invalid finalUserStatus %s", resp.FinalUserStatus)
	}
	switch resp.MessageAction {
	case "", model.MessageActionTypeSuppress:
	default:
		return MigrationError("invalid messageAction %s", resp.MessageAction)
	}
	for _, m := range resp.DesiredDeliveryMediums {
		if m != model.DeliveryMediumTypeEmail && m != model.DeliveryMediumTypeSms {
			return MigrationError("invalid desiredDeliveryMediums %s", m)
		}
	}
	return nil
}

// MigrationError is how Cognito refuses a UserMigration answer it cannot
// use: UserNotFoundException, as the sign-in of an unknown user.
func MigrationError(format string, args ...any) *model.Error {
	return model.Errorf(model.UserNotFoundException, "Error during migration: "+format, args...)
}

// UserMigration runs a pool's UserMigration trigger. A JSON null answer (a
// handler that returns nothing) is the empty answer: no user. Errors are
// *model.Error (see Invoke).
func (inv *Invoker) UserMigration(ctx context.Context, functionARN string, r UserMigrationRequest) (UserMigrationResponse, error) {
	switch r.TriggerSource {
	case UserMigrationAuthentication, UserMigrationForgotPassword:
	default:
		return UserMigrationResponse{}, fmt.Errorf("trigger: %q is not a UserMigration trigger source", r.TriggerSource)
	}
	req := userMigrationRequest{ValidationData: r.ClientMetadata, ClientMetadata: r.ClientMetadata}
	if r.TriggerSource == UserMigrationAuthentication {
		req.Password = r.Password
	}
	resp, err := Invoke(ctx, inv, userMigration, functionARN, Header{
		Region: r.Region, UserPoolID: r.PoolID, UserName: r.UserName, ClientID: r.ClientID, TriggerSource: r.TriggerSource,
	}, req)
	var me *model.Error
	if errors.As(err, &me) && me.Type == model.InvalidLambdaResponseException && me.Message == textInvalidJSON {
		return UserMigrationResponse{}, nil
	}
	return resp, err
}
