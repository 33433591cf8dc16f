// The client half of USER_SRP_AUTH, computed by amazon-cognito-identity-js's
// own code (AuthenticationHelper, its BigInteger, @aws-crypto/sha256-js and
// the signing steps of CognitoUser.authenticateUserDefaultAuth), so that
// ../../interop_test.go can check Cognate's Go server against the official
// client without a network.
//
// Protocol: one JSON object per stdin line, one JSON answer per stdout line.
//   {"op":"begin","id":1,"userPoolId":"us-east-1_AbC123"[,"a":"<hex>"]}
//     → {"id":1,"A":"<hex, as CognitoUser sends SRP_A>"}
//   {"op":"finish","id":1,"userIdForSrp":"…","password":"…","salt":"<SALT>",
//    "srpB":"<SRP_B>","secretBlock":"<SECRET_BLOCK base64>"[,"timestamp":"…"]}
//     → {"id":1,"timestamp":"<TIMESTAMP>","signature":"<PASSWORD_CLAIM_SIGNATURE>"}
// Any failure answers {"id":…,"error":"…"}. "a" and "timestamp" exist only to
// make golden vectors reproducible; without them the library picks its own.
import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const lib = require('amazon-cognito-identity-js');
const libRequire = createRequire(require.resolve('amazon-cognito-identity-js'));
const BigInteger = libRequire('./BigInteger').default;
const { Sha256 } = libRequire('@aws-crypto/sha256-js');
const { AuthenticationHelper, CognitoUserPool, DateHelper } = lib;

const sessions = new Map();

function begin(req) {
	const pool = new CognitoUserPool({
		UserPoolId: req.userPoolId,
		ClientId: 'cognateinterop',
	});
	const helper = new AuthenticationHelper(pool.getUserPoolName());
	if (req.a) {
		helper.smallAValue = new BigInteger(req.a, 16);
		helper.largeAValue = undefined;
	}
	return new Promise((resolve, reject) => {
		helper.getLargeAValue((err, A) => {
			if (err) return reject(err);
			sessions.set(req.id, { pool, helper });
			resolve({ A: A.toString(16) });
		});
	});
}

function finish(req) {
	const s = sessions.get(req.id);
	if (!s) throw new Error(`no session ${req.id}`);
	sessions.delete(req.id);
	const serverB = new BigInteger(req.srpB, 16);
	const salt = new BigInteger(req.salt, 16);
	return new Promise((resolve, reject) => {
		s.helper.getPasswordAuthenticationKey(
			req.userIdForSrp,
			req.password,
			serverB,
			salt,
			(err, hkdf) => {
				if (err) return reject(err);
				const dateNow = req.timestamp ?? new DateHelper().getNowString();
				// As CognitoUser.authenticateUserDefaultAuth builds the claim.
				const message = Buffer.concat([
					Buffer.from(s.pool.getUserPoolName(), 'utf8'),
					Buffer.from(req.userIdForSrp, 'utf8'),
					Buffer.from(req.secretBlock, 'base64'),
					Buffer.from(dateNow, 'utf8'),
				]);
				const mac = new Sha256(hkdf);
				mac.update(message);
				resolve({
					timestamp: dateNow,
					signature: Buffer.from(mac.digestSync()).toString('base64'),
				});
			}
		);
	});
}

const ops = { begin, finish };
const rl = readline.createInterface({ input: process.stdin, terminal: false });
for await (const line of rl) {
	if (!line.trim()) continue;
	let req = {};
	let out;
	try {
		req = JSON.parse(line);
		const op = ops[req.op];
		if (!op) throw new Error(`unknown op ${req.op}`);
		out = { id: req.id, ...(await op(req)) };
	} catch (e) {
		out = { id: req.id, error: String(e && e.message ? e.message : e) };
	}
	process.stdout.write(JSON.stringify(out) + '\n');
}
