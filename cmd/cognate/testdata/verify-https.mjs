// Verifies an access token with aws-jwt-verify, fetching the JWKS from a
// Cognate served over HTTPS (the test trusts its self-signed certificate
// through NODE_EXTRA_CA_CERTS). Run by TestServeTLSAWSJWTVerify, which
// writes { issuer, jwksUri, clientId, accessToken } on stdin and reads the
// verified payload on stdout. aws-jwt-verify is the one installed for
// internal/token's test: its npm project folder is in JWT_VERIFY_DIR.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.JWT_VERIFY_DIR, "noop.js"));
const { JwtRsaVerifier } = require("aws-jwt-verify");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const verifier = JwtRsaVerifier.create({
  issuer: input.issuer,
  audience: null, // access tokens carry client_id, not aud
  jwksUri: input.jwksUri,
  customJwtCheck: ({ payload }) => {
    if (payload.token_use !== "access") throw new Error("not an access token");
    if (payload.client_id !== input.clientId) throw new Error("wrong client_id");
  },
});
process.stdout.write(JSON.stringify(await verifier.verify(input.accessToken)));
