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
//
// Files, by the prefix of their names:
//
//	core_*     what every operation uses: the Service and its dependencies
//	           (core_service), the Record (core_record), pools and app
//	           clients as read here (core_pool, core_client), store helpers
//	           and the one write helper update (core_store), passwords and
//	           SRP verifiers (core_credentials), codes (core_codes), the
//	           lockout (core_lockout), hiding user existence (core_shadow),
//	           access-token checks (core_access), group claims
//	           (core_groups), Lambda trigger plumbing (core_trigger)
//	signin_*   InitiateAuth and its flows (signin_initiate), the challenge
//	           table of RespondToAuthChallenge (signin_respond), SRP
//	           (signin_srp), custom auth (signin_custom), MFA by code and by
//	           TOTP (signin_mfa_code, signin_mfa_totp), challenge sessions
//	           (signin_session), issuing and refreshing tokens
//	           (signin_tokens), PreTokenGeneration (signin_pretoken),
//	           UserMigration (signin_migration)
//	attr_*     the schema rules (attr_schema), UpdateUserAttributes and
//	           AdminUpdateUserAttributes (attr_update), attribute
//	           verification (attr_verify)
//	self_*     what a user does alone: SignUp and confirmation
//	           (self_signup), forgot password (self_forgot), GetUser,
//	           ChangePassword, sign-out, DeleteUser (self_account)
//	admin_*    the admin user operations (admin_user) and ListUsers
//	           (admin_list)
//	seed_*     seed files (seed_file, seed_mfa) and cognate seed fill
//	           (seed_fill)
package user
