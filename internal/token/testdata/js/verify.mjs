// Verifies Cognate's tokens with aws-jwt-verify, the library AWS publishes
// for checking Cognito JWTs. Run by TestAWSJWTVerify (internal/token), which
// writes a JSON object on stdin and reads one back on stdout:
//
//   in:  { issuer, jwksUri, clientId, accessToken, idToken,
//          awsPoolId, awsAccessToken, awsIdToken, jwks }
//   out: { access, id, cognitoAccess, cognitoId, rejected: { case: errorName } }
//
// The first pair is fetched over HTTPS from Cognate's JWKS endpoint with
// JwtRsaVerifier (aws-jwt-verify fetches only over https; the test trusts
// its server's certificate through NODE_EXTRA_CA_CERTS). The second pair
// has Cognito's own issuer (--aws-issuer) and goes through
// CognitoJwtVerifier with the JWKS handed over by cacheJwks, so nothing is
// fetched from AWS.
import { CognitoJwtVerifier, JwtRsaVerifier } from "aws-jwt-verify";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function rejection(promise) {
  try {
    await promise;
    return "accepted";
  } catch (err) {
    // aws-jwt-verify's error classes do not set name; the class says it.
    return `${err?.constructor?.name ?? "Error"}: ${err?.message ?? err}`;
  }
}

const input = await readStdin();
const out = { rejected: {} };

// Access tokens have no aud (client_id instead): audience null.
const accessVerifier = JwtRsaVerifier.create({
  issuer: input.issuer,
  audience: null,
  jwksUri: input.jwksUri,
  customJwtCheck: ({ payload }) => {
    if (payload.token_use !== "access") throw new Error("not an access token");
    if (payload.client_id !== input.clientId) throw new Error("wrong client_id");
  },
});
out.access = await accessVerifier.verify(input.accessToken);

const idVerifier = JwtRsaVerifier.create({
  issuer: input.issuer,
  audience: input.clientId,
  jwksUri: input.jwksUri,
});
out.id = await idVerifier.verify(input.idToken);
out.rejected.idTokenAsAccess = await rejection(accessVerifier.verify(input.idToken));

const cognitoAccess = CognitoJwtVerifier.create({
  userPoolId: input.awsPoolId,
  tokenUse: "access",
  clientId: input.clientId,
});
cognitoAccess.cacheJwks(input.jwks);
out.cognitoAccess = await cognitoAccess.verify(input.awsAccessToken);

const cognitoId = CognitoJwtVerifier.create({
  userPoolId: input.awsPoolId,
  tokenUse: "id",
  clientId: input.clientId,
});
cognitoId.cacheJwks(input.jwks);
out.cognitoId = await cognitoId.verify(input.awsIdToken);

// The checks that must fail do fail: token_use and client id.
out.rejected.cognitoIdAsAccess = await rejection(cognitoAccess.verify(input.awsIdToken));
out.rejected.cognitoAccessAsId = await rejection(cognitoId.verify(input.awsAccessToken));
const wrongClient = CognitoJwtVerifier.create({
  userPoolId: input.awsPoolId,
  tokenUse: "access",
  clientId: "someoneelse",
});
wrongClient.cacheJwks(input.jwks);
out.rejected.wrongClient = await rejection(wrongClient.verify(input.awsAccessToken));

process.stdout.write(JSON.stringify(out));
