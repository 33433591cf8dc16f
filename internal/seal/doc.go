// Package seal owns the server keyring (--secret-key) and AES-256-GCM
// sealing with it: secrets at rest (SRP verifiers, signing keys) and the
// blobs clients carry back to us (challenge Session, SRP SECRET_BLOCK), so
// that any instance can open what another sealed. Keys rotate by putting a
// new secret first; older secrets keep opening what they sealed.
package seal
