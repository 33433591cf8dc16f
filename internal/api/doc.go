// Package api is the HTTP edge: it speaks AWS JSON 1.1 as Amazon Cognito does.
// It routes X-Amz-Target to the generated operation table, decodes and
// validates the body, identifies the caller (SigV4 credential scope), calls
// the registered handler and writes the response or the error in the one
// format every AWS SDK parses. Domain packages never see HTTP.
package api
