// amazon-cognito-identity-js against Cognate, as a browser app uses it: a
// user signs up, confirms with the code read from Cognate's inspection API,
// signs in with SRP (USER_SRP_AUTH), changes an attribute with
// UpdateUserAttributes and reads the attributes back. The pool and app
// client are made with two plain JSON calls (local mode accepts them
// unsigned). Start Cognate, then:
//
//   npm ci --prefix examples/identity-js && node examples/identity-js/example.mjs
//
// COGNATE_ENDPOINT overrides http://localhost:9229.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { CognitoUserPool, CognitoUser, AuthenticationDetails, CognitoUserAttribute } = require("amazon-cognito-identity-js");

const endpoint = (process.env.COGNATE_ENDPOINT ?? "http://localhost:9229").replace(/\/?$/, "/");

// An administrator's call, as the AWS CLI sends it (JSON 1.1 with a target).
async function admin(op, body) {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  const out = await res.json();
  if (!res.ok) throw new Error(`${op}: ${out.__type}: ${out.message}`);
  return out;
}

// The library's callbacks, as promises.
const call = (fn) => new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));

const { UserPool } = await admin("CreateUserPool", { PoolName: "identity-js-example", AutoVerifiedAttributes: ["email"] });
try {
  const { UserPoolClient } = await admin("CreateUserPoolClient", { UserPoolId: UserPool.Id, ClientName: "web" });
  // The library sends every call to `endpoint` as given.
  const pool = new CognitoUserPool({ UserPoolId: UserPool.Id, ClientId: UserPoolClient.ClientId, endpoint });

  const email = new CognitoUserAttribute({ Name: "email", Value: "erin@example.com" });
  await call((cb) => pool.signUp("erin", "Passw0rd!", [email], null, cb));

  // The confirmation code, as a test reads it: no mailbox needed.
  const inbox = await (await fetch(`${endpoint}_cognate/messages?UserPoolId=${UserPool.Id}&Username=erin`)).json();
  const code = inbox.Messages.at(-1).Code;

  const user = new CognitoUser({ Username: "erin", Pool: pool });
  await call((cb) => user.confirmRegistration(code, false, cb));

  const session = await new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username: "erin", Password: "Passw0rd!" }), { onSuccess: resolve, onFailure: reject }),
  );
  console.log("signed in with SRP; access token for", session.getAccessToken().decodePayload().username);

  await call((cb) => user.updateAttributes([new CognitoUserAttribute({ Name: "name", Value: "Erin" })], cb));
  const attrs = await call((cb) => user.getUserAttributes(cb));
  const name = attrs.find((a) => a.getName() === "name")?.getValue();
  if (name !== "Erin") throw new Error(`name is ${name}, want Erin`);
  console.log("name after UpdateUserAttributes:", name);
} finally {
  await admin("DeleteUserPool", { UserPoolId: UserPool.Id });
}
