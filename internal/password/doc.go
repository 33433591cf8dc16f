// Package password owns everything Cognate does with a plaintext password
// apart from SRP: argon2id hashing in PHC strings under a bounded number of
// concurrent hashes, the pool password policy with Cognito's own error texts,
// and temporary passwords that satisfy a policy. It knows nothing of HTTP or
// storage; callers pass the policy and store the PHC string.
package password
