// Package seed reads, applies and exports seed files: YAML documents that
// declare user pools with fixed ids, their app clients, groups and users.
//
// A pool, a client and a group are written with the member names of the
// CreateUserPool, CreateUserPoolClient and CreateGroup requests, checked by
// the same validation as the API; the seed's own keys (clients, groups,
// users) and the users' members are lowerCamel or documented below:
//
//	pools:
//	  - Id: us-east-1_example1
//	    PoolName: example
//	    clients:
//	      - ClientId: exampleclient1
//	        ClientName: web
//	    groups:
//	      - GroupName: admins
//	    users:
//	      - Username: alice
//	        Attributes: {email: alice@example.com, email_verified: "true"}
//	        Password: Passw0rd!      # or TemporaryPassword
//	        Confirmed: true          # false: UNCONFIRMED (with Password)
//	        Groups: [admins]
//	        MFA:                     # optional
//	          SoftwareTokenSecret: JBSWY3DPEHPK3PXP  # base32; not exported
//	          SoftwareTokenEnabled: true
//	          SMSEnabled: false
//	          EmailEnabled: false
//	          Preferred: SOFTWARE_TOKEN_MFA      # or SMS_MFA, EMAIL_OTP
//	    MfaConfig:                   # optional: SetUserPoolMfaConfig's members
//	      MfaConfiguration: OPTIONAL
//	      SoftwareTokenMfaConfiguration: {Enabled: true}
//
// Applying is idempotent: what is unchanged is not written, what changed
// is updated (pools and clients with the Update operations' semantics), and
// nothing the file does not mention is deleted.
package seed
