// Package user owns the users of a pool: sign-up and confirmation, the admin
// user operations, attributes and their schema rules, usernames and aliases,
// passwords, verification codes, access-token authentication and revocation.
// A user is one store row plus a JSON document (Record); every change goes
// through one store transaction with the messages and tokens it produces.
package user
