// Command cognate runs the Cognate server: an Amazon Cognito user pools API
// on one binary. `cognate serve` (the default) starts it; `cognate version`
// prints the build. This package only parses configuration and wires the
// parts together; behaviour lives in internal/.
package main
