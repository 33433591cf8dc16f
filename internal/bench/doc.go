// Package bench is a load generator for any endpoint that speaks the Amazon
// Cognito user pools API (AWS JSON 1.1): Cognate itself, moto's server,
// cognito-local or a staging deployment. `cognate bench` is its command line.
//
// Run sets up its own user pool, app client and users through the public API
// only (CreateUserPool, CreateUserPoolClient, AdminCreateUser with
// MessageAction SUPPRESS, AdminSetUserPassword, InitiateAuth for access
// tokens), so it never depends on Cognate's inspection API. It then drives
// one operation, or a blend (see Mixed), closed-loop with a fixed number of
// workers: a warm-up that is not counted, then a measured phase bounded by a
// duration and/or a request count. At the end it deletes the pool, also
// when the context is cancelled (Ctrl-C), unless Config.Keep is set.
//
// The client is kept cheap so that it measures the server rather than
// itself, which matters when both share a small machine:
//   - every request body is prepared once per user before the load starts;
//     only the bodies that must change (UpdateUserAttributes' new value,
//     AdminCreateUser's new name) are assembled per request from prepared
//     halves;
//   - admin operations are SigV4-signed with static dummy credentials
//     (other implementations may check the header's shape); a static body's
//     signature is computed once and reused for a minute, which SigV4 allows
//     (a signature stays valid for 15 minutes), so the hot path does no
//     hashing for it;
//   - successful responses are drained, never decoded; only error bodies
//     are read for their __type;
//   - one tuned keep-alive Transport holds at least one idle connection
//     per worker;
//   - each worker records into its own histogram, merged at the end.
//
// Result.ClientCPU reports the process's own CPU time during the measured
// phase, so the cost of the tool is measured on every run; the package's
// benchmarks (overhead_test.go) measure it against a trivial handler.
// Result.NewConnections counts the connections opened while measuring: more
// than one per worker means the server closes them (moto's development
// server does), and the numbers include a TCP handshake per request.
//
// Statistics: throughput and latency count successful requests; API errors
// (grouped by their __type or x-amzn-ErrorType) and transport errors are
// counted apart. Percentiles come from a log-linear histogram whose buckets
// are within 0.4% of the values they hold.
//
// Only loopback endpoints (127.0.0.0/8, ::1, localhost) are accepted unless
// Config.AllowRemote is set; the dialer checks the resolved address again.
package bench
