package caller

import "context"

// Info describes one API call.
type Info struct {
	RequestID string
	Operation string
	// Region is where a pool created by this call lives: the region of the
	// SigV4 credential scope, or the server's --region for unsigned calls.
	Region string
	// AccessKeyID is the SigV4 access key, empty for unsigned calls.
	AccessKeyID string
	// Signed reports whether the call carried a SigV4 Authorization header.
	Signed bool
	// PoolID is the user pool the call concerns, once known. The dispatcher
	// sets it from the request's UserPoolId; token and client-id operations
	// set it when they resolve the pool, so the request log can show it.
	PoolID string
}

type key struct{}

// With returns a context carrying info. The pointer is shared so that
// handlers can record the pool id for the request log.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the call's info, or an empty Info when there is none (tests
// calling domain code directly).
func From(ctx context.Context) *Info {
	if info, ok := ctx.Value(key{}).(*Info); ok {
		return info
	}
	return &Info{}
}
