package api

import "net/http"

// Browsers call Cognito directly (Amplify, amazon-cognito-identity-js), so
// every response allows any origin and exposes the headers SDKs read. The
// allowed request headers are those the browser SDKs send (go-stack.md §6).
const (
	corsAllowHeaders  = "content-type, x-amz-target, x-amz-user-agent, cache-control, authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256, amz-sdk-invocation-id, amz-sdk-request, x-amz-api-version"
	corsExposeHeaders = "x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, date"
)

func withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		next.ServeHTTP(w, r)
	})
}

// preflight answers OPTIONS for any path. The requested headers are echoed
// when present, so a newer SDK header never fails the preflight.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if h.Get("Access-Control-Allow-Origin") == "" {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	} else {
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	}
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusOK)
}
