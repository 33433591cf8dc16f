// Package srp is the server side of SRP-6a as Amazon Cognito runs it for
// USER_SRP_AUTH (and, with the device group key as "pool", DEVICE_SRP_AUTH):
// verifier creation, the server ephemeral B, and checking the client's
// PASSWORD_CLAIM_SIGNATURE. Its byte encodings follow the official
// amazon-cognito-identity-js client, against which it is tested end to end.
package srp
