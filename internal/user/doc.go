// Package user owns the users of a pool: sign-up and confirmation, the admin
// user operations, attributes and their schema rules (UpdateUserAttributes
// and its neighbours), usernames and aliases, passwords, verification codes,
// the sign-in flows, access-token authentication and revocation. A user is
// one store row plus a JSON document (Record); every change goes through one
// store transaction with the messages and tokens it produces.
//
// The sign-in flows live here rather than in a separate auth package (the
// starting layout of DESIGN.md): they read and write the same Record under
// the same transaction rules, and splitting them would export its internals.
package user
