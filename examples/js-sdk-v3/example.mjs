// The AWS SDK for JavaScript v3 against Cognate: an administrator creates
// a pool, an app client and a user; the user signs in, changes an attribute
// and reads itself. Start Cognate, then:
//
//   npm ci --prefix examples/js-sdk-v3 && node examples/js-sdk-v3/example.mjs
//
// COGNATE_ENDPOINT overrides http://localhost:9229.
import {
  CognitoIdentityProviderClient, CreateUserPoolCommand, CreateUserPoolClientCommand,
  AdminCreateUserCommand, AdminSetUserPasswordCommand, InitiateAuthCommand,
  UpdateUserAttributesCommand, GetUserCommand, DeleteUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";

const endpoint = process.env.COGNATE_ENDPOINT ?? "http://localhost:9229";

// Static dummy credentials: the SDK must never look for real ones.
const client = new CognitoIdentityProviderClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });

const { UserPool } = await client.send(new CreateUserPoolCommand({ PoolName: "js-sdk-v3-example" }));
const { UserPoolClient } = await client.send(new CreateUserPoolClientCommand({
  UserPoolId: UserPool.Id, ClientName: "js", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
}));
await client.send(new AdminCreateUserCommand({ UserPoolId: UserPool.Id, Username: "dave", MessageAction: "SUPPRESS" }));
await client.send(new AdminSetUserPasswordCommand({ UserPoolId: UserPool.Id, Username: "dave", Password: "Passw0rd!", Permanent: true }));

const { AuthenticationResult } = await client.send(new InitiateAuthCommand({
  ClientId: UserPoolClient.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "dave", PASSWORD: "Passw0rd!" },
}));
const AccessToken = AuthenticationResult.AccessToken;
await client.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: "name", Value: "Dave" }] }));
const me = await client.send(new GetUserCommand({ AccessToken }));
const name = me.UserAttributes.find((a) => a.Name === "name")?.Value;
console.log(`signed in as ${me.Username}, name ${name}, in ${UserPool.Id}`);
if (name !== "Dave") throw new Error(`name is ${name}, want Dave`);

await client.send(new DeleteUserPoolCommand({ UserPoolId: UserPool.Id }));
