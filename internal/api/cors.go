package api

import "net/http"

// Browsers call Cognito directly (Amplify, amazon-cognito-identity-js), so
// Cognate answers cross-origin calls as AWS's JSON endpoints were recorded
// doing (cognito-behaviour.md §8.13, a curl of cognito-idp.us-east-1 in
// AllanZhengYP/cors-test): any origin ("*", never the echoed Origin, so no
// Vary), the requested headers echoed on a preflight, a two-day max age, and
// the headers SDKs read exposed on every answer.
const (
	corsExposeHeaders = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
	corsMaxAge        = "172800"
	// corsAllowHeaders answers a preflight that names no headers: those the
	// browser SDKs send (go-stack.md §6).
	corsAllowHeaders = "Content-Type,X-Amz-Target,X-Amz-User-Agent,Cache-Control,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,amz-sdk-invocation-id,amz-sdk-request"
)

func withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") != "" {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		next.ServeHTTP(w, r)
	})
}

// preflight answers OPTIONS for any path: 200 with an empty body. The
// requested method and headers are echoed, so a newer SDK header never fails
// the preflight; AWS answers POST for its JSON API.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	method := r.Header.Get("Access-Control-Request-Method")
	if method == "" {
		method = http.MethodPost
	}
	h.Set("Access-Control-Allow-Methods", method)
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	} else {
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	}
	h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	h.Set("Access-Control-Max-Age", corsMaxAge)
	h.Set("x-amzn-RequestId", newRequestID())
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}
