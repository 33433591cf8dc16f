// Package userpool owns user pools and their app clients: creating them with
// Cognito's defaults, validating their settings with Cognito's rules and error
// texts, the attribute schema (standard and custom), tags, and the lookups
// other packages need (a pool by id, a client by id). The pool and client
// settings are stored as the API's own UserPoolType and UserPoolClientType
// documents, so DescribeUserPool returns exactly what was stored.
package userpool
