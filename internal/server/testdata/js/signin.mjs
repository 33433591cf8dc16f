// Signs in to Cognate with amazon-cognito-identity-js exactly as a browser
// application does (CognitoUser.authenticateUser, USER_SRP_AUTH unless told
// otherwise), then reads the user with getUserAttributes (GetUser), and
// prints one JSON object on stdout. Driven by ../../wire_user_node_test.go.
//
// Usage: node signin.mjs [--endpoint URL] [--pool ID] [--client ID]
//                        [--username NAME] [--password PW] [--flow FLOW]
//                        [--respond-endpoint URL]
// Each option falls back to an environment variable: COGNATE_ENDPOINT,
// COGNATE_POOL_ID, COGNATE_CLIENT_ID, COGNATE_USERNAME, COGNATE_PASSWORD,
// COGNATE_AUTH_FLOW (USER_SRP_AUTH or USER_PASSWORD_AUTH) and
// COGNATE_RESPOND_ENDPOINT, which sends RespondToAuthChallenge to another
// server than InitiateAuth (an SRP handshake begun on one instance and
// finished on another).
//
// Output on success (exit 0):
//   {"ok":true,"username":…,"attributes":{name:value,…},
//    "accessToken":…,"idToken":…,"refreshToken":…,"calls":[…]}
// on failure (exit 1): {"ok":false,"code":…,"name":…,"message":…,"calls":[…]}
// where calls lists each request the library made: {"op","endpoint",
// "authFlow"?,"challenge"?}. A usage error exits 2.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const {
	AuthenticationDetails,
	CognitoUser,
	CognitoUserPool,
} = require('amazon-cognito-identity-js');

const { values } = parseArgs({
	options: {
		endpoint: { type: 'string' },
		pool: { type: 'string' },
		client: { type: 'string' },
		username: { type: 'string' },
		password: { type: 'string' },
		flow: { type: 'string' },
		'respond-endpoint': { type: 'string' },
	},
});
const env = process.env;
const opt = {
	endpoint: values.endpoint ?? env.COGNATE_ENDPOINT,
	pool: values.pool ?? env.COGNATE_POOL_ID,
	client: values.client ?? env.COGNATE_CLIENT_ID,
	username: values.username ?? env.COGNATE_USERNAME,
	password: values.password ?? env.COGNATE_PASSWORD,
	flow: values.flow ?? env.COGNATE_AUTH_FLOW ?? 'USER_SRP_AUTH',
	respond: values['respond-endpoint'] ?? env.COGNATE_RESPOND_ENDPOINT,
};
for (const k of ['endpoint', 'pool', 'client', 'username', 'password']) {
	if (!opt[k]) {
		process.stderr.write(`signin.mjs: missing --${k}\n`);
		process.exit(2);
	}
}
// The library appends nothing to the endpoint: it POSTs to it as given.
const withSlash = (u) => (u.endsWith('/') ? u : u + '/');

const pool = new CognitoUserPool({
	UserPoolId: opt.pool,
	ClientId: opt.client,
	endpoint: withSlash(opt.endpoint),
});

// Record every request, and route RespondToAuthChallenge to the second
// endpoint when one is given (the Client's endpoint is a plain field).
const calls = [];
const client = pool.client;
const request = client.request.bind(client);
client.request = (operation, params, callback) => {
	const saved = client.endpoint;
	if (opt.respond && operation === 'RespondToAuthChallenge') {
		client.endpoint = withSlash(opt.respond);
	}
	const call = { op: operation, endpoint: client.endpoint };
	if (params && params.AuthFlow) call.authFlow = params.AuthFlow;
	if (params && params.ChallengeName) call.challenge = params.ChallengeName;
	calls.push(call);
	try {
		return request(operation, params, callback);
	} finally {
		client.endpoint = saved;
	}
};

const user = new CognitoUser({ Username: opt.username, Pool: pool });
user.setAuthenticationFlowType(opt.flow);
const details = new AuthenticationDetails({
	Username: opt.username,
	Password: opt.password,
});

function fail(err) {
	process.stdout.write(
		JSON.stringify({
			ok: false,
			code: err && err.code,
			name: err && err.name,
			message: err && err.message ? err.message : String(err),
			calls,
		}) + '\n'
	);
	process.exit(1);
}

function challenge(name) {
	return () => fail({ code: 'UnexpectedChallenge', name, message: `unexpected challenge ${name}` });
}

const session = await new Promise((resolve) => {
	user.authenticateUser(details, {
		onSuccess: resolve,
		onFailure: fail,
		newPasswordRequired: challenge('NEW_PASSWORD_REQUIRED'),
		mfaRequired: challenge('SMS_MFA'),
		totpRequired: challenge('SOFTWARE_TOKEN_MFA'),
		customChallenge: challenge('CUSTOM_CHALLENGE'),
		mfaSetup: challenge('MFA_SETUP'),
		selectMFAType: challenge('SELECT_MFA_TYPE'),
	});
});

const attributes = await new Promise((resolve) => {
	user.getUserAttributes((err, list) => {
		if (err) return fail(err);
		resolve(Object.fromEntries(list.map((a) => [a.getName(), a.getValue()])));
	});
});

process.stdout.write(
	JSON.stringify({
		ok: true,
		username: user.getUsername(),
		attributes,
		accessToken: session.getAccessToken().getJwtToken(),
		idToken: session.getIdToken().getJwtToken(),
		refreshToken: session.getRefreshToken().getToken(),
		calls,
	}) + '\n'
);
