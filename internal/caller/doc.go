// Package caller carries who is calling, and from where, through a request's
// context: the request id, the operation, the region taken from the SigV4
// credential scope (or the server's default), and the access key. The
// dispatcher fills it in; domain packages read it without knowing HTTP.
package caller
