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
// # File map
//
// File names start with their area. core_* files hold what every area
// uses and call nothing defined outside core_*; the other areas build on
// them.
//
//	core_service.go     Service, its dependencies, clock/random/log, error constructors
//	core_pool.go        the pool as users see it: case folding, aliases, username rules, conflict errors
//	core_record.go      Record (the user document) and its types, decodeRecord/encode, userType
//	core_store.go       store helpers: lookup, readUser, adminUser, update (the one write), finish, forceAlias; Resolve
//	core_credentials.go password hash and sealed SRP verifier (credentials, newCredentials, openSRP)
//	core_access.go      access-token authentication (authenticate, verifyToken, tokenUser)
//	core_client.go      app clients: secret hash, read/write permissions, clientUser
//	core_codes.go       one-time codes, deliveries and send limits
//	core_lockout.go     failed-password lockout: reserveAttempt, guess, settle
//	core_shadow.go      PreventUserExistenceErrors: shadow records and answer pacing
//	core_trigger.go     Lambda trigger events (CustomMessage, PreSignUp, Pre/PostAuthentication, PostConfirmation)
//	core_groups.go      FindUser and UserType for the group package
//
//	signin_initiate.go  InitiateAuth, AdminInitiateAuth, the AuthFlow table, password sign-in, afterPassword
//	signin_respond.go   RespondToAuthChallenge, AdminRespondToAuthChallenge, the ChallengeName table, NEW_PASSWORD_REQUIRED
//	signin_tokens.go    issuing tokens (signIn), REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken
//	signin_srp.go       USER_SRP_AUTH and PASSWORD_VERIFIER
//	signin_custom.go    CUSTOM_AUTH and CUSTOM_CHALLENGE
//	signin_mfa_totp.go  software tokens: AssociateSoftwareToken, VerifySoftwareToken, (Admin)SetUserMFAPreference, SOFTWARE_TOKEN_MFA, MFA_SETUP
//	signin_mfa_code.go  SMS and email MFA: SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE
//	signin_session.go   sealed challenge sessions
//	signin_pretoken.go  the PreTokenGeneration trigger
//	signin_migration.go the UserMigration trigger
//
//	attr_schema.go      attribute schema rules and messages
//	attr_update.go      (Admin)UpdateUserAttributes, (Admin)DeleteUserAttributes
//	attr_verify.go      GetUserAttributeVerificationCode, VerifyUserAttribute
//
//	admin_user.go       AdminCreateUser, AdminGetUser, AdminDeleteUser, Admin{Enable,Disable}User,
//	                    AdminConfirmSignUp, AdminSetUserPassword, AdminResetUserPassword, AdminUserGlobalSignOut
//	admin_list.go       ListUsers and its filter
//
//	self_signup.go      SignUp, ConfirmSignUp, ResendConfirmationCode
//	self_account.go     GetUser, DeleteUser, GlobalSignOut, ChangePassword, RevokeToken
//	self_forgot.go      ForgotPassword, ConfirmForgotPassword
//
//	seed_file.go        Seed (cognate --seed), SeedUserKey, ExportAttributes
//	seed_mfa.go         SeedMFA, SeedMFAState
//	seed_fill.go        Fill (bulk test users)
package user
